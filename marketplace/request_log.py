"""A request id for every request, and one structured log line per request.

The id comes from the `X-Request-ID` header of a trusted proxy, or is made here; it
is sent back in the response and shown on the error page, so that a user can quote it.
"""

import json
import logging
import re
import time
import uuid

from flask import Flask, g, request
from flask_login import current_user

log = logging.getLogger("marketplace.requests")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    return getattr(g, "request_id", "-")


def register_request_log(app: Flask) -> None:
    @app.before_request
    def start_request():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = getattr(g, "request_started", None)
        duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
        try:
            user_id = current_user.id if current_user.is_authenticated else None
        except Exception:  # noqa: BLE001 - the log line must not fail because the database did
            user_id = None
        response.headers["X-Request-ID"] = current_request_id()
        log.info(json.dumps({
            "request_id": current_request_id(), "method": request.method, "path": request.path,
            "status": response.status_code, "duration_ms": duration_ms, "user_id": user_id,
        }))
        return response

    app.jinja_env.globals["request_id"] = current_request_id
