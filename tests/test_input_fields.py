"""One rule per kind of input field, everywhere: every schema that reads a request uses
the bounded field types of marketplace.validation (text with a length and no NUL,
integers within the database's range, dates within 1900-2200), never a bare marshmallow
field whose bounds are nobody's."""

import marshmallow
from marshmallow import fields

from marketplace import validation
from marketplace.app import create_app

# Bare marshmallow fields that cannot hold a value the database refuses, or that only
# structure other fields (whose own types are checked).
STRUCTURAL = (fields.List, fields.Nested, fields.Dict, fields.Boolean, fields.Enum, fields.Function, fields.Method,
              fields.Constant, fields.Pluck)
BOUNDED = (validation.Text, validation.Count, validation.Email, validation.Siret, validation.Postcode, validation.Slug,
           validation.Password, validation.Euros, validation.Percent, validation.Day, validation.ParisDateTime,
           validation.ClockTime, validation.WebAddress, validation.Choice)


OUTPUT_ONLY = {"BaseSchema", "CreatedSubscription", "OffersByLot", "CodeLabel"}


def input_schemas() -> list[type[marshmallow.Schema]]:
    """Every schema class of the application that loads input: the API's argument
    schemas and every BaseSchema (output-only schemas are named ...Out or ...Page)."""
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})  # imports every area
    found, stack = [], [marshmallow.Schema]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        module = cls.__module__
        if not module.startswith(("marketplace", "events")) or cls.__name__.endswith(("Out", "Page", "Problem")):
            continue
        if cls.__name__ in OUTPUT_ONLY:
            continue
        found.append(cls)
    return found


def unbounded(field: fields.Field, path: str) -> list[str]:
    if field is None or field.dump_only:
        return []
    if isinstance(field, fields.List):
        return unbounded(field.inner, path + "[]")
    if isinstance(field, fields.Dict):
        if field.key_field is None or field.value_field is None:
            return [f"{path}: a Dict of anything"]
        return unbounded(field.key_field, path + "{key}") + unbounded(field.value_field, path + "{value}")
    if isinstance(field, BOUNDED) or isinstance(field, STRUCTURAL) or type(field).__name__ == "Upload":
        return []
    if isinstance(field, fields.String) and any(isinstance(v, marshmallow.validate.OneOf | marshmallow.validate.Regexp)
                                                for v in field.validators):
        return []  # a closed set of short values
    return [f"{path}: {type(field).__name__}"]


def test_every_input_field_is_bounded():
    problems = []
    schemas = input_schemas()
    assert len(schemas) > 40
    for schema_class in schemas:
        schema = schema_class()
        for name, field in schema.load_fields.items():
            problems += unbounded(field, f"{schema_class.__module__}.{schema_class.__name__}.{name}")
    assert not problems, "\n".join(problems)


def test_rows_sent_as_json_that_are_not_objects_are_refused_not_a_server_error(app, client, login, buyer,
                                                                              make_user):
    """Forms with rows (a need's lots, a fair's sessions) read them back for the page even
    when a JSON client sent a number or a list of strings there (found by hypothesis)."""
    login(client, buyer)
    for body in ({"lots": 1}, {"lots": [1, "x"]}, {"lots": {"title": "x"}}):
        response = client.post("/besoins/nouveau", json=body, headers={"Accept": "application/json"})
        assert response.status_code == 422, body
    organiser = app.test_client()
    login(organiser, make_user(role="organiser", email="orga@salon.fr"))
    for body in ({"sessions": 1}, {"sessions": ["x"]}):
        response = organiser.post("/salons/nouveau", json=body, headers={"Accept": "application/json"})
        assert response.status_code == 422, body
