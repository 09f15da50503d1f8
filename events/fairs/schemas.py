"""Input and output of fairs and registrations (HTML forms and JSON alike)."""

import re

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from events.fairs.models import FairMode, ParticipantRole
from marketplace.forms import rows_from_form
from marketplace.validation import (
    BaseSchema,
    Checkbox,
    Choice,
    ClockTime,
    Count,
    Day,
    Email,
    Euros,
    Many,
    ParisDateTime,
    Text,
    UtcDateTime,
)

MAX_SESSIONS = 12
MAX_TABLES = 500
BREAK_PATTERN = re.compile(r"^\s*(\d{1,2}[:h]\d{2})\s*[-–à]+\s*(\d{1,2}[:h]\d{2})\s*(.*)$")


def form_rows(data: dict, prefix: str, keys: tuple[str, ...]) -> list[dict]:
    """The non-blank rows of parallel form fields, as dicts."""
    return [values for _position, values in rows_from_form(data, prefix, keys)]


def breaks_from_text(text: str) -> list[dict]:
    """"12:30-14:00 Déjeuner; 16:00-16:15" as break objects (unparsable parts are kept
    whole, so that validation names them)."""
    breaks = []
    for part in re.split(r"[;\n]", text or ""):
        if not part.strip():
            continue
        match = BREAK_PATTERN.match(part)
        if match:
            starts, ends, label = match.groups()
            breaks.append({"starts": starts.replace("h", ":").zfill(5), "ends": ends.replace("h", ":").zfill(5),
                           "label": label.strip() or "Pause"})
        else:
            breaks.append({"starts": part.strip(), "ends": "", "label": ""})
    return breaks


class BreakSchema(BaseSchema):
    starts = ClockTime(required=True)
    ends = ClockTime(required=True)
    label = Text(max_length=120, load_default="Pause")

    @validates_schema
    def in_order(self, data, **kwargs):
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            raise ValidationError("Une pause finit après avoir commencé.", "ends")


class SessionSchema(BaseSchema):
    name = Text(max_length=120, load_default=None)
    day = Day(required=True)
    starts = ClockTime(required=True)
    ends = ClockTime(required=True)
    slot_minutes = Count(minimum=5, maximum=240, required=True)
    pause_minutes = Count(minimum=0, maximum=120, load_default=0)
    breaks = fields.List(fields.Nested(BreakSchema), load_default=list)
    online = Checkbox()  # held by video: its meetings take no table

    @pre_load
    def from_form(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("breaks"), str):
            data = {**data, "breaks": breaks_from_text(data["breaks"])}
        if isinstance(data, dict) and data.get("online") == "":  # the form's "sur place"
            data = {key: value for key, value in data.items() if key != "online"}
        return data

    @validates_schema
    def in_order(self, data, **kwargs):
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            raise ValidationError("La session doit finir après son début.", "ends")


class FairSchema(BaseSchema):
    name = Text(required=True, min_length=3, max_length=200)
    venue = Text(required=True, max_length=200)
    city = Text(required=True, max_length=120)
    address = Text(max_length=255, load_default=None)
    description = Text(max_length=10000, load_default=None)
    starts_on = Day(required=True)
    ends_on = Day(required=True)
    registration_opens_at = ParisDateTime(required=True)
    registration_closes_at = ParisDateTime(required=True)
    cancellation_deadline = ParisDateTime(load_default=None, allow_none=True)
    mode = Choice(FairMode, load_default=FairMode.REQUESTS)
    roles = Many(Choice(ParticipantRole), required=True, validate=validate.Length(
        min=1, error="Choisissez au moins un type de participant."))
    max_participants = Count(minimum=2, load_default=None, allow_none=True)
    max_requests = Count(minimum=1, maximum=200, load_default=15)
    max_meetings = Count(minimum=1, maximum=100, load_default=10)
    max_in_a_row = Count(minimum=1, maximum=50, load_default=None, allow_none=True)
    hold_accepted = Checkbox()
    reminder_minutes = Count(minimum=5, maximum=24 * 60, load_default=None, allow_none=True)
    auto_wishes_below = Count(minimum=1, maximum=200, load_default=None, allow_none=True)
    table_count = Count(minimum=1, maximum=MAX_TABLES, required=True)
    table_names = Many(Text(max_length=120))
    fee_buyer = Euros(load_default=None, allow_none=True, maximum_euros=100000)
    fee_supplier = Euros(load_default=None, allow_none=True, maximum_euros=100000)
    fee_consortium = Euros(load_default=None, allow_none=True, maximum_euros=100000)
    fee_partner = Euros(load_default=None, allow_none=True, maximum_euros=100000)
    sessions = fields.List(fields.Nested(SessionSchema), required=True, validate=validate.Length(
        min=1, max=MAX_SESSIONS, error=f"Entre 1 et {MAX_SESSIONS} sessions de rendez-vous."),
        error_messages={"required": "Ajoutez au moins une session de rendez-vous."})

    @pre_load
    def from_form(self, data, **kwargs):
        data = dict(data)
        if "sessions" not in data and data.get("session_day"):
            data["sessions"] = form_rows(
                data, "session", ("name", "day", "starts", "ends", "slot_minutes", "pause_minutes", "breaks", "online"))
        if isinstance(data.get("table_names"), str):
            data["table_names"] = [line for line in data["table_names"].splitlines() if line.strip()]
        return data

    @validates_schema
    def consistent(self, data, **kwargs):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("Le salon finit après avoir commencé.", "ends_on")
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        if opens and closes and closes <= opens:
            raise ValidationError("La clôture des inscriptions suit leur ouverture.", "registration_closes_at")
        if len(data.get("table_names") or []) > (data.get("table_count") or 0):
            raise ValidationError("Plus de noms de tables que de tables.", "table_names")
        for index, session in enumerate(data.get("sessions") or []):
            if data.get("starts_on") and data.get("ends_on") and not (
                    data["starts_on"] <= session["day"] <= data["ends_on"]):
                raise ValidationError(f"La session {index + 1} doit avoir lieu pendant le salon.", "sessions")


class TalkSchema(BaseSchema):
    title = Text(required=True, max_length=200)
    speakers = Text(max_length=255, load_default=None)
    room = Text(required=True, max_length=120)
    starts_at = ParisDateTime(required=True)
    ends_at = ParisDateTime(required=True)

    @validates_schema
    def in_order(self, data, **kwargs):
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ValidationError("L'intervention finit après avoir commencé.", "ends_at")


class StandSchema(BaseSchema):
    name = Text(required=True, max_length=120)
    holder = Text(max_length=200, load_default=None)


class OrganiserSchema(BaseSchema):
    email = Email(required=True)


class AttendeeSchema(BaseSchema):
    """A person who will be at the fair for the participant."""

    name = Text(required=True, max_length=200)
    email = Email(load_default=None, allow_none=True)
    job_title = Text(max_length=120, load_default=None)


class RegistrationSchema(BaseSchema):
    """What a participant tells the fair: the organisation is chosen by the route."""

    pitch = Text(required=True, min_length=10, max_length=2000)
    sector_ids = Many(Count(minimum=1), data_key="sectors")
    session_ids = Many(Count(minimum=1), data_key="sessions", required=True, validate=validate.Length(
        min=1, error="Choisissez au moins une session."))
    max_meetings = Count(minimum=1, maximum=100, required=True)
    max_in_a_row = Count(minimum=1, maximum=50, load_default=None, allow_none=True)
    unavailable_slot_ids = Many(Count(minimum=1), data_key="unavailable",
                                validate=validate.Length(max=500, error="500 créneaux au plus."))
    contact_email = Email(required=True)
    contact_phone = Text(max_length=30, load_default=None)
    attendees = fields.List(fields.Nested(AttendeeSchema), load_default=list,
                            validate=validate.Length(max=20, error="20 personnes au plus."))

    @pre_load
    def from_form(self, data, **kwargs):
        data = dict(data)
        if "attendees" not in data and data.get("attendee_name"):
            data["attendees"] = form_rows(data, "attendee", ("name", "email", "job_title"))
        return data


class PartnerRegistrationSchema(RegistrationSchema):
    name = Text(required=True, max_length=200)


class ParticipantSearchSchema(BaseSchema):
    q = Text(max_length=100, load_default=None)
    role = Choice(ParticipantRole, load_default=None, allow_none=True)
    sector = Count(minimum=1, load_default=None, allow_none=True)
    region = Text(max_length=3, load_default=None)
    kind = Text(max_length=20, load_default=None)
    page = Count(minimum=1, maximum=10000, load_default=1)


class ImportSchema(BaseSchema):
    dry_run = Checkbox()



class FairOut(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    venue = fields.String()
    city = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    registration_opens_at = UtcDateTime()
    registration_closes_at = UtcDateTime()
    mode = fields.Function(lambda fair: fair.mode.value)
    roles = fields.Function(lambda fair: [role.value for role in fair.allowed_roles])
    tables = fields.Function(lambda fair: len(fair.tables))
    sessions = fields.Function(lambda fair: [
        {"id": s.id, "name": s.name, "day": s.day.isoformat(), "starts": s.starts.strftime("%H:%M"),
         "ends": s.ends.strftime("%H:%M"), "slots": len(s.slots)} for s in fair.sessions])
    programme_published_at = UtcDateTime()


class ParticipantOut(BaseSchema):
    id = fields.Integer()
    fair_id = fields.Integer()
    name = fields.String()
    role = fields.Function(lambda p: p.role.value)
    role_label = fields.Function(lambda p: p.role.label)
    status = fields.Function(lambda p: p.status.value)
    pitch = fields.String()
    region_code = fields.String()
    supplier_id = fields.Integer()
    max_meetings = fields.Integer()
    sectors = fields.Function(lambda p: [s.id for s in p.sectors])
    sessions = fields.Function(lambda p: [s.id for s in p.sessions])
