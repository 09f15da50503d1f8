"""How a lower layer asks something of a higher one without importing it.

Dependencies run downward only (DESIGN.md, "Layers"): needs never import offers,
fairs never import meetings, suppliers never import payments. When a lower area must
still know something only a higher one holds (has this need received offers? who is
boosted?), it declares a `Hook` in its own `hooks.py`, and the higher area answers it
when it is imported (create_app imports every area). When a lower area announces that
something happened (a need was published, a registration was cancelled) and higher
areas act on it, it sends a blinker signal declared in the same `hooks.py`.
"""

from collections.abc import Callable
from typing import Any

from blinker import Namespace

signals = Namespace()


class Hook:
    """One question, one answer: `hook.answer(function)` registers the function that
    answers it (a decorator); `hook(...)` calls it. Without an answer, `hook(...)` gives
    `default(...)`, or raises if there is no default: an area that forgot to register
    must fail loudly, not answer wrongly."""

    def __init__(self, question: str, default: Callable[..., Any] | None = None):
        self.question = question
        self._default = default
        self._answer: Callable[..., Any] | None = None

    def answer(self, function: Callable[..., Any]) -> Callable[..., Any]:
        self._answer = function
        return function

    def __call__(self, *args, **kwargs):
        function = self._answer or self._default
        if function is None:
            raise RuntimeError(f"Nobody answers the hook: {self.question}")
        return function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.question!r}>"


def signal(name: str):
    """A named event that higher areas connect to (receivers kept strongly)."""
    return signals.signal(name)
