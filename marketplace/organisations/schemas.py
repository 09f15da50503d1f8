"""Input and output of buyer organisations."""

from marshmallow import fields

from marketplace.organisations.models import OrganisationKind, SizeClass
from marketplace.validation import BaseSchema, Choice, Postcode, Siret, Text, UtcDateTime


class OrganisationSchema(BaseSchema):
    name = Text(required=True, max_length=200)
    siret = Siret(required=True)
    kind = Choice(OrganisationKind, required=True)
    size_class = Choice(SizeClass, required=True)
    sector = Text(required=True, max_length=120)
    address = Text(required=True, max_length=255)
    postcode = Postcode(required=True)
    city = Text(required=True, max_length=120)


class JoinRequestSchema(BaseSchema):
    message = Text(max_length=1000, load_default=None)


class OrganisationOut(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    siret = fields.String()
    siren = fields.String()
    kind = fields.Enum(OrganisationKind, by_value=True)
    size_class = fields.Enum(SizeClass, by_value=True)
    sector = fields.String()
    address = fields.String()
    postcode = fields.String()
    city = fields.String()


class MembershipOut(BaseSchema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    user_id = fields.Integer()
    status = fields.Function(lambda m: m.status.value)
    requested_at = UtcDateTime()
    decided_at = UtcDateTime()
