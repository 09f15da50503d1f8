"""Settings, read from the environment with safe development defaults.

Every setting can be overridden by an environment variable of the same name. The
README lists them; those marked "required in production" make create_app() refuse to
start when APP_ENV=production and they are missing.
"""

import os
from pathlib import Path

DEV_SECRET_KEY = "dev-secret-key-not-for-production"
MIN_SECRET_KEY_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The application cannot start with these settings."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def database_url(raw: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in their usual short form."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def settings_from_env(instance_path: str) -> dict:
    """Build the Flask config mapping from the environment."""
    env = os.environ.get("APP_ENV", "development")
    production = env == "production"
    default_db = "sqlite:///" + str(Path(instance_path) / "marketplace.db")
    mail_server = os.environ.get("MAIL_SERVER", "")
    return {
        "APP_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "" if production else DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL", default_db)),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Sessions and cookies
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "PERMANENT_SESSION_LIFETIME": _int("SESSION_LIFETIME_SECONDS", 14 * 24 * 3600),
        "WTF_CSRF_ENABLED": _bool("WTF_CSRF_ENABLED", True),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 20 * 1024 * 1024),
        # Uploaded files live outside the web root (backed up with the database).
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(Path(instance_path) / "uploads")),
        # Mail: SMTP when MAIL_SERVER is set; otherwise, outside production, mails are
        # written to the log so that `make run` works with no mail server.
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "smtp" if mail_server or production else "console"),
        "MAIL_SERVER": mail_server or "localhost",
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Marché de l'achat inclusif <ne-pas-repondre@marche-inclusif.fr>"
        ),
        "MAIL_TIMEOUT_SECONDS": _int("MAIL_TIMEOUT_SECONDS", 10),
        # The operator, as the legal pages name it (drafts until these are set).
        "OPERATOR_NAME": os.environ.get("OPERATOR_NAME", "[Raison sociale de l'exploitant]"),
        "OPERATOR_LEGAL_FORM": os.environ.get("OPERATOR_LEGAL_FORM", "[forme juridique, capital]"),
        "OPERATOR_ADDRESS": os.environ.get("OPERATOR_ADDRESS", "[adresse du siège]"),
        "OPERATOR_SIREN": os.environ.get("OPERATOR_SIREN", "[SIREN, RCS]"),
        "OPERATOR_EMAIL": os.environ.get("OPERATOR_EMAIL", "contact@marche-inclusif.fr"),
        "OPERATOR_PHONE": os.environ.get("OPERATOR_PHONE", "[téléphone]"),
        "PUBLICATION_DIRECTOR": os.environ.get("PUBLICATION_DIRECTOR", "[nom du directeur de la publication]"),
        "HOST_DETAILS": os.environ.get("HOST_DETAILS", "[hébergeur : raison sociale, adresse, téléphone]"),
        "PRIVACY_EMAIL": os.environ.get("PRIVACY_EMAIL", "donnees-personnelles@marche-inclusif.fr"),
        "MODERATION_EMAIL": os.environ.get("MODERATION_EMAIL", "moderation@marche-inclusif.fr"),
        "MODERATION_DELAY": os.environ.get("MODERATION_DELAY", "un jour ouvré"),
        # The accessibility audit's measured state (RGAA), as the statement says it.
        "ACCESSIBILITY_STATUS": os.environ.get("ACCESSIBILITY_STATUS", "partiellement conforme"),
        "OUTBOX_BATCH_SIZE": _int("OUTBOX_BATCH_SIZE", 200),
        # Background jobs (huey): Redis when REDIS_URL is set, else SQLite under instance/.
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        # Rate limits (Flask-Limiter): in memory by default, Redis in production.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # If the limits' store (Redis) is down, pages keep working: limits fall back to memory.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "300 per minute"),
        # Stripe: with no secret key, paid features are free.
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),
        # Static assets are served from the application, never from a CDN.
        "BOOTSTRAP_SERVE_LOCAL": True,
        "FAVOURITE_LISTS_LIMIT": _int("FAVOURITE_LISTS_LIMIT", 10),
        "EMAIL_TOKEN_MAX_AGE": _int("EMAIL_TOKEN_MAX_AGE", 7 * 24 * 3600),
        "PASSWORD_RESET_MAX_AGE": _int("PASSWORD_RESET_MAX_AGE", 3600),
        # Needs: admins check each need before publication unless this is off.
        "NEEDS_MODERATION": _bool("NEEDS_MODERATION", True),
        # Telling matched suppliers: batches of this many, the best placed first; another
        # batch goes out every NEED_BATCH_INTERVAL_HOURS while fewer than
        # NEED_INTEREST_TARGET suppliers said they were interested.
        "NEED_BATCH_SIZE": _int("NEED_BATCH_SIZE", 100),
        "NEED_BATCH_INTERVAL_HOURS": _int("NEED_BATCH_INTERVAL_HOURS", 24),
        "NEED_INTEREST_TARGET": _int("NEED_INTEREST_TARGET", 5),
        # Reminders to told suppliers who have not looked, this many days before the deadline.
        "NEED_REMINDER_DAYS": _int("NEED_REMINDER_DAYS", 3),
        # Attachments to needs and offers.
        "ATTACHMENT_MAX_BYTES": _int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024),
        "DIGEST_MAX_NEEDS": _int("DIGEST_MAX_NEEDS", 10),
        "FAIR_SCHEDULER_SECONDS": _int("FAIR_SCHEDULER_SECONDS", 20),
        # Inactive accounts: warned, then closed (RGPD; the CNIL recommends 2 years at most).
        "INACTIVE_WARNING_DAYS": _int("INACTIVE_WARNING_DAYS", 700),
        "INACTIVE_CLOSE_DAYS": _int("INACTIVE_CLOSE_DAYS", 730),
        # Online meetings get a room under this address (Jitsi Meet's public service by default).
        "VIDEO_ROOM_BASE": os.environ.get("VIDEO_ROOM_BASE", "https://meet.jit.si/"),
        "PLAN_GRACE_DAYS": _int("PLAN_GRACE_DAYS", 7),
        "API_FEED_LAG_SECONDS": _int("API_FEED_LAG_SECONDS", 2),
        "WEBHOOKS_ALLOW_PRIVATE": _bool("WEBHOOKS_ALLOW_PRIVATE", False),
        "WEBHOOK_TIMEOUT_SECONDS": _int("WEBHOOK_TIMEOUT_SECONDS", 5),
        "FAVOURITE_LISTS_FREE_LIMIT": _int("FAVOURITE_LISTS_FREE_LIMIT", 3),
        "SELLER_DETAILS": os.environ.get("SELLER_DETAILS", "Marché de l'achat inclusif SAS\n"
                                         "10 rue de la Paix, 75002 Paris\nSIRET 732 829 320 00074"),
        "STRIPE_JS_URL": os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/"),
    }


def check_production_settings(config: dict) -> None:
    """Refuse to start in production with settings that would be unsafe."""
    if config.get("STRIPE_SECRET_KEY") and not config.get("STRIPE_WEBHOOK_SECRET"):
        # Without it no payment would ever be confirmed: refuse to start rather than take money.
        raise ConfigurationError("STRIPE_WEBHOOK_SECRET must be set with STRIPE_SECRET_KEY.")
    if config.get("APP_ENV") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigurationError(
            "SECRET_KEY must be set to a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters when APP_ENV=production "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if config.get("SQLALCHEMY_DATABASE_URI", "").startswith("sqlite"):
        raise ConfigurationError("DATABASE_URL must point to PostgreSQL when APP_ENV=production.")
    if not config.get("REDIS_URL"):
        raise ConfigurationError("REDIS_URL must be set when APP_ENV=production (background jobs run on Redis).")
    if not os.environ.get("MAIL_SERVER") and config.get("MAIL_BACKEND") == "smtp":
        raise ConfigurationError("MAIL_SERVER must be set when APP_ENV=production.")
