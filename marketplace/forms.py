"""A marshmallow schema bound to one submission, for HTML forms and JSON bodies.

Routes use it as: `form = Form(Schema())`; `if form.validate_on_submit(): ...`.
The template gets the raw values back (to refill the form) and the errors per field.
"""

from typing import Any

from flask import request
from marshmallow import Schema, ValidationError

from marketplace.errors import DomainError, flatten_messages
from marketplace.validation import NOT_AN_OBJECT, displayable


def json_object() -> dict[str, Any]:
    """The request's JSON body, which must be an object (not null, a number, a text or a
    list, nor malformed): a 422 naming the body otherwise, before any field is read."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise DomainError(NOT_AN_OBJECT, "_schema")
    return body


class Form:
    def __init__(self, schema: Schema, initial: dict[str, Any] | None = None):
        self.schema = schema
        self.values: dict[str, Any] = dict(initial or {})
        self.errors: dict[str, list[str]] = {}
        self.data: dict[str, Any] = {}

    @property
    def status(self) -> int:
        """The HTTP status to render the form with: 422 when it holds errors."""
        return 422 if self.errors else 200

    def validate_on_submit(self) -> bool:
        """Load the submitted data; True when it is clean."""
        if request.method not in ("POST", "PUT", "PATCH"):
            return False
        raw = request.get_json(silent=True) if request.is_json else _form_data()
        if not isinstance(raw, dict):
            self.errors = {"_schema": [NOT_AN_OBJECT]}
            return False
        self.values.update(displayable(raw))
        try:
            self.data = self.schema.load(raw, unknown="exclude")
        except ValidationError as error:
            self.errors = flatten_messages(error.normalized_messages())
            return False
        return True

    def fail(self, error: DomainError) -> None:
        """Show a refused action as a message on the field at fault.

        An error about no field in particular (not allowed, conflict, ...) is raised
        again, so that it reaches the error page or JSON problem with its own status.
        """
        if error.field is None:
            raise error
        self.errors.setdefault(error.field, []).append(error.message)

    def refuse(self, error: DomainError) -> None:
        """Like `fail`, but a refusal about no field in particular (a business rule, a
        conflict) is shown as the form's general message; not allowed and not found
        still reach their own error page."""
        from marketplace.errors import NotAllowed, NotFound

        if error.field is None and not isinstance(error, NotAllowed | NotFound):
            self.errors.setdefault("_schema", []).append(error.message)
        else:
            self.fail(error)

    def error(self, field: str) -> str | None:
        messages = self.errors.get(field)
        return " ".join(messages) if messages else None

    def value(self, field: str, default: Any = "") -> Any:
        value = self.values.get(field, default)
        return "" if value is None else value


def rows_from_form(data: dict, prefix: str, keys: tuple[str, ...]) -> list[tuple[int, dict]]:
    """Rows sent as parallel form fields (`<prefix>_<key>` repeated): (position, values)
    for each row not left blank; the position finds a row's other fields."""
    def column(name):
        value = data.get(f"{prefix}_{name}") or []
        values = value if isinstance(value, list) else [value]
        return [v if isinstance(v, str) else "" for v in values]

    columns = {key: column(key) for key in keys}
    count = max((len(values) for values in columns.values()), default=0)
    rows = []
    for position in range(count):
        values = {key: (columns[key] + [""] * count)[position] for key in keys}
        if any(v.strip() for v in values.values()):
            rows.append((position, values))
    return rows


def _form_data() -> dict[str, Any]:
    """request.form as a dict, keeping lists for multi-valued fields."""
    data: dict[str, Any] = {}
    for key in request.form:
        if key == "csrf_token":
            continue
        values = request.form.getlist(key)
        data[key] = values if len(values) > 1 else values[0]
    return data


def form_response(form: Form, template: str, **context):
    """Answer a form that is not (yet) valid: field errors as JSON, or the page again."""
    from flask import render_template

    from marketplace.errors import problem, wants_json

    if form.errors and wants_json():
        return problem(422, "Certains champs sont invalides.", form.errors)
    return render_template(template, form=form, **context), form.status


def perform(action, back: str, success: str | None = None, dump=None, success_of=None):
    """Run a button's action and commit. A refused action (a business rule, a conflict)
    comes back as a message on the page it came from; JSON clients get the problem, or
    `dump(result)`. Not allowed and not found still reach their own error page. The
    message shown on success is `success`, or `success_of(result)`."""
    from flask import flash, redirect

    from marketplace.errors import DomainError, NotAllowed, NotFound, wants_json
    from marketplace.extensions import db

    try:
        result = action()
        db.session.commit()
    except (NotAllowed, NotFound):
        raise
    except DomainError as error:
        db.session.rollback()
        if wants_json():
            raise
        flash(error.message, "danger")
        return redirect(back)
    if wants_json():
        return dump(result) if dump else {"status": "ok"}
    if success or success_of:
        flash(success or success_of(result), "success")
    return redirect(back)


def sniff_dialect(text: str):
    """The CSV dialect of an uploaded file: `;` (French spreadsheets) or `,`; `;` when unsure."""
    import csv

    class Semicolon(csv.excel):
        delimiter = ";"

    try:
        return csv.Sniffer().sniff(text[:2048], delimiters=";,") if text.strip() else Semicolon
    except csv.Error:
        return Semicolon


def perform_form(schema: Schema, back: str, action, success: str | None = None, dump=None):
    """A small form posted from a page (a refund, a manual meeting...): invalid input is
    flashed back on that page (a 422 problem for JSON); valid input goes to `action(data)`
    through `perform`."""
    from flask import flash, redirect

    from marketplace.errors import problem, wants_json

    form = Form(schema)
    if not form.validate_on_submit():
        if wants_json():
            return problem(422, "Certains champs sont invalides.", form.errors)
        flash(" ".join(form.error(field) for field in form.errors), "danger")
        return redirect(back)
    return perform(lambda: action(form.data), back, success, dump)


def csv_import(do_import) -> tuple[Any, str | None]:
    """A posted CSV file (`file`, with a `dry_run` box) given to `do_import(content,
    dry_run)`, committed. Returns (its report, None), or (None, the message to show)
    for an empty, non-UTF-8 or refused file, with nothing changed."""
    from marketplace.extensions import db

    upload = request.files.get("file")
    try:
        content = upload.read().decode("utf-8-sig") if upload else ""
        if not content.strip():
            raise DomainError("Choisissez un fichier CSV non vide.", "file")
        report = do_import(content, bool(request.form.get("dry_run")))
        db.session.commit()
        return report, None
    except UnicodeDecodeError:
        return None, "Le fichier doit être un CSV encodé en UTF-8."
    except DomainError as failure:
        db.session.rollback()
        return None, failure.message


def csv_import_json(report, error: str | None, **extra):
    """A CSV import's answer to a JSON client: its lines, or a 422 naming the file."""
    from marketplace.errors import problem

    if error:
        return problem(422, error, {"file": [error]})
    return {**extra, "lines": [line.__dict__ for line in report]}


def safe_next(default: str) -> str:
    """Where to go after a form: the `next` it carries when that is a path of this site
    (never another site's address), else `default`."""
    from urllib.parse import urlsplit

    target = request.args.get("next") or request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and not urlsplit(target).netloc:
        return target
    return default


def submitted_rows(values: dict, key: str) -> list[dict]:
    """The rows a JSON client sent under `key` (a list of objects), to show back in the
    form; anything else it sent there shows as no rows (validation says what is wrong)."""
    rows = values.get(key)
    return [dict(row) for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
