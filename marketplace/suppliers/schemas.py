"""Input and output of supplier profiles, activities and references."""


from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from marketplace.suppliers.models import GeoRange, ZoneType
from marketplace.suppliers.taxonomy import LABELS, NETWORKS, ServiceKind, SupplierKind
from marketplace.validation import (
    BaseSchema,
    Choice,
    Count,
    Email,
    Many,
    Postcode,
    Siret,
    Slug,
    Text,
    UtcDateTime,
    WebAddress,
)

SERVICE_SLUGS = {kind.slug: kind for kind in ServiceKind}
ZONE_PATTERN = r"^(region|department|commune):[0-9AB]{2,5}$"


class SupplierSchema(BaseSchema):
    name = Text(required=True, max_length=200)
    brand = Text(max_length=200, load_default=None)
    siret = Siret(required=True)
    kind = Choice(SupplierKind, allowed=[k for k in SupplierKind if k != SupplierKind.CONSORTIUM], required=True)
    legal_form = Text(max_length=80, load_default=None)
    description = Text(max_length=5000, load_default=None)
    address = Text(max_length=255, load_default=None)
    postcode = Postcode(required=True)
    city = Text(required=True, max_length=120)
    email = Email(load_default=None, allow_none=True)
    phone = Text(max_length=30, load_default=None)
    website = Text(max_length=255, load_default=None)
    logo_url = WebAddress(load_default=None, allow_none=True)
    permanent_staff = Count(maximum=100_000, load_default=None, allow_none=True)
    insertion_staff = Count(maximum=100_000, load_default=None, allow_none=True)
    turnover_euros = Count(maximum=10**11, load_default=None, allow_none=True)
    labels = Many(Slug(allowed=LABELS))
    networks = Many(Slug(allowed=NETWORKS))

    @post_load
    def to_cents(self, data, **kwargs):
        euros = data.pop("turnover_euros", None)
        data["turnover_cents"] = None if euros is None else euros * 100
        return data


class SupplierUpdateSchema(SupplierSchema):
    """Editing a profile: the SIRET identifies the listing and does not change."""

    class Meta:
        exclude = ("siret",)


class ConsortiumSchema(SupplierSchema):
    class Meta:
        exclude = ("kind",)


class ActivitySchema(BaseSchema):
    sector_id = Count(minimum=1, required=True)
    service_kinds = Many(Slug(allowed=SERVICE_SLUGS), validate=validate.Length(
        min=1, error="Choisissez au moins un type de prestation."), required=True)
    geo_range = Choice(GeoRange, required=True)
    radius_km = Count(minimum=1, maximum=1000, load_default=None, allow_none=True)
    zones = Many(fields.String(validate=validate.Regexp(ZONE_PATTERN, error="Zone invalide.")))
    # Communes by name (as suggested: "Grasse (06)"), postcode or INSEE code, separated by
    # commas; resolved by the service (suppliers.services.save_activity).
    communes = Text(max_length=2000, load_default=None)

    @validates_schema
    def check_range(self, data, **kwargs):
        if data.get("geo_range") == GeoRange.RADIUS and not data.get("radius_km"):
            raise ValidationError("Indiquez le rayon d'intervention en kilomètres.", "radius_km")
        if data.get("geo_range") == GeoRange.ZONES and not (data.get("zones") or data.get("communes")):
            raise ValidationError("Choisissez au moins une zone.", "zones")

    @post_load
    def convert(self, data, **kwargs):
        mask = 0
        for slug in data["service_kinds"]:
            mask |= SERVICE_SLUGS[slug]
        data["service_kinds"] = int(mask)
        data["zones"] = [(ZoneType(z.split(":")[0]), z.split(":")[1]) for z in data.get("zones", [])]
        data["communes"] = data.get("communes") or ""
        return data


class ReferenceSchema(BaseSchema):
    client = Text(required=True, max_length=200)
    description = Text(required=True, max_length=2000)
    year = Count(minimum=1950, maximum=2100, required=True)


class SiretSchema(BaseSchema):
    siret = Siret(required=True)


class SupplierOut(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    brand = fields.String()
    siret = fields.String()
    siren = fields.String()
    kind = fields.Function(lambda s: s.kind.value)
    kind_label = fields.Function(lambda s: s.kind.label)
    description = fields.String()
    postcode = fields.String()
    city = fields.String()
    department = fields.String(attribute="department_code")
    region = fields.String(attribute="region_code")
    latitude = fields.Float()
    longitude = fields.Float()
    email = fields.String()
    phone = fields.String()
    website = fields.String()
    permanent_staff = fields.Integer()
    insertion_staff = fields.Integer()
    labels = fields.List(fields.String())
    networks = fields.List(fields.String())
    completion = fields.Integer()
    updated_at = UtcDateTime()
    activities = fields.Function(lambda s: [
        {"sector": a.sector.slug, "sector_name": a.sector.name,
         "service_kinds": [k.slug for k in ServiceKind if a.service_kinds & k],
         "geo_range": a.geo_range.value, "radius_km": a.radius_km,
         "zones": [f"{z.zone_type.value}:{z.code}" for z in a.zones]}
        for a in s.activities
    ])
