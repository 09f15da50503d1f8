"""Input of payments, refunds and the catalogue."""

from marshmallow import fields

from marketplace.validation import BaseSchema, Euros, Percent, Text, UtcDateTime


class CardSchema(BaseSchema):
    card = Text(required=True, max_length=100)


class RefundSchema(BaseSchema):
    amount_cents = Euros(data_key="amount", load_default=None, allow_none=True, maximum_euros=1_000_000)


class ProductSchema(BaseSchema):
    name = Text(required=True, max_length=200)
    amount_cents = Euros(data_key="amount", required=True, maximum_euros=1_000_000)
    vat_rate = Percent(required=True)


class OrderOut(BaseSchema):
    id = fields.Integer()
    status = fields.Function(lambda o: o.status.value)
    product = fields.Function(lambda o: o.product.value)
    total_excl_cents = fields.Integer()
    vat_cents = fields.Integer()
    total_incl_cents = fields.Integer()
    refunded_cents = fields.Integer()
    invoice_number = fields.String()
    failure_message = fields.String()
    created_at = UtcDateTime()
    paid_at = UtcDateTime()
