"""Input of messages."""

from marketplace.validation import BaseSchema, Text


class MessageSchema(BaseSchema):
    body = Text(required=True, max_length=10_000)
