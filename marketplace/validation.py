"""Input, bounded at the root: marshmallow building blocks with French messages shared
by every area's schemas, and the bounds the database can hold (integers, dates, text).
What every request goes through before a schema reads it is in marketplace.request_input."""

import enum
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as stdnum_siret

from marketplace import (
    french,
    marshmallow_french,  # noqa: F401 - marshmallow's defaults in French, once
)

# What every database column can hold: PostgreSQL's INTEGER (ids, counts, cents up to
# 21 million euros are BIGINT where needed: those fields set their own maximum).
DATABASE_INT_MIN, DATABASE_INT_MAX = -(2**31), 2**31 - 1
FIRST_YEAR, LAST_YEAR = 1900, 2200


def displayable(value):
    """A submitted value made safe to show back in a page: text that UTF-8 cannot encode
    (a lone surrogate from a JSON escape) has its bad characters replaced. Storing such
    text is refused by the fields (Text); this is only for echoing a form back."""
    if isinstance(value, str):
        return value if _storable(value.replace("\x00", "")) else value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [displayable(item) for item in value]
    if isinstance(value, dict):
        return {displayable(key): displayable(item) for key, item in value.items()}
    return value


REQUIRED = "Ce champ est obligatoire."
INVALID = "Valeur invalide."

BASE_MESSAGES = {"required": REQUIRED, "null": REQUIRED, "invalid": INVALID, "too_large": "Nombre trop grand."}


NOT_AN_OBJECT = "Le corps de la requête doit être un objet JSON."


class BaseSchema(Schema):
    """Every input schema: unknown fields ignored, and a body that is not an object (null,
    a number, a text, a list) refused as a whole before any hook or field reads it."""

    class Meta:
        unknown = EXCLUDE

    def load(self, data, *, many=None, **kwargs):
        if not (many if many is not None else self.many) and not isinstance(data, Mapping):
            raise ValidationError({"_schema": [NOT_AN_OBJECT]})
        return super().load(data, many=many, **kwargs)


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
    MAX_LENGTH = 254  # RFC 5321's limit for a forward path

    def __init__(self, **kwargs):
        super().__init__(
            error_messages={**BASE_MESSAGES, "invalid": "Adresse e-mail invalide."},
            validate=validate.Length(max=self.MAX_LENGTH, error=f"{self.MAX_LENGTH} caractères au plus."),
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                if self.required:
                    raise ValidationError(REQUIRED)
                return None
            if len(value) > self.MAX_LENGTH:  # before the validator parses a megabyte
                raise ValidationError(f"{self.MAX_LENGTH} caractères au plus.")
        return super()._deserialize(value, attr, data, **kwargs).lower()

    def _validate(self, value):
        if value is not None:  # an empty optional address is none: nothing to measure
            super()._validate(value)


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
    """A whole number in a range ("12" or 12; never 12.5, silently cut to 12); an empty
    form field means none. The range never passes what the database holds."""

    def __init__(self, minimum: int = 0, maximum: int = 10**9, invalid: str = "Nombre entier attendu.", **kwargs):
        minimum, maximum = max(minimum, DATABASE_INT_MIN), min(maximum, DATABASE_INT_MAX)
        super().__init__(
            strict=False,
            validate=validate.Range(min=minimum, max=maximum, error=f"Nombre entre {minimum} et {maximum} attendu."),
            error_messages={**BASE_MESSAGES, "invalid": invalid},
            **kwargs,
        )

    def _validated(self, value):
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise self.make_error("invalid")
        return super()._validated(value)


class Identifier(Count):
    """The id of a record, as a client refers to it."""

    def __init__(self, **kwargs):
        super().__init__(minimum=1, maximum=DATABASE_INT_MAX, invalid="Identifiant invalide.", **kwargs)


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


class Percent(BlankIsNone, fields.Field):
    """A rate typed as a percentage ("20", "5,5", "2.1 %"), loaded as basis points (2000,
    550, 210) and written back as a percentage: people type VAT as they read it."""

    def __init__(self, **kwargs):
        super().__init__(error_messages=BASE_MESSAGES, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("Pourcentage invalide.")
        text = str(value).replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("%", "").replace(",", ".")
        try:
            rate = Decimal(text)
        except InvalidOperation as error:
            raise ValidationError("Pourcentage attendu, par exemple 20 ou 5,5.") from error
        if not rate.is_finite() or rate < 0 or rate > 100:
            raise ValidationError("Pourcentage attendu entre 0 et 100.")
        if rate != rate.quantize(Decimal("0.01")):
            raise ValidationError("Pourcentage attendu, au centième près.")
        return int(rate * 100)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else french.percent(value)


def euros_decimal(cents: int) -> str:
    """Cents as accounting figures want them, always with two decimals: 123450 -> "1234,50"."""
    return f"{cents // 100},{cents % 100:02d}" if cents >= 0 else "-" + euros_decimal(-cents)


def euros_text(cents: int | None) -> str:
    """Cents as a form shows them back to Euros: 123450 -> "1234,50", 100000 -> "1000"."""
    return "" if cents is None else f"{cents // 100},{cents % 100:02d}".removesuffix(",00")


OUT_OF_RANGE_DATE = f"Date entre {FIRST_YEAR} et {LAST_YEAR} attendue."


def _within_years(moment: date | datetime) -> date | datetime:
    """Dates people mean: years 1900 to 2200 (year 1 or 9999 overflows time zones and
    some databases' types, and is always a typo)."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValidationError(OUT_OF_RANGE_DATE)
    return moment


class Day(BlankIsNone, fields.Date):
    """A date (YYYY-MM-DD, as an HTML date input sends it); an empty form field means none."""

    def __init__(self, **kwargs):
        super().__init__(error_messages={**BASE_MESSAGES, "invalid": "Date invalide (jj/mm/aaaa)."}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return _within_years(super()._deserialize(value, attr, data, **kwargs))


class ParisDateTime(BlankIsNone, fields.DateTime):
    """A date and time as a French user means it (Europe/Paris, when it carries no
    offset, as a form sends it) or as an API client writes it (RFC 3339, with Z or an
    offset); stored as naive UTC."""

    def __init__(self, **kwargs):
        super().__init__(error_messages={**BASE_MESSAGES, "invalid": "Date et heure invalides."}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        from marketplace.timeutil import paris_to_utc

        return paris_to_utc(_within_years(super()._deserialize(value, attr, data, **kwargs)))


class UtcDateTime(fields.DateTime):
    """A stored date and time (naive UTC) as the API writes it: RFC 3339 with its offset,
    `2026-12-16T06:16:00Z`, never a bare local-looking time."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class ClockTime(BlankIsNone, fields.Time):
    """A wall-clock time of day, HH:MM."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", error_messages={**BASE_MESSAGES, "invalid": "Heure invalide (HH:MM)."},
                         **kwargs)
