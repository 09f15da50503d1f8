"""Back up and restore the whole platform: the database (SQLite through its online
backup API, PostgreSQL through pg_dump/pg_restore) and the uploaded files.

A backup is a folder: `database.sqlite3` or `database.dump`, `uploads/`, and
`manifest.json` (backend, migration, row counts per table, time). Restoring checks the
manifest against what it restored.
"""

import json
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import make_url

from marketplace.errors import DomainError
from marketplace.extensions import db

MANIFEST = "manifest.json"


def uploads_folder() -> Path:
    return Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")


def row_counts() -> dict[str, int]:
    """Rows per table (the FTS shadow tables of SQLite excepted)."""
    with db.engine.connect() as connection:
        names = [n for n in inspect(connection).get_table_names() if not n.startswith("supplier_fts")]
        return {name: connection.scalar(select(func.count()).select_from(table(name))) for name in sorted(names)}


def _migration() -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _pg_url() -> str:
    """The database URL as libpq tools want it (no SQLAlchemy driver suffix)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def create_backup(parent: Path) -> Path:
    """Write a new backup folder under `parent` and return it."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    folder = Path(parent) / f"backup-{stamp}"
    folder.mkdir(parents=True)
    backend = db.engine.dialect.name
    db.session.remove()
    if backend == "sqlite":
        source = sqlite3.connect(db.engine.url.database)
        target = sqlite3.connect(folder / "database.sqlite3")
        with target:
            source.backup(target)  # consistent even while the application writes
        source.close()
        target.close()
    else:
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={folder / 'database.dump'}", _pg_url()],
                       check=True, capture_output=True)
    if uploads_folder().exists():
        shutil.copytree(uploads_folder(), folder / "uploads")
    manifest = {"backend": backend, "migration": _migration(), "created_at": stamp, "rows": row_counts()}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return folder


def restore_backup(folder: Path) -> dict:
    """Replace the database and uploaded files by those of the backup; returns the manifest."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise DomainError(f"{folder} is not a backup folder (no readable {MANIFEST}).") from error
    backend = db.engine.dialect.name
    if manifest["backend"] != backend:
        raise DomainError(f"This backup is of a {manifest['backend']} database, not {backend}.")
    db.session.remove()
    db.engine.dispose()
    if backend == "sqlite":
        source = sqlite3.connect(folder / "database.sqlite3")
        target = sqlite3.connect(db.engine.url.database)
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        f"--dbname={_pg_url()}", str(folder / "database.dump")], check=True, capture_output=True)
    if uploads_folder().exists():
        shutil.rmtree(uploads_folder())
    if (folder / "uploads").exists():
        shutil.copytree(folder / "uploads", uploads_folder())
    restored = row_counts()
    if restored != manifest["rows"]:
        raise DomainError(f"The restored database does not match the backup: {restored} != {manifest['rows']}")
    return manifest
