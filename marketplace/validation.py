"""Marshmallow building blocks with French messages, shared by every area's schemas."""

import enum
from decimal import Decimal, InvalidOperation

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as stdnum_siret

REQUIRED = "Ce champ est obligatoire."
INVALID = "Valeur invalide."

BASE_MESSAGES = {"required": REQUIRED, "null": REQUIRED, "invalid": INVALID}


class BaseSchema(Schema):
    class Meta:
        unknown = EXCLUDE


UNSTORABLE = "Ce texte contient des caractères non valides (caractère nul ou Unicode mal formé)."


def _storable(text: str) -> bool:
    """Text a database can hold: no NUL character (PostgreSQL refuses it) and valid
    Unicode (a lone surrogate from a JSON escape cannot be encoded in UTF-8)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Text(fields.String):
    """A string with surrounding spaces removed; an empty required text is missing."""

    def __init__(self, *, max_length: int = 255, min_length: int = 0, **kwargs):
        validators = [
            validate.Length(
                min=min_length or None,
                max=max_length,
                error=f"Entre {min_length} et {max_length} caractères."
                if min_length
                else f"{max_length} caractères au plus.",
            )
        ]
        super().__init__(validate=validators, error_messages=BASE_MESSAGES, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if text == "" and self.required:
            raise ValidationError(REQUIRED)
        if not _storable(text):
            raise ValidationError(UNSTORABLE)
        return text or None

    def _validate(self, value):
        if value is not None:  # an empty optional text is none: nothing to measure
            super()._validate(value)


class Email(fields.Email):
    def __init__(self, **kwargs):
        super().__init__(
            error_messages={**BASE_MESSAGES, "invalid": "Adresse e-mail invalide."}, **kwargs
        )

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                if self.required:
                    raise ValidationError(REQUIRED)
                return None
        return super()._deserialize(value, attr, data, **kwargs).lower()


class Choice(fields.Enum):
    """One member of an enum, given by its value."""

    def __init__(self, enum_class: type[enum.Enum], allowed=None, **kwargs):
        members = list(allowed or enum_class)
        super().__init__(
            enum_class,
            by_value=True,
            error_messages={**BASE_MESSAGES, "unknown": "Choisissez une valeur dans la liste."},
            validate=validate.OneOf(members, error="Choisissez une valeur dans la liste."),
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "" and self.required:
            raise ValidationError(REQUIRED)
        return super()._deserialize(value, attr, data, **kwargs)


class Password(fields.String):
    MIN_LENGTH = 10

    def __init__(self, **kwargs):
        super().__init__(
            error_messages=BASE_MESSAGES,
            validate=validate.Length(
                min=self.MIN_LENGTH,
                max=128,
                error=f"Le mot de passe doit compter entre {self.MIN_LENGTH} et 128 caractères.",
            ),
            **kwargs,
        )


class Siret(fields.String):
    """A SIRET number, checked with python-stdnum and stored compact (14 digits)."""

    def __init__(self, **kwargs):
        super().__init__(error_messages=BASE_MESSAGES, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs).strip()
        if raw == "":
            raise ValidationError(REQUIRED)
        try:
            return stdnum_siret.validate(raw)
        except StdnumError as error:
            raise ValidationError(
                "Numéro SIRET invalide : 14 chiffres attendus, avec une clé de contrôle correcte."
            ) from error


class Postcode(fields.String):
    def __init__(self, **kwargs):
        super().__init__(
            error_messages=BASE_MESSAGES,
            validate=validate.Regexp(r"^(\d{5}|2[AB]\d{3})$", error="Code postal à 5 chiffres attendu."),
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if raw == "" and self.required:
            raise ValidationError(REQUIRED)
        return raw


class BlankIsNone:
    """A field mixin: an optional form field left blank means "none"."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, str) and value.strip() == "" and not self.required:
            value = None
        return super().deserialize(value, attr, data, **kwargs)


class Checkbox(fields.Boolean):
    """An HTML checkbox: present ("on", "1", "true") means True, absent means False."""

    def __init__(self, **kwargs):
        super().__init__(load_default=False, error_messages=BASE_MESSAGES, **kwargs)


class Many(fields.List):
    """Several values of one field: repeated form fields or query parameters, or a JSON
    list. A single value is a list of one; empty strings are dropped."""

    def __init__(self, inner: fields.Field, **kwargs):
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", list)
        super().__init__(inner, error_messages=BASE_MESSAGES, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str | int):
            value = [value]
        if isinstance(value, list):
            value = [v for v in value if v != ""]
        return super()._deserialize(value, attr, data, **kwargs)


class Slug(fields.String):
    def __init__(self, allowed=None, **kwargs):
        validators = [validate.Regexp(r"^[a-z0-9+-]{1,60}$", error=INVALID)]
        if allowed is not None:
            validators.append(validate.OneOf(list(allowed), error="Choisissez une valeur dans la liste."))
        super().__init__(validate=validators, error_messages=BASE_MESSAGES, **kwargs)


class Count(BlankIsNone, fields.Integer):
    """A whole number in a range; an empty form field means none."""

    def __init__(self, minimum: int = 0, maximum: int = 10**9, invalid: str = "Nombre entier attendu.", **kwargs):
        super().__init__(
            strict=False,
            validate=validate.Range(min=minimum, max=maximum, error=f"Nombre entre {minimum} et {maximum} attendu."),
            error_messages={**BASE_MESSAGES, "invalid": invalid},
            **kwargs,
        )


class WebAddress(BlankIsNone, fields.Url):
    """An https:// address; an empty form field means none."""

    def __init__(self, **kwargs):
        super().__init__(schemes={"https"}, error_messages={**BASE_MESSAGES, "invalid": "Adresse https:// attendue."},
                         **kwargs)


class Euros(BlankIsNone, fields.Field):
    """An amount in euros ("1 234,56", "1234.56" or a JSON number), loaded as integer cents."""

    def __init__(self, maximum_euros: int = 10**10, **kwargs):
        self.maximum_cents = maximum_euros * 100
        super().__init__(error_messages=BASE_MESSAGES, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("Montant invalide.")
        text = str(value).replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
        text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation as error:
            raise ValidationError("Montant en euros attendu, par exemple 1 250,50.") from error
        if not amount.is_finite():
            raise ValidationError("Montant en euros attendu, au centime près.")
        if amount < 0:
            raise ValidationError("Le montant ne peut pas être négatif.")
        if amount * 100 > self.maximum_cents:  # before rounding, which huge numbers overflow
            raise ValidationError("Montant trop élevé.")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError("Montant en euros attendu, au centime près.")
        return int(amount * 100)


def euros_decimal(cents: int) -> str:
    """Cents as accounting figures want them, always with two decimals: 123450 -> "1234,50"."""
    return f"{cents // 100},{cents % 100:02d}" if cents >= 0 else "-" + euros_decimal(-cents)


def euros_text(cents: int | None) -> str:
    """Cents as a form shows them back to Euros: 123450 -> "1234,50", 100000 -> "1000"."""
    return "" if cents is None else f"{cents // 100},{cents % 100:02d}".removesuffix(",00")


class Day(BlankIsNone, fields.Date):
    """A date (YYYY-MM-DD, as an HTML date input sends it); an empty form field means none."""

    def __init__(self, **kwargs):
        super().__init__(error_messages={**BASE_MESSAGES, "invalid": "Date invalide (jj/mm/aaaa)."}, **kwargs)


class ParisDateTime(BlankIsNone, fields.NaiveDateTime):
    """A date and time as a French user means it (Europe/Paris), stored as naive UTC."""

    def __init__(self, **kwargs):
        super().__init__(error_messages={**BASE_MESSAGES, "invalid": "Date et heure invalides."}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        from marketplace.timeutil import paris_to_utc

        return paris_to_utc(super()._deserialize(value, attr, data, **kwargs))


class ClockTime(BlankIsNone, fields.Time):
    """A wall-clock time of day, HH:MM."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", error_messages={**BASE_MESSAGES, "invalid": "Heure invalide (HH:MM)."},
                         **kwargs)
