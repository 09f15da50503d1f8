"""Domain errors, and their mapping to HTTP for HTML and JSON alike.

Services raise these; routes let them through (or turn a field error into a form
message); this module renders whatever reaches the top. JSON answers follow RFC 9457
(application/problem+json), with field errors under "errors".
"""

import logging

from flask import Flask, jsonify, make_response, render_template, request
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5  # a database restart or failover takes a few seconds


class DomainError(Exception):
    """A business rule refused the action. `field` names the input at fault, if any;
    `next_step` (endpoint, label) is what the person should do first, offered as a button
    on the error page (a new buyer told to create their organisation, not a bare 403)."""

    status = 422
    title = "Action impossible"

    def __init__(self, message: str, field: str | None = None, next_step: tuple[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.next_step = next_step


class NotAllowed(DomainError):
    status = 403
    title = "Accès refusé"


class NotFound(DomainError):
    status = 404
    title = "Introuvable"


class Conflict(DomainError):
    status = 409
    title = "Conflit"


TITLES = {
    400: "Requête invalide",
    401: "Connexion requise",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    409: "Conflit",
    413: "Fichier trop volumineux",
    415: "Type de contenu non pris en charge",
    422: "Données invalides",
    429: "Trop de tentatives",
    500: "Erreur interne",
    503: "Service momentanément indisponible",
}

MESSAGES = {
    400: "La requête n'a pas pu être comprise.",
    401: "Connectez-vous pour accéder à cette page.",
    403: "Vous n'avez pas accès à cette page.",
    404: "Cette page n'existe pas ou a été déplacée.",
    405: "Cette action n'est pas possible à cette adresse.",
    413: "Le fichier envoyé dépasse la taille autorisée.",
    415: "Ce type de contenu n'est pas pris en charge ici.",
    429: "Trop de tentatives en peu de temps. Réessayez dans quelques minutes.",
    500: "Une erreur inattendue s'est produite. L'équipe technique a été prévenue.",
    503: "Le service est momentanément indisponible. Réessayez dans un instant.",
}


def flatten_messages(messages: dict) -> dict[str, list[str]]:
    """Marshmallow's nested field errors as one level, the path dotted: every refusal
    names its field the same way in pages and in JSON (`{"sectors.0": [...]}`)."""
    flat: dict[str, list[str]] = {}
    for field, value in messages.items():
        if isinstance(value, dict):
            for sub, sub_messages in flatten_messages(value).items():
                flat[f"{field}.{sub}"] = sub_messages
        else:
            flat[str(field)] = list(value) if isinstance(value, list) else [str(value)]
    return flat


def wants_json() -> bool:
    """True when the client sent or asked for JSON rather than a page."""
    if request.is_json or request.path.startswith("/api/") or request.path.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def problem(status: int, detail: str, errors: dict | None = None, title: str | None = None):
    """An RFC 9457 problem response."""
    body = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "Erreur"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    if status >= 500:
        from marketplace.request_log import current_request_id

        body["request_id"] = current_request_id()
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _render(status: int, detail: str, errors: dict | None = None, title: str | None = None,
            next_step: tuple[str, str] | None = None):
    if wants_json():
        return problem(status, detail, errors, title)
    # 500 and 503 stand alone (they must render without the database); the rest share one page.
    page = f"errors/{status}.html" if status in (500, 503) else "errors/generic.html"
    return (
        render_template(page, status=status, title=title or TITLES.get(status, "Erreur"), detail=detail,
                        next_step=next_step),
        status,
    )


def register_error_handlers(app: Flask) -> None:
    from marketplace.extensions import db

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        errors = {error.field: [error.message]} if error.field else None
        return _render(error.status, error.message, errors, error.title, error.next_step)

    @app.errorhandler(ValidationError)
    def validation_error(error: ValidationError):
        return _render(422, "Certains champs sont invalides.", flatten_messages(error.normalized_messages()))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        detail = MESSAGES.get(status) or error.description
        if status == 400 and "CSRF" in (error.description or ""):
            detail = "Le formulaire a expiré ou n'est pas valide. Rechargez la page et réessayez."
        # webargs (the API's argument parsing) attaches the field errors to the exception.
        messages = (getattr(error, "data", None) or {}).get("messages")
        if status == 422 and messages:
            fields = {}
            for location in messages.values():  # {"json": {...}, "query": {...}}
                fields.update(flatten_messages(location) if isinstance(location, dict) else {"_schema": location})
            return _render(422, "Certains champs sont invalides.", fields)
        return _render(status, detail)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        # The database went away (restart, failover, network): say so, and let the pool
        # reconnect on a later request (pool_pre_ping) without restarting the application.
        log.warning("Database unavailable on %s %s: %s", request.method, request.path, error.orig)
        db.session.remove()
        response = make_response(_render(503, MESSAGES[503]))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)  # clients and proxies may try again then
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        from marketplace.request_log import current_request_id

        log.exception("Unhandled error on %s %s (request %s)", request.method, request.path, current_request_id())
        return _render(500, MESSAGES[500])


def flush_or_conflict(message: str) -> None:
    """Flush the session; a unique constraint that another transaction got to first (a
    double booking, a second registration, a replayed event...) becomes a Conflict with
    `message`, and the session stays usable."""
    from sqlalchemy.exc import IntegrityError

    from marketplace.extensions import db

    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(message) from None
