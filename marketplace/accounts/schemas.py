"""Input of the account forms."""

from marshmallow import ValidationError, fields, validate, validates_schema

from marketplace.accounts.models import SELF_SERVICE_ROLES, Role
from marketplace.validation import BaseSchema, Checkbox, Choice, Email, Password, Text

TERMS_REQUIRED = "Vous devez accepter les conditions d'utilisation."


def _passwords_match(data: dict, field: str = "password") -> None:
    if data.get(field) and data.get("password_confirm") != data.get(field):
        raise ValidationError("Les deux mots de passe ne correspondent pas.", "password_confirm")


class SignupSchema(BaseSchema):
    first_name = Text(required=True, max_length=100)
    last_name = Text(required=True, max_length=100)
    email = Email(required=True)
    password = Password(required=True)
    password_confirm = Text(required=True, max_length=128)
    role = Choice(Role, allowed=SELF_SERVICE_ROLES, required=True)
    accept_terms = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error=TERMS_REQUIRED),
        error_messages={"required": TERMS_REQUIRED, "null": TERMS_REQUIRED, "invalid": TERMS_REQUIRED},
    )

    @validates_schema
    def check(self, data, **kwargs):
        _passwords_match(data)


class LoginSchema(BaseSchema):
    email = Email(required=True)
    password = Text(required=True, max_length=128)
    remember = Checkbox()


class EmailSchema(BaseSchema):
    email = Email(required=True)


class ResetPasswordSchema(BaseSchema):
    password = Password(required=True)
    password_confirm = Text(required=True, max_length=128)

    @validates_schema
    def check(self, data, **kwargs):
        _passwords_match(data)


class ProfileSchema(BaseSchema):
    first_name = Text(required=True, max_length=100)
    last_name = Text(required=True, max_length=100)
    phone = Text(max_length=30, load_default=None)
    job_title = Text(max_length=120, load_default=None)


class ChangePasswordSchema(BaseSchema):
    current_password = Text(required=True, max_length=128)
    new_password = Password(required=True)
    password_confirm = Text(required=True, max_length=128)

    @validates_schema
    def check(self, data, **kwargs):
        _passwords_match(data, "new_password")
