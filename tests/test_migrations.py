"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

import uuid

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from marketplace.app import create_app
from marketplace.extensions import db
from marketplace.suppliers.search_index import include_object
from tests.conftest import TEST_DATABASE_URL


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


def test_an_empty_database_upgrades_to_head_matching_the_models_and_downgrades_to_nothing(tmp_path):
    url, drop = empty_database(tmp_path)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            flask_migrate.upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"include_object": include_object})
                diff = compare_metadata(context, db.metadata)
                assert diff == [], f"models and migrations disagree: {diff}"
                assert {"users", "buyer_organisations", "outbox_messages"} <= set(inspect(connection).get_table_names())
            flask_migrate.downgrade(revision="base")
            with db.engine.connect() as connection:
                assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
            db.engine.dispose()
    finally:
        drop()
