"""Input of needs (HTML form or JSON) and their JSON shape."""

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from marketplace.forms import rows_from_form
from marketplace.needs.models import AnswerMode, NeedArea, NeedKind
from marketplace.suppliers.schemas import SERVICE_SLUGS
from marketplace.suppliers.taxonomy import SupplierKind
from marketplace.timeutil import utcnow
from marketplace.validation import (
    BaseSchema,
    Checkbox,
    Choice,
    Count,
    Day,
    Euros,
    Many,
    ParisDateTime,
    Slug,
    Text,
    UtcDateTime,
)

MAX_LOTS = 20
MAX_QUESTIONS = 20
DEPARTMENT_CODE = validate.Regexp(r"^(\d{2,3}|2[AB])$", error="Département invalide.")
REGION_CODE = validate.Regexp(r"^\d{2}$", error="Région invalide.")


def _check_budget(data: dict, prefix: str = "") -> None:
    low, high = data.get("budget_min_cents"), data.get("budget_max_cents")
    if low is not None and high is not None and low > high:
        raise ValidationError("Le budget maximum doit être supérieur ou égal au minimum.", f"{prefix}budget_max")


class LotSchema(BaseSchema):
    title = Text(required=True, max_length=200)
    description = Text(max_length=5000, load_default=None)
    budget_min_cents = Euros(data_key="budget_min", load_default=None, allow_none=True)
    budget_max_cents = Euros(data_key="budget_max", load_default=None, allow_none=True)
    sector_ids = Many(Count(minimum=1), data_key="sectors")

    @validates_schema
    def budget_in_order(self, data, **kwargs):
        _check_budget(data)


def lots_from_form(data: dict) -> list[dict]:
    """The lot rows of the HTML form (parallel fields lot_title, lot_budget_min, ...;
    lot_sectors_<row>), without the rows left blank."""
    return [{**values, "sectors": data.get(f"lot_sectors_{position}", [])}
            for position, values in rows_from_form(data, "lot", ("title", "description", "budget_min", "budget_max"))]


def questions_from_form(data: dict) -> dict:
    """The form's questions textarea (one per line) as a list, like JSON sends it."""
    data = dict(data)
    if isinstance(data.get("questions"), str):
        data["questions"] = [line for line in data["questions"].splitlines() if line.strip()]
    return data


class NeedSchema(BaseSchema):
    kind = Choice(NeedKind, required=True)
    title = Text(required=True, min_length=5, max_length=200)
    description = Text(required=True, max_length=20_000)
    sector_ids = Many(Count(minimum=1), data_key="sectors")
    service_kinds = Many(Slug(allowed=SERVICE_SLUGS))
    wanted_kinds = Many(Choice(SupplierKind))
    area = Choice(NeedArea, required=True)
    commune = Text(max_length=100, load_default=None)
    radius_km = Count(minimum=0, maximum=500, load_default=None, allow_none=True)
    departments = Many(fields.String(validate=DEPARTMENT_CODE))
    regions = Many(fields.String(validate=REGION_CODE))
    budget_min_cents = Euros(data_key="budget_min", load_default=None, allow_none=True)
    budget_max_cents = Euros(data_key="budget_max", load_default=None, allow_none=True)
    budget_visible = Checkbox()
    deadline = ParisDateTime(load_default=None, allow_none=True)
    start_date = Day(load_default=None, allow_none=True)
    social_clause = Checkbox()
    insertion_hours = Count(minimum=0, maximum=1_000_000, load_default=None, allow_none=True)
    answer_mode = Choice(AnswerMode, load_default=AnswerMode.PLATFORM)
    answer_instructions = Text(max_length=2000, load_default=None)
    show_contact = Checkbox()
    is_public = Checkbox()
    questions = Many(Text(max_length=1000), validate=validate.Length(
        max=MAX_QUESTIONS, error=f"{MAX_QUESTIONS} questions au plus."))
    lots = fields.List(fields.Nested(LotSchema), load_default=list, validate=validate.Length(
        max=MAX_LOTS, error=f"{MAX_LOTS} lots au plus."))

    @pre_load
    def from_form(self, data, **kwargs):
        data = questions_from_form(data)
        if "lots" not in data and data.get("lot_title"):
            data["lots"] = lots_from_form(data)
        return data

    @validates_schema
    def consistent(self, data, **kwargs):
        _check_budget(data)
        if data.get("area") == NeedArea.COMMUNE and not data.get("commune"):
            raise ValidationError("Indiquez la commune (nom, code postal ou code INSEE).", "commune")
        if data.get("area") == NeedArea.ZONES and not (data.get("departments") or data.get("regions")):
            raise ValidationError("Choisissez au moins un département ou une région.", "departments")
        if data.get("answer_mode") == AnswerMode.EXTERNAL and not data.get("answer_instructions"):
            raise ValidationError("Indiquez comment vous répondre (e-mail, téléphone ou lien).",
                                  "answer_instructions")
        if data.get("deadline") is not None and data["deadline"] <= utcnow():
            raise ValidationError("La date limite de réponse doit être dans le futur.", "deadline")
        if data.get("social_clause") and not data.get("insertion_hours"):
            raise ValidationError("Indiquez le nombre d'heures d'insertion demandées.", "insertion_hours")


def blank_need_data(**fields) -> dict:
    """The data of a need as NeedSchema loads it, every field empty but for `fields`:
    what services.create_need takes from the CLI, demo data and benchmarks."""
    data = {"kind": NeedKind.CONSULTATION, "title": "", "description": "", "sector_ids": [], "service_kinds": [],
            "wanted_kinds": [], "area": NeedArea.FRANCE, "commune": None, "radius_km": None, "departments": [],
            "regions": [], "budget_min_cents": None, "budget_max_cents": None, "budget_visible": False,
            "deadline": None, "start_date": None, "social_clause": False, "insertion_hours": None,
            "answer_mode": AnswerMode.PLATFORM, "answer_instructions": None, "show_contact": True,
            "is_public": False, "questions": [], "lots": []}
    data.update(fields)
    return data


class RejectionSchema(BaseSchema):
    reason = Text(required=True, min_length=5, max_length=2000)


class CancellationSchema(BaseSchema):
    reason = Text(max_length=2000, load_default=None)


class QuoteRequestSchema(BaseSchema):
    """A quote request sent straight to chosen suppliers (from a supplier page or a favourite list)."""

    title = Text(required=True, min_length=5, max_length=200)
    description = Text(required=True, max_length=20_000)
    budget_min_cents = Euros(data_key="budget_min", load_default=None, allow_none=True)
    budget_max_cents = Euros(data_key="budget_max", load_default=None, allow_none=True)
    budget_visible = Checkbox()
    deadline = ParisDateTime(required=True)
    start_date = Day(load_default=None, allow_none=True)
    show_contact = Checkbox()
    questions = Many(Text(max_length=1000), validate=validate.Length(max=MAX_QUESTIONS))
    supplier_ids = Many(Count(minimum=1), data_key="suppliers",
                        validate=validate.Length(max=500, error="500 structures au plus."))

    @pre_load
    def from_form(self, data, **kwargs):
        return questions_from_form(data)

    @validates_schema
    def consistent(self, data, **kwargs):
        _check_budget(data)
        if data.get("deadline") is not None and data["deadline"] <= utcnow():
            raise ValidationError("La date limite de réponse doit être dans le futur.", "deadline")


class NeedOut(BaseSchema):
    id = fields.Int()
    kind = fields.Function(lambda need: need.kind.value)
    status = fields.Function(lambda need: need.status.value)
    title = fields.Str()
    description = fields.Str()
    sectors = fields.Function(lambda need: [s.slug for s in need.all_sectors])
    area = fields.Function(lambda need: need.area.value)
    commune = fields.Function(lambda need: need.commune_code)
    radius_km = fields.Int()
    departments = fields.Function(lambda need: need.departments)
    regions = fields.Function(lambda need: need.regions)
    deadline = UtcDateTime()
    start_date = fields.Date()
    social_clause = fields.Bool()
    insertion_hours = fields.Int()
    lots = fields.Function(lambda need: [{"id": lot.id, "title": lot.title} for lot in need.lots])
    questions = fields.Function(lambda need: [q.text for q in need.questions])
    published_at = UtcDateTime()
