"""Marshmallow's own messages in French, for every schema of the application.

Our building blocks (marketplace.validation) carry French messages, but the API's
schemas also use marshmallow's plain fields and validators, and marshmallow itself
answers a body of the wrong shape (*Not a valid list.*, *Invalid input type.*). Users
of the pages and of the API read French, so the defaults are set once here, when
marketplace.validation is first imported, rather than field by field.
"""

from marshmallow import Schema, fields, validate

FIELD_MESSAGES = {
    fields.Field: {
        "required": "Ce champ est obligatoire.",
        "null": "Ce champ est obligatoire.",
        "validator_failed": "Valeur invalide.",
    },
    fields.Raw: {},
    fields.Nested: {"type": "Un objet JSON est attendu."},
    fields.List: {"invalid": "Une liste est attendue."},
    fields.Tuple: {"invalid": "Une liste est attendue."},
    fields.String: {"invalid": "Un texte est attendu.", "invalid_utf8": "Texte mal encodé (UTF-8 attendu)."},
    fields.UUID: {"invalid_uuid": "Identifiant invalide."},
    fields.Number: {"invalid": "Un nombre est attendu.", "too_large": "Nombre trop grand."},
    fields.Integer: {"invalid": "Un nombre entier est attendu."},
    fields.Float: {"special": "Un nombre fini est attendu."},
    fields.Decimal: {"special": "Un nombre fini est attendu."},
    fields.Boolean: {"invalid": "Vrai ou faux (true ou false) est attendu."},
    fields.DateTime: {
        "invalid": "Date et heure invalides (format ISO 8601 attendu, par exemple 2027-03-18T09:30:00Z).",
        "invalid_awareness": "Date et heure invalides : fuseau horaire inattendu.",
        "format": "Date et heure impossibles à écrire.",
    },
    fields.NaiveDateTime: {},
    fields.AwareDateTime: {},
    fields.Date: {"invalid": "Date invalide (AAAA-MM-JJ attendu).", "format": "Date impossible à écrire."},
    fields.Time: {"invalid": "Heure invalide (HH:MM attendu).", "format": "Heure impossible à écrire."},
    fields.TimeDelta: {"invalid": "Durée invalide.", "format": "Durée impossible à écrire."},
    fields.Mapping: {"invalid": "Un objet JSON est attendu."},
    fields.Url: {"invalid": "Adresse web invalide."},
    fields.Email: {"invalid": "Adresse e-mail invalide."},
    fields.Enum: {"unknown": "Choisissez une valeur parmi : {choices}."},
}

SCHEMA_MESSAGES = {"type": "Un objet JSON est attendu.", "unknown": "Champ inconnu."}

VALIDATOR_MESSAGES = {
    validate.Length: {
        "message_min": "{min} caractères ou éléments au moins.",
        "message_max": "{max} caractères ou éléments au plus.",
        "message_all": "Entre {min} et {max} caractères ou éléments.",
        "message_equal": "Exactement {equal} caractères ou éléments.",
    },
    validate.Range: {
        "message_min": "Valeur {min_op} {{min}} attendue.",
        "message_max": "Valeur {max_op} {{max}} attendue.",
        "message_all": "Valeur entre {{min}} et {{max}} attendue.",
        "message_gte": "supérieure ou égale à",
        "message_gt": "supérieure à",
        "message_lte": "inférieure ou égale à",
        "message_lt": "inférieure à",
    },
    validate.OneOf: {"default_message": "Choisissez une valeur parmi : {choices}."},
    validate.NoneOf: {"default_message": "Valeur non autorisée."},
    validate.ContainsOnly: {"default_message": "Choisissez des valeurs parmi : {choices}."},
    validate.ContainsNoneOf: {"default_message": "Valeurs non autorisées : {values}."},
    validate.Equal: {"default_message": "Valeur attendue : {other}."},
    validate.Regexp: {"default_message": "Format invalide."},
    validate.URL: {"default_message": "Adresse web invalide."},
    validate.Email: {"default_message": "Adresse e-mail invalide."},
    validate.Predicate: {"default_message": "Valeur invalide."},
}


def speak_french() -> None:
    """Replace marshmallow's English default messages (idempotent)."""
    for field_class, messages in FIELD_MESSAGES.items():
        field_class.default_error_messages = {**field_class.__dict__.get("default_error_messages", {}), **messages}
    Schema._default_error_messages = {**Schema._default_error_messages, **SCHEMA_MESSAGES}
    for validator_class, messages in VALIDATOR_MESSAGES.items():
        for attribute, message in messages.items():
            setattr(validator_class, attribute, message)


speak_french()
