"""The API's frame: flask-smorest (OpenAPI 3 from the marshmallow schemas) without its
own error pages (ours answer problem+json), key authentication with scopes, rate limits
per key and per address, and cursor pagination."""

import base64
import http
import json
from datetime import timedelta

from flask import abort, current_app, g, request
from flask_login import current_user
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import Schema, fields, missing
from webargs.flaskparser import FlaskParser, is_json_request

from marketplace.api import keys
from marketplace.errors import NotAllowed, problem
from marketplace.extensions import csrf, db, limiter
from marketplace.timeutil import utcnow
from marketplace.validation import Count, Text

API_PREFIX = "/api/v1"
PAGE_LIMIT = 100


class Problem(Schema):
    """RFC 9457 problem details, as every error of the API is."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "Les erreurs par champ."})
    request_id = fields.String()


class ApiParser(FlaskParser):
    """webargs, reading JSON bodies with the application's bounded parser (depth, lone
    surrogates: marketplace.validation) instead of the standard library's, and refusing
    a body sent under another content type with 415 rather than reading no field."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            if req.method in ("POST", "PUT", "PATCH") and req.get_data(cache=True):
                abort(problem(415, "Envoyez le corps de la requête en JSON (Content-Type: application/json).",
                              title="Type de contenu non pris en charge"))
            return missing
        try:
            return current_app.json.loads(req.get_data(cache=True))
        except (ValueError, UnicodeDecodeError) as error:
            self._handle_invalid_json_error(error, req)


class ApiBlueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = ApiParser()


class MarketplaceApi(Api):
    """flask-smorest, with the application's own error handling (problem+json)."""

    ERROR_SCHEMA = Problem
    ERROR_CONTENT_TYPE = "application/problem+json"

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        """Every error response documented as what it is: RFC 9457 problem+json."""
        from flask_smorest.spec import prepare_response

        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec,
                             self.ERROR_CONTENT_TYPE if status >= 400 else self.DEFAULT_RESPONSE_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Erreur (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, self.ERROR_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def rate_key() -> str:
    """Who a request counts against: its key, or its address without one. The limiter
    asks before the blueprint authenticates, so the key is read here (once a request)."""
    key = key_from_request()
    return f"key:{key.prefix}" if key is not None else f"ip:{request.remote_addr}"


def blueprint(name: str, description: str) -> SmorestBlueprint:
    """An API blueprint: no CSRF (keys, not cookies), rate limited, scope checked."""
    bp = ApiBlueprint(name, __name__, url_prefix=API_PREFIX, description=description)
    csrf.exempt(bp)
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_key)(bp)
    bp.before_request(_authenticate_and_check_scope)
    return bp


def key_from_request():
    """The API key of `Authorization: Bearer ...`, set on g (None if absent); read once
    a request (the rate limiter and the authentication both ask)."""
    if "api_key" in g:
        return g.api_key
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    key = keys.authenticate(header.removeprefix("Bearer ").strip())
    if key is not None and (key.last_used_at is None or key.last_used_at < utcnow() - timedelta(minutes=1)):
        key.last_used_at = utcnow()
        db.session.commit()
    g.api_key = key
    return key


def _authenticate_and_check_scope():
    """A key acts as its user for this request only (no session); its scopes bound it."""
    key = key_from_request()
    if key is not None:
        g._login_user = key.user  # Flask-Login's current user for this request
    elif request.headers.get("Authorization"):
        return problem(401, "Clé d'API invalide ou révoquée.")
    else:
        g._login_user = current_app.login_manager.anonymous_user()  # a browser session does not open the API
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    key = getattr(g, "api_key", None)
    if key is None:
        return problem(401, "Une clé d'API avec le droit d'écriture est nécessaire.")
    if "write" not in key.scope_list:
        return problem(403, "Cette clé n'a que le droit de lecture.")
    return None


def api_user():
    """The user the key acts for; anonymous callers reach public data only."""
    if not current_user.is_authenticated or getattr(g, "api_key", None) is None:
        raise NotAllowed("Une clé d'API est nécessaire pour cette ressource.")
    return current_user._get_current_object()


# --- cursor pagination ----------------------------------------------------------------------

def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, field: str = "cursor") -> int:
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return int(data["after"])
    except (ValueError, KeyError, TypeError):
        from marketplace.errors import DomainError

        raise DomainError("Curseur invalide : reprenez la liste depuis le début.", field) from None


def page_of(query, id_column, cursor: str | None, limit: int):
    """A page of `query` in id order after the cursor, and the next cursor (None at the end)."""
    rows = list(db.session.scalars(query.where(id_column > decode_cursor(cursor)).order_by(id_column)
                                   .limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].id) if more and rows else None)


class PageArgs(Schema):
    cursor = Text(max_length=200, load_default=None,
                  metadata={"description": "Le curseur `next` de la page précédente."})
    limit = Count(minimum=1, maximum=PAGE_LIMIT, load_default=50,
                  metadata={"description": f"Entre 1 et {PAGE_LIMIT}."})


def paged(items: list, next_cursor: str | None) -> dict:
    return {"items": items, "next": next_cursor}
