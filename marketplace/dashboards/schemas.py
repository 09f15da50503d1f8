"""Input of the buyer's yearly purchase total."""

from marketplace.dashboards.services import MAX_YEAR, MIN_YEAR
from marketplace.validation import BaseSchema, Count, Euros


class PurchaseTotalSchema(BaseSchema):
    year = Count(minimum=MIN_YEAR, maximum=MAX_YEAR, required=True)
    amount_cents = Euros(data_key="amount", required=True)
