"""What closing an account asks: the password, and that the person understands."""

from marshmallow import ValidationError, validates

from marketplace.validation import BaseSchema, Checkbox, Text


class ClosureSchema(BaseSchema):
    password = Text(required=True, max_length=200)
    understood = Checkbox()

    @validates("understood")
    def must_understand(self, value, **kwargs):
        if not value:
            raise ValidationError("Cochez la case pour confirmer la clôture.")
