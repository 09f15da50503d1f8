"""Input of interest and offers (HTML form or JSON)."""

from marshmallow import ValidationError, fields, pre_load, validate, validates

from marketplace.offers.models import VAT_RATES
from marketplace.validation import BaseSchema, Checkbox, Count, Day, Euros, Identifier, Many, Text


class InterestSchema(BaseSchema):
    interested = Checkbox()
    reason = Text(max_length=1000, load_default=None)


class NotInterestedSchema(BaseSchema):
    reason = Text(required=True, min_length=3, max_length=1000)


MAX_ANSWER_LENGTH = 5000


class OfferSchema(BaseSchema):
    amount_cents = Euros(data_key="amount", required=True, validate=validate.Range(
        min=1, error="Le montant doit être supérieur à zéro."))
    vat_rate = Count(minimum=0, maximum=max(VAT_RATES), required=True)
    lead_time_days = Count(minimum=1, maximum=3650, required=True)
    description = Text(required=True, min_length=10, max_length=20_000)
    insertion_hours = Count(minimum=0, maximum=1_000_000, load_default=0)
    valid_until = Day(required=True)
    answers = fields.Dict(keys=Identifier(), values=Text(max_length=MAX_ANSWER_LENGTH), load_default=dict)
    participant_ids = Many(Count(minimum=1), data_key="participants")

    @validates("vat_rate")
    def known_vat_rate(self, value, **kwargs):
        if value not in VAT_RATES:
            raise ValidationError("Choisissez un taux de TVA.")

    @pre_load
    def from_form(self, data, **kwargs):
        """HTML forms send one field per question: answer_<question id>."""
        data = dict(data)
        if "answers" not in data:
            data["answers"] = {key.removeprefix("answer_"): value for key, value in data.items()
                               if key.startswith("answer_") and key.removeprefix("answer_").isdigit()}
        if data.get("insertion_hours") in ("", None):
            data.pop("insertion_hours", None)
        return data


class ShortlistSchema(BaseSchema):
    shortlisted = Checkbox()


class OfferOut(BaseSchema):
    id = fields.Int()
    lot_id = fields.Int()
    supplier_id = fields.Int()
    status = fields.Function(lambda offer: offer.status.value)
    amount_cents = fields.Int()
    vat_rate = fields.Int()
    lead_time_days = fields.Int()
    insertion_hours = fields.Int()
    valid_until = fields.Date()
    description = fields.Str()
