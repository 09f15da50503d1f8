"""The home page."""

import redis
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import login_required
from sqlalchemy import text

from marketplace.accounts.current import acting_user
from marketplace.extensions import db
from marketplace.main.my_space import space_of

bp = Blueprint("main", __name__)


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: the site's icon, not a 404."""
    return redirect(url_for("static", filename="img/favicon.svg"), 301)


@bp.route("/")
def home():
    return render_template("main/home.html")


@bp.route("/mon-espace")
@login_required
def my_space():
    """Where each person lands after logging in: where they stand, what to do next."""
    return render_template("main/my_space.html", space=space_of(acting_user()))


@bp.route("/healthz")
def healthz():
    """The process is up."""
    return {"status": "ok"}


@bp.route("/readyz")
def readyz():
    """Ready to serve: the database answers, its schema is at the latest migration, and
    Redis answers when it is configured. 503 otherwise, with what failed."""
    checks = {"database": _check(_database_answers), "migrations": _check(_migrations_at_head)}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _check(_redis_answers)
    ready = all(value == "ok" for value in checks.values())
    return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503


def _check(probe) -> str:
    try:
        return probe()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready", with its reason
        return f"error: {type(error).__name__}"


def _database_answers() -> str:
    db.session.execute(text("SELECT 1"))
    return "ok"


def _migrations_at_head() -> str:
    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return "ok" if current == heads else "behind"


def _redis_answers() -> str:
    redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=1, socket_connect_timeout=1).ping()
    return "ok"
