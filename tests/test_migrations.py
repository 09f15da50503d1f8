"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from marketplace.app import create_app
from marketplace.extensions import db
from marketplace.suppliers.search_index import include_object
from tests.conftest import empty_database


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
