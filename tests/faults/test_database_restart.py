"""PostgreSQL restarted under the application: a clean 503 while it is down, then service
resumes without restarting the application, and nothing acknowledged is lost.

The test runs its own PostgreSQL cluster (initdb/pg_ctl) on a free loopback port; the
machine's shared server is never stopped."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.app import create_app
from marketplace.extensions import db
from tests.conftest import CSRFClient, free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def as_postgres(*command: str) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True)


@pytest.fixture
def private_postgres():
    if not (PG_BIN / "initdb").exists() or (os.geteuid() == 0 and not shutil.which("runuser")):
        pytest.skip("initdb/pg_ctl of PostgreSQL 15 are not installed here")
    folder = Path(tempfile.mkdtemp(prefix="pg-fault-"))
    os.chmod(folder, 0o777)
    data, port = folder / "data", free_port()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"

    def start():
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(folder / "log"), "start")

    def stop():
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")

    start()
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", start, stop
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data), "-m",
                        "immediate", "stop"] if os.geteuid() == 0 else [str(PG_BIN / "pg_ctl"), "-D", str(data),
                       "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


SIGNUP = {"first_name": "Nadia", "last_name": "Benali", "password": "un-mot-de-passe-solide",
          "password_confirm": "un-mot-de-passe-solide", "role": "buyer", "accept_terms": "1"}


def test_a_database_restart_gives_a_clean_503_then_service_resumes_and_nothing_is_lost(private_postgres):
    url, start, stop = private_postgres
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "MAIL_BACKEND": "console",
                      "RATELIMIT_ENABLED": False})
    app.test_client_class = CSRFClient
    with app.app_context():
        flask_migrate.upgrade()
    client = app.test_client()
    acknowledged = []
    for i in range(3):
        response = client.post("/inscription", data={**SIGNUP, "email": f"avant{i}@example.org"})
        assert response.status_code == 200
        acknowledged.append(f"avant{i}@example.org")

    stop()
    page = client.get("/annuaire/recherche.json?q=nettoyage")
    assert page.status_code == 503 and page.get_json()["title"] == "Service momentanément indisponible"
    html = client.get("/annuaire?q=nettoyage")
    text = html.get_data(as_text=True)
    assert html.status_code == 503 and "Le service est momentanément indisponible" in text
    assert "Traceback" not in text and "psycopg" not in text

    start()  # the same application, not restarted
    assert client.get("/annuaire/recherche.json?q=nettoyage").status_code == 200
    response = client.post("/inscription", data={**SIGNUP, "email": "apres@example.org"})
    assert response.status_code == 200
    acknowledged.append("apres@example.org")
    with app.app_context():
        stored = set(db.session.scalars(select(User.email)))
        assert stored == set(acknowledged)
        assert db.session.scalar(select(func.count()).select_from(User)) == len(acknowledged)  # none twice
        db.engine.dispose()


WRITERS, SECONDS_BEFORE, SECONDS_DOWN, SECONDS_AFTER = 6, 1.5, 2.5, 2.0


def test_a_restart_while_writes_arrive_refuses_some_with_503_and_loses_none(private_postgres, capsys):
    """Six clients sign up in a loop while PostgreSQL is stopped and started again under
    them: every answer is a success or a 503 with Retry-After, and every success is in
    the database, once."""
    import threading
    import time

    url, start, stop = private_postgres
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "MAIL_BACKEND": "console",
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        flask_migrate.upgrade()
    statuses, accepted, lock = [], [], threading.Lock()
    phase = {"now": "before"}
    after_restart = []
    running = threading.Event()
    running.set()

    def sign_up_in_a_loop(writer: int):
        client = app.test_client()
        number = 0
        while running.is_set():
            email = f"ecrivain{writer}-{number}@example.org"
            number += 1
            response = client.post("/inscription", data={**SIGNUP, "email": email})
            with lock:
                statuses.append(response.status_code)
                if response.status_code == 200:
                    accepted.append(email)
                    if phase["now"] == "after":
                        after_restart.append(email)
                elif response.status_code == 503:
                    assert response.headers.get("Retry-After") == "5"

    writers = [threading.Thread(target=sign_up_in_a_loop, args=(i,)) for i in range(WRITERS)]
    for writer in writers:
        writer.start()
    time.sleep(SECONDS_BEFORE)
    stop()
    time.sleep(SECONDS_DOWN)
    start()
    phase["now"] = "after"
    time.sleep(SECONDS_AFTER)
    running.clear()
    for writer in writers:
        writer.join(timeout=60)

    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    with app.app_context():
        stored = list(db.session.scalars(select(User.email)))
        db.engine.dispose()
    lost = set(accepted) - set(stored)
    with capsys.disabled():
        print(f"\nPostgreSQL restarted under {WRITERS} writers: {len(statuses)} sign-ups sent, "
              f"{counts.get(200, 0)} succeeded ({len(after_restart)} after the restart), "
              f"{counts.get(503, 0)} refused with 503, {len(lost)} lost")
    assert set(counts) <= {200, 503}, counts
    assert counts.get(503, 0) > 0 and after_restart  # refused while down, through again after
    assert not lost and len(stored) == len(set(stored))
