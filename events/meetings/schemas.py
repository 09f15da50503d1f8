"""Input of meeting requests, manual programme changes, the day and feedback."""

from datetime import timedelta

from marshmallow import ValidationError, fields, post_load, validates_schema

from marketplace.timeutil import utcnow
from marketplace.validation import BaseSchema, Checkbox, Count, ParisDateTime, Text, UtcDateTime


class MeetingRequestSchema(BaseSchema):
    message = Text(max_length=1000, load_default=None)
    priority = Count(minimum=1, maximum=3, load_default=2)


PICK_A_PARTICIPANT = "Choisissez un participant de la liste (son numéro)."


class PairSchema(BaseSchema):
    a = Count(minimum=1, required=True, invalid=PICK_A_PARTICIPANT)
    b = Count(minimum=1, required=True, invalid=PICK_A_PARTICIPANT)

    @validates_schema
    def different(self, data, **kwargs):
        if data.get("a") and data.get("a") == data.get("b"):
            raise ValidationError("Choisissez deux participants différents.", "b")


class PlaceSchema(BaseSchema):
    slot = Count(minimum=1, required=True)
    table = Count(minimum=1, load_default=None, allow_none=True)


class ManualMeetingSchema(PairSchema, PlaceSchema):
    pass


class OnlineSchema(BaseSchema):
    online = Checkbox()


class StandSchema(BaseSchema):
    """A stand given (a table number) or taken back (no table)."""

    participant = Count(minimum=1, required=True)
    table = Count(minimum=1, maximum=100000, load_default=None, allow_none=True)


class NoShowSchema(BaseSchema):
    absent = Count(minimum=1, required=True)


class LockSchema(BaseSchema):
    locked = Checkbox()


class FeedbackSchema(BaseSchema):
    rating = Count(minimum=1, maximum=5, required=True)
    follow_up = Checkbox()
    comment = Text(max_length=2000, load_default=None)
    ask_quote = Checkbox()
    quote_title = Text(max_length=200, load_default=None)
    quote_description = Text(max_length=20_000, load_default=None)
    quote_deadline = ParisDateTime(load_default=None, allow_none=True)

    @validates_schema
    def quote_complete(self, data, **kwargs):
        if not data.get("ask_quote"):
            return
        if not data.get("quote_title") or len(data["quote_title"]) < 5:
            raise ValidationError("Donnez un titre à la demande de devis (5 caractères au moins).", "quote_title")
        if not data.get("quote_description"):
            raise ValidationError("Décrivez ce que vous attendez du devis.", "quote_description")
        if data.get("quote_deadline") and data["quote_deadline"] <= utcnow():
            raise ValidationError("La date limite de réponse doit être dans le futur.", "quote_deadline")

    @post_load
    def quote_request(self, data, **kwargs):
        if data.get("ask_quote"):
            data["quote_request"] = {"title": data["quote_title"], "description": data["quote_description"],
                                     "deadline": data.get("quote_deadline") or utcnow() + timedelta(days=14)}
        return data


class CheckInSchema(BaseSchema):
    present = Checkbox()


class MeetingRequestOut(BaseSchema):
    id = fields.Integer()
    requester_id = fields.Integer()
    recipient_id = fields.Integer()
    priority = fields.Integer()
    message = fields.String()
    status = fields.Function(lambda r: r.status.value)
    must_meet = fields.Boolean()


class MeetingOut(BaseSchema):
    id = fields.Integer()
    a_id = fields.Integer()
    b_id = fields.Integer()
    starts_at = UtcDateTime(attribute="slot.starts_at")
    ends_at = UtcDateTime(attribute="slot.ends_at")
    slot_id = fields.Integer()
    table = fields.Function(lambda m: {"id": m.table_id, "number": m.table.number, "name": m.table.name}
                            if m.table is not None else None)
    video_url = fields.String()
    status = fields.Function(lambda m: m.status.value)
    locked = fields.Boolean()
    published = fields.Function(lambda m: m.published_at is not None)
