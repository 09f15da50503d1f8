"""A backup taken, the platform wiped, the backup restored: everything is back."""

import flask_migrate
from sqlalchemy import text

from marketplace.app import create_app
from marketplace.backups.services import row_counts
from marketplace.demo import load_demo_data
from marketplace.extensions import db
from tests.conftest import CSRFClient, empty_database


def search_total(app, words: str) -> int:
    return app.test_client().get("/annuaire/recherche.json", query_string={"q": words}).get_json()["total"]


def test_backup_wipe_and_restore_give_back_the_database_and_the_files(tmp_path):
    url, drop = empty_database(tmp_path)
    uploads = tmp_path / "uploads"
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "MAIL_BACKEND": "console",
                          "UPLOAD_FOLDER": str(uploads)})
        app.test_client_class = CSRFClient
        with app.app_context():
            flask_migrate.upgrade()
            load_demo_data(5, 40)
            before = row_counts()
        (uploads / "needs").mkdir(parents=True)
        (uploads / "needs" / "cahier-des-charges.pdf").write_bytes(b"%PDF-1.4 demo")
        found_before = search_total(app, "insertion")
        assert before["suppliers"] == 40 and found_before > 0

        runner = app.test_cli_runner()
        created = runner.invoke(args=["backup", "create", "--to", str(tmp_path / "backups")])
        assert created.exit_code == 0, created.output
        folder = created.output.strip().split()[-1]

        with app.app_context():  # wipe everything: tables, their rows, and the files
            db.session.remove()
            if db.engine.dialect.name == "sqlite":
                with db.engine.begin() as connection:
                    for name in reversed(list(before)):
                        connection.execute(text(f'DELETE FROM "{name}"'))
                    connection.execute(text("DELETE FROM supplier_fts"))
            else:
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE"))
                    connection.execute(text("CREATE SCHEMA public"))
            db.engine.dispose()
        for path in sorted(uploads.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        if url.startswith("sqlite"):
            assert search_total(app, "insertion") == 0

        restored = runner.invoke(args=["backup", "restore", folder, "--yes"])
        assert restored.exit_code == 0, restored.output
        with app.app_context():
            assert row_counts() == before
        assert (uploads / "needs" / "cahier-des-charges.pdf").read_bytes() == b"%PDF-1.4 demo"
        assert search_total(app, "insertion") == found_before
        client = app.test_client()
        login = client.post("/connexion", data={"email": "acheteur@demo.marche-inclusif.fr",
                                                "password": "demo-inclusif-2026"})
        assert login.status_code == 302
        with app.app_context():
            db.engine.dispose()
    finally:
        drop()


def test_restoring_a_folder_that_is_not_a_backup_is_refused(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path), "--yes"])
    assert result.exit_code != 0 and "is not a backup folder" in result.output
