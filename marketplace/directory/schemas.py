"""Search criteria, from the query string of the page or of the JSON endpoint."""

from marshmallow import ValidationError, fields, post_load, pre_load, validate, validates

from marketplace.extensions import db
from marketplace.geography.models import Department, Region
from marketplace.suppliers.schemas import SERVICE_SLUGS
from marketplace.suppliers.search import HEADCOUNT_BANDS, SORTS, TURNOVER_BANDS
from marketplace.suppliers.sector_lookup import sector_slug_known
from marketplace.suppliers.taxonomy import LABELS, NETWORKS, SupplierKind
from marketplace.validation import BaseSchema, Checkbox, Choice, Count, Many, Slug, Text

PLACE_CODE = validate.Regexp(r"^[0-9AB]{2,5}$", error="Code invalide.")


class SearchSchema(BaseSchema):
    q = Text(max_length=200, load_default=None)
    sector = Many(Slug())
    group = Many(Slug())
    kind = Many(Choice(SupplierKind))
    service = Many(Slug(allowed=SERVICE_SLUGS))
    department = fields.String(validate=PLACE_CODE, load_default=None)
    region = fields.String(validate=PLACE_CODE, load_default=None)
    commune = Text(max_length=100, load_default=None)  # a name or a postcode, as typed
    insee = fields.String(validate=validate.Regexp(r"^(\d{5}|2[AB]\d{3})$", error="Code INSEE à 5 caractères."),
                          load_default=None, metadata={"description": "Une commune par son code INSEE."})
    within_km = Count(minimum=1, maximum=1000, load_default=None, allow_none=True)
    label = Many(Slug(allowed=LABELS))
    network = Many(Slug(allowed=NETWORKS))
    in_consortium = Checkbox()
    headcount = fields.String(validate=validate.OneOf(list(HEADCOUNT_BANDS)), load_default=None)
    turnover = fields.String(validate=validate.OneOf(list(TURNOVER_BANDS)), load_default=None)
    sort = fields.String(validate=validate.OneOf(SORTS), load_default=None)
    page = Count(minimum=1, maximum=10_000, load_default=1)
    per_page = Count(minimum=1, maximum=100, load_default=20)

    @pre_load
    def drop_empty(self, data, **kwargs):
        """A form sends its empty fields too: an empty criterion is no criterion."""
        return {key: value for key, value in data.items() if value not in ("", None, [])}

    @validates("sector")
    def known_sectors(self, slugs, **kwargs):
        unknown = [slug for slug in slugs if not sector_slug_known(slug)]
        if unknown:
            raise ValidationError(f"Secteur inconnu : {', '.join(unknown)}.")

    @validates("group")
    def known_groups(self, slugs, **kwargs):
        unknown = [slug for slug in slugs if not sector_slug_known(slug, group=True)]
        if unknown:
            raise ValidationError(f"Famille de secteurs inconnue : {', '.join(unknown)}.")

    @validates("department")
    def known_department(self, code, **kwargs):
        if code is not None and db.session.get(Department, code) is None:
            raise ValidationError("Département inconnu.")

    @validates("region")
    def known_region(self, code, **kwargs):
        if code is not None and db.session.get(Region, code) is None:
            raise ValidationError("Région inconnue.")

    @post_load
    def to_criteria(self, data, **kwargs):
        mask = 0
        for slug in data.pop("service"):
            mask |= SERVICE_SLUGS[slug]
        return {
            "q": data["q"],
            "sectors": data["sector"],
            "sector_groups": data["group"],
            "kinds": data["kind"],
            "service_kinds": int(mask),
            "department": data["department"],
            "region": data["region"],
            "commune": data["commune"],
            "insee": data["insee"],
            "within_km": data["within_km"],
            # A commune alone asks "who serves this place"; with a distance, "who is near it".
            "serves_commune": bool(data["commune"] or data["insee"]) and not data["within_km"],
            "labels": data["label"],
            "networks": data["network"],
            "in_consortium": data["in_consortium"],
            "headcount": data["headcount"],
            "turnover": data["turnover"],
            "sort": data["sort"],
            "page": data["page"],
            "per_page": data["per_page"],
            **{key: data[key] for key in ("cursor", "limit") if key in data},  # the API's paging
        }
