"""Reference data (the sectors' taxonomy, departments, regions) read once per process
and database: it changes only with migrations, and a deployment restarts the workers."""

from collections.abc import Callable
from typing import TypeVar

from marketplace.extensions import db

T = TypeVar("T")

_LOADED: dict[tuple[str, str], object] = {}


def read_once(name: str, load: Callable[[], T]) -> T:
    """`load()`'s result, computed on the first call for this database in this process."""
    key = (str(db.engine.url), name)
    if key not in _LOADED:
        _LOADED[key] = load()
    return _LOADED[key]
