"""Input of the API keys' page."""

from marshmallow import validate

from marketplace.api.models import SCOPES
from marketplace.validation import BaseSchema, Many, Slug, Text


class ApiKeySchema(BaseSchema):
    name = Text(max_length=120, load_default=None)
    scopes = Many(Slug(allowed=SCOPES), validate=validate.Length(
        min=1, error="Choisissez les droits de la clé : lecture, et écriture si besoin."))
