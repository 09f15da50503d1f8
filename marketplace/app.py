"""The application factory."""

import gc
import logging
import os
from pathlib import Path

from flask import Flask
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from marketplace.config import check_production_settings, settings_from_env
from marketplace.extensions import bootstrap, csrf, db, limiter, login_manager, mail, migrate
from marketplace.request_input import BoundedJSONProvider, BoundedRequest
from marketplace.validation import DATABASE_INT_MAX

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DatabaseId(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", DATABASE_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    """Build the application. `config` overrides the settings read from the environment."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    # Ids in URLs fit the database's integer columns: a larger one is simply not found.
    # Numbers in query strings and forms, and JSON bodies, are bounded the same way.
    app.url_map.converters["int"] = DatabaseId
    app.request_class = BoundedRequest
    app.json = BoundedJSONProvider(app)
    app.config.update(settings_from_env(app.instance_path))
    if config:
        app.config.update(config)
    check_production_settings(app.config)
    # We choose the mail backend ourselves; Flask-Mail must never swallow mails silently.
    app.config["MAIL_SUPPRESS_SEND"] = False
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    mail.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)

    _register_models()
    _register_blueprints(app)
    _register_login(app)
    from marketplace.api.wiring import init_api

    init_api(app)
    _register_outbox_delivery(app)
    _register_templates(app)

    from marketplace import jobs  # noqa: F401 - jobs answer the hooks that queue background work
    from marketplace.cli import register_cli
    from marketplace.errors import register_error_handlers
    from marketplace.http_headers import register_security_headers
    from marketplace.metrics import register_metrics
    from marketplace.request_log import register_request_log

    register_request_log(app)
    register_security_headers(app)
    register_metrics(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def _register_models() -> None:
    # Importing the models registers them on db.metadata (for Alembic and create_all).
    import events.fairs.models  # noqa: F401
    import events.meetings.models  # noqa: F401
    import marketplace.accounts.models  # noqa: F401
    import marketplace.api.models  # noqa: F401
    import marketplace.attachments.models  # noqa: F401
    import marketplace.audit.models  # noqa: F401
    import marketplace.dashboards.models  # noqa: F401
    import marketplace.favourites.models  # noqa: F401
    import marketplace.geography.models  # noqa: F401
    import marketplace.impact.models  # noqa: F401
    import marketplace.messaging.models  # noqa: F401
    import marketplace.needs.models  # noqa: F401
    import marketplace.offers.models  # noqa: F401
    import marketplace.organisations.models  # noqa: F401
    import marketplace.outbox.models  # noqa: F401
    import marketplace.payments.models  # noqa: F401
    import marketplace.suppliers.changes  # noqa: F401
    import marketplace.suppliers.models  # noqa: F401
    import marketplace.suppliers.taxonomy  # noqa: F401
    import marketplace.webhooks.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from marketplace.accounts.routes import bp as accounts_bp
    from marketplace.admin.routes import bp as admin_bp
    from marketplace.attachments.routes import bp as attachments_bp
    from marketplace.dashboards.routes import bp as dashboards_bp
    from marketplace.directory.routes import bp as directory_bp
    from marketplace.favourites.routes import bp as favourites_bp
    from marketplace.impact.routes import bp as impact_bp
    from marketplace.legal.routes import bp as legal_bp
    from marketplace.main.routes import bp as main_bp
    from marketplace.messaging.routes import bp as messaging_bp
    from marketplace.needs.routes import bp as needs_bp
    from marketplace.offers.routes import bp as offers_bp
    from marketplace.organisations.routes import bp as organisations_bp
    from marketplace.privacy.routes import bp as privacy_bp
    from marketplace.suppliers.routes import bp as suppliers_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(legal_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(suppliers_bp)
    app.register_blueprint(favourites_bp)
    from events.fairs.routes import bp as fairs_bp
    from events.meetings import organiser_routes, routes  # noqa: F401 - their views join the blueprint
    from events.meetings.blueprint import bp as meetings_bp
    from marketplace.payments.routes import bp as payments_bp

    for blueprint in (needs_bp, offers_bp, messaging_bp, attachments_bp, dashboards_bp, impact_bp, fairs_bp,
                      meetings_bp, payments_bp):
        app.register_blueprint(blueprint)


def _register_login(app: Flask) -> None:
    from marketplace.accounts.models import User

    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        # A deactivated account loses its open sessions at once.
        return user if user is not None and user.is_active else None


def _register_outbox_delivery(app: Flask) -> None:
    """Deliver mails once the request that queued them has committed."""
    from marketplace.outbox.services import take_committed_flag

    @app.after_request
    def _deliver_after_commit(response):
        if take_committed_flag(db.session):
            from marketplace.jobs import deliver_outbox, enqueue

            enqueue(deliver_outbox)
        return response


def _register_templates(app: Flask) -> None:
    from datetime import datetime

    from marketplace import french
    from marketplace.accounts.models import Role
    from marketplace.timeutil import utc_to_paris

    def buyer_has_organisation() -> bool:
        """Whether the buyer's menu offers the pages that need an organisation (asked
        once a page, by buyers' pages only)."""
        from marketplace.organisations.models import MembershipStatus
        from marketplace.organisations.services import membership_of

        membership = membership_of(current_user._get_current_object())
        return membership is not None and membership.status == MembershipStatus.ACTIVE

    @app.context_processor
    def inject_globals():
        return {"Role": Role, "current_user": current_user, "buyer_has_organisation": buyer_has_organisation}

    @app.template_filter("date_fr")
    def date_fr(value, with_time: bool = False):
        """A date, or a stored (UTC) date and time, as read in Paris: 18 mars 2027 (à 14 h 30)."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = utc_to_paris(value)
            return french.day_and_time(value) if with_time else french.day(value.date())
        return french.day(value)

    # French guillemets hold their words, in the templates' own text and in what they print.
    app.jinja_env.add_extension(french.HoldQuotes)
    app.jinja_env.finalize = french.finalize
    app.add_template_filter(french.thousands, "thousands")
    app.add_template_filter(french.money, "euros")
    app.add_template_filter(french.of, "de")
    app.add_template_filter(french.count, "count")
    app.add_template_filter(french.km, "km")
    app.add_template_filter(french.percent, "percent")
    app.add_template_filter(french.days, "days")
    from marketplace.geography import names as place_names

    app.add_template_filter(place_names.department, "department")
    app.add_template_filter(place_names.region, "region")
    app.add_template_filter(place_names.commune, "commune")
    app.add_template_filter(lambda code, zone_type: place_names.zone(zone_type, code), "zone")
    app.add_template_filter(place_names.departments, "departments_named")
    app.add_template_filter(place_names.regions, "regions_named")
    app.add_template_filter(french.clock, "clock")
    app.add_template_filter(french.hours, "hours")
    app.add_template_filter(utc_to_paris, "paris")  # a stored (UTC) time as read in Paris


def freeze_startup_heap() -> None:
    """Hide what start-up allocated (modules, the app, its routes and templates: a few
    hundred thousand objects) from Python's cyclic garbage collector, which otherwise
    walks all of it on every full collection: about 150 ms, landing on whichever request
    happens to allocate past the threshold (a France-wide match, a long export). Called
    once per serving process (wsgi.py, the job worker), never by the tests' many apps."""
    gc.collect()
    gc.freeze()
