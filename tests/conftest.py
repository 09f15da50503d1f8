"""Shared fixtures: a migrated database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
a real SMTP server on loopback, a test client that sends CSRF tokens, and factories."""

import html
import logging
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

# Jobs run in the test process, at once, and never touch Redis or a queue file.
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("HUEY_SQLITE_PATH", os.path.join(tempfile.mkdtemp(), "huey.db"))

from marketplace.jobs import heavy, huey  # noqa: E402

huey.immediate = heavy.immediate = True

from marketplace.accounts.models import Role, User  # noqa: E402
from marketplace.app import create_app  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.timeutil import utcnow  # noqa: E402

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
PASSWORD = "correct-horse-battery"
# Tables filled by migrations with reference data: kept between tests.
REFERENCE_TABLES = {"alembic_version", "regions", "departments", "communes", "sector_groups", "sectors", "products"}


# --- SMTP -------------------------------------------------------------------------

class Mailbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def clear(self):
        with self._lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.messages)

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def last_link(self, address: str, path_prefix: str) -> str:
        """The path of the last link to `path_prefix` mailed to `address`."""
        for message in reversed(self.to(address)):
            match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"[^\s]*)", self.text(message))
            if match:
                return match.group(1)
        raise AssertionError(f"No link to {path_prefix} mailed to {address}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp(port: int) -> Controller:
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


@pytest.fixture(scope="session")
def smtp_server():
    controller = start_smtp(free_port())
    yield controller
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    smtp_server.handler.clear()
    return smtp_server.handler


# --- Database and application ---------------------------------------------------------

def reset_postgres(url: str) -> None:
    from marketplace.config import database_url as normalise

    engine = create_engine(normalise(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def empty_database(tmp_path):
    """A brand-new empty database on the backend under test; yields its URL."""
    from marketplace.config import database_url

    if not TEST_DATABASE_URL:
        return f"sqlite:///{tmp_path}/empty.db", lambda: None
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = database_url(TEST_DATABASE_URL).rsplit("/", 1)[0] + f"/{name}"

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def migrated_database(url: str) -> str:
    """Upgrade `url` to the latest migration and return it."""
    import flask_migrate

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    # Alembic's logging setup disables the loggers that exist; errors must stay visible.
    for logger in logging.root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.disabled = False
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        reset_postgres(TEST_DATABASE_URL)
        url = TEST_DATABASE_URL
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    from marketplace.config import database_url as normalise

    return migrated_database(normalise(url))


class PageResponse(TestResponse):
    """A response whose text reads as the user sees it (HTML entities decoded)."""

    def get_data(self, as_text: bool = False):
        data = super().get_data(as_text=as_text)
        return html.unescape(data) if as_text else data


class CSRFClient(FlaskClient):
    """A test client that sends the CSRF token like a browser would (unless csrf=False)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.response_wrapper = PageResponse

    def csrf_token(self) -> str:
        page = self.get("/mot-de-passe-oublie").get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf:
            token = self.csrf_token()
            if "json" in kwargs:
                kwargs.setdefault("headers", {})["X-CSRFToken"] = token
            elif isinstance(kwargs.get("data", {}), dict):  # a copy: the caller's dict may serve again
                kwargs["data"] = {"csrf_token": token, **kwargs.get("data", {})}
        return super().post(*args, **kwargs)


def test_config(database_url: str, smtp_port: int) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_TIMEOUT_SECONDS": 3,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_URL": "http://localhost",
    }


def clean_database(app) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                if table.name not in REFERENCE_TABLES:
                    connection.execute(table.delete())
            if connection.dialect.name == "sqlite":
                connection.execute(text("DELETE FROM supplier_fts"))
        db.engine.dispose()


@pytest.fixture
def make_app(database_url, smtp_server):
    """Build an application on the test database; extra settings override the defaults."""
    apps = []

    def make(**overrides):
        app = create_app({**test_config(database_url, smtp_server.port), **overrides})
        app.test_client_class = CSRFClient
        apps.append(app)
        return app

    yield make
    clean_database(apps[0])
    for app in apps[1:]:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app) -> CSRFClient:
    return app.test_client()


# --- Factories ----------------------------------------------------------------------

@pytest.fixture
def make_user(app):
    """Create a user; returns its id. Confirmed and active unless told otherwise."""
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.BUYER, email: str | None = None, confirmed: bool = True,
             active: bool = True, first_name: str = "Camille", last_name: str = "Durand") -> int:
        role = Role(role)
        with app.app_context():
            user = User(
                email=email or f"{role.value}{next(counter)}@example.org",
                first_name=first_name,
                last_name=last_name,
                role=role,
                email_confirmed_at=utcnow() if confirmed else None,
                is_active=active,
            )
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
            return user.id

    return make


def email_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


@pytest.fixture
def login(app):
    """Log a client in as the given user id."""

    def do_login(client: CSRFClient, user_id: int):
        response = client.post(
            "/connexion", data={"email": email_of(app, user_id), "password": PASSWORD}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do_login


@pytest.fixture
def make_organisation(app):
    """Create a buyer organisation with the given member (user id); returns its id."""
    from marketplace.demo import demo_siret
    from marketplace.organisations.services import create_organisation

    counter = iter(range(900_000, 999_999))

    def make(member_id: int, name: str = "Ville de Grasse", siret: str | None = None) -> int:
        with app.app_context():
            organisation = create_organisation(
                {
                    "name": name,
                    "siret": siret or demo_siret(next(counter), series=7),
                    "kind": "public",
                    "size_class": "mid",
                    "sector": "Collectivité territoriale",
                    "address": "Place du Petit Puy",
                    "postcode": "06130",
                    "city": "Grasse",
                },
                db.session.get(User, member_id),
            )
            db.session.commit()
            return organisation.id

    return make


@pytest.fixture
def buyer(make_user, make_organisation):
    """A buyer (user id) with an organisation."""
    user_id = make_user(email="acheteuse@ville-grasse.fr", first_name="Inès", last_name="Martin")
    make_organisation(user_id, name="Ville de Grasse")
    return user_id


@pytest.fixture
def make_supplier(app):
    """Create a listed supplier through the services; returns its id.

    activities: dicts with sector (slug), services (slugs), range ("france", "radius",
    "zones"), radius (km) and zones ("department:06", ...)."""
    from marketplace.suppliers import services
    from marketplace.suppliers.models import GeoRange, ZoneType
    from marketplace.suppliers.schemas import SERVICE_SLUGS
    from marketplace.suppliers.taxonomy import Sector

    counter = iter(range(1, 100_000))

    def actor_for(member_id):
        if member_id:
            return db.session.get(User, member_id)
        admin = db.session.scalar(select(User).where(User.email == "factory-admin@example.org"))
        if admin is None:
            admin = User(email="factory-admin@example.org", first_name="Admin", last_name="Usine", role=Role.ADMIN)
            admin.set_password(PASSWORD)
            db.session.add(admin)
            db.session.flush()
        return admin

    def make(name="Les Jardins de Provence", kind="EI", postcode="06130", city="Grasse", member_id=None,
             activities=(), siret=None, references=(), **fields) -> int:
        from marketplace.demo import demo_siret

        with app.app_context():
            actor = actor_for(member_id)
            supplier = services.create_supplier({
                "name": name, "siret": siret or demo_siret(next(counter), series=6), "kind": kind,
                "postcode": postcode, "city": city, "labels": fields.pop("labels", []),
                "networks": fields.pop("networks", []), **fields,
            }, actor)
            for spec in activities:
                sector = db.session.scalar(select(Sector).where(Sector.slug == spec["sector"]))
                mask = 0
                for slug in spec.get("services", ("service",)):
                    mask |= SERVICE_SLUGS[slug]
                zones = [(ZoneType(z.split(":")[0]), z.split(":")[1]) for z in spec.get("zones", [])]
                services.save_activity(supplier, {"sector_id": sector.id, "service_kinds": int(mask),
                                                  "geo_range": GeoRange(spec.get("range", "france")),
                                                  "radius_km": spec.get("radius"), "zones": zones}, actor)
            for reference in references:
                services.add_reference(supplier, reference, actor)
            db.session.commit()
            return supplier.id

    return make


@pytest.fixture
def live_server(app):
    """The application served on a free loopback port, for browsers and webhooks."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


# --- Browser ------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu",
                  "--no-first-run", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def visible_text(response) -> str:
    """The text of a page as a reader sees it: tags removed, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).replace(" ,", ",")
