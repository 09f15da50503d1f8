"""Input of favourite lists."""

from marketplace.validation import BaseSchema, Checkbox, Count, Text


class FavouriteListSchema(BaseSchema):
    name = Text(required=True, max_length=120)
    shared = Checkbox()


class FavouriteItemSchema(BaseSchema):
    supplier_id = Count(minimum=1, required=True)
