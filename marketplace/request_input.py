"""What every request goes through before any route reads it: numbers in query strings
and forms bounded to what the database holds, query-string values without NUL, and JSON
bodies of a bounded depth. Installed by the application factory (request class, JSON
provider); the fields themselves are in marketplace.validation."""

import json
import re

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


JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
JSON_BRACKETS = re.compile(r"[\[\]{}]")


def nesting_depth(text: str | bytes) -> int:
    """How deeply lists and objects nest in a JSON text, read before parsing it (strings
    skipped by a regular expression, then only the brackets walked; stops one level past
    the limit). Parsing is never started on a body nested past JSON_MAX_DEPTH: the C
    parser's deep-recursion error path is never taken."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8", errors="replace")
    depth = deepest = 0
    for bracket in JSON_BRACKETS.findall(JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > JSON_MAX_DEPTH:
                break
    return deepest


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing a body nested deeper than any of our schemas reads, before
    parsing it: a thousands-deep body would drive the C parser into its deep-recursion
    error path (in this CPython, catching that RecursionError was followed by heap
    corruption in the tests' long runs). The refusal is a ValueError, which Flask turns
    into a 400 (or None with `silent=True`)."""

    def loads(self, s, **kwargs):
        # Fewer brackets than the limit cannot nest past it: most bodies skip the scan.
        if s.count("[" if isinstance(s, str) else b"[") + s.count("{" if isinstance(s, str) else b"{") \
                > JSON_MAX_DEPTH and nesting_depth(s) > JSON_MAX_DEPTH:
            raise ValueError("JSON nested too deeply")
        return json.loads(s, **kwargs)
