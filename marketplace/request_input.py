"""What every request goes through before any route reads it: numbers in query strings
and forms bounded to what the database holds, query-string values without NUL, and JSON
bodies of a bounded depth. Installed by the application factory (request class, JSON
provider); the fields themselves are in marketplace.validation."""

import json

from flask import Request
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

from marketplace.validation import DATABASE_INT_MAX, DATABASE_INT_MIN

JSON_MAX_DEPTH = 32


def database_int(text: str) -> int:
    """A whole number from a query string or form field that a database column can hold;
    ValueError otherwise (Werkzeug's `args.get(..., type=...)` then uses the default)."""
    number = int(text)
    if not DATABASE_INT_MIN <= number <= DATABASE_INT_MAX:
        raise ValueError(f"{text!r} is out of the database's integer range")
    return number


class BoundedArgs(ImmutableMultiDict):
    """Query-string and form values whose `get(key, type=int)` never returns a number
    past what the database holds (`?page=99999999999999999999` means no page given)."""

    def get(self, key, default=None, type=None):  # noqa: A002 - Werkzeug's signature
        return super().get(key, default, database_int if type is int else type)


class BoundedRequest(Request):
    """Every request: numbers bounded (BoundedArgs), and query-string values without NUL
    characters, which no database column holds (PostgreSQL refuses them in any text):
    `?q=a%00b` reads as `a\ufffdb`. Form and JSON values keep theirs, for the fields to
    refuse with a message."""

    parameter_storage_class = BoundedArgs

    @cached_property
    def args(self) -> BoundedArgs:
        return BoundedArgs((key, value.replace("\x00", "\ufffd"))
                           for key, value in super().args.items(multi=True))


def _depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (walked iteratively,
    and only as far as one level past the limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > JSON_MAX_DEPTH:
                break
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing a body nested deeper than any of our schemas reads (a
    thousands-deep body would otherwise exhaust the parser's recursion). The refusal is
    a ValueError, which Flask turns into a 400 (or None with `silent=True`)."""

    def loads(self, s, **kwargs):
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        if _depth(value) > JSON_MAX_DEPTH:
            raise ValueError("JSON nested too deeply")
        return value
