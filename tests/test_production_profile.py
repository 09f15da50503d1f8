"""The production profile (Procfile under honcho: gunicorn workers and a huey consumer on
Redis, PostgreSQL) answers readiness and searches, and its worker delivers the mail."""

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import TEST_DATABASE_URL, empty_database, free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/15"

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="the production profile needs PostgreSQL: it runs in the PostgreSQL pass")


def redis_or_skip():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.flushdb()  # no job left from an earlier run
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")


def wait_until_ready(base: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                import json

                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise AssertionError("the production profile did not become ready in time")


@contextmanager
def production_profile(tmp_path, smtp_port: int, redis_url: str):
    """The Procfile under honcho on a fresh PostgreSQL database; yields the site's base URL."""
    url, drop = empty_database(tmp_path)
    port = free_port()
    env = {**os.environ, "APP_ENV": "production", "DATABASE_URL": url, "REDIS_URL": redis_url,
           "RATELIMIT_STORAGE_URI": redis_url, "SECRET_KEY": "s" * 64, "SESSION_COOKIE_SECURE": "false",
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port), "BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": "2", "JOB_WORKERS": "2", "INSTANCE_PATH": str(tmp_path / "instance"),
           "FLASK_APP": "wsgi.py", "PUBLIC_URL": f"http://127.0.0.1:{port}",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus")}
    (tmp_path / "prometheus").mkdir()
    subprocess.run([BIN / "flask", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([BIN / "flask", "demo-data", "--size", "40"], env=env, cwd=ROOT, check=True, capture_output=True)
    profile = subprocess.Popen([BIN / "honcho", "-f", "Procfile", "start"], env=env, cwd=ROOT,
                               start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(profile.pid, signal.SIGTERM)
        profile.wait(timeout=30)
        drop()


def sign_up(base: str, email: str):
    """A visitor signs up through the site, as a browser would (cookies and CSRF token)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/inscription", timeout=10).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({
        "csrf_token": token, "first_name": "Nadia", "last_name": "Benali", "email": email,
        "password": "un-mot-de-passe-solide", "password_confirm": "un-mot-de-passe-solide",
        "role": "buyer", "accept_terms": "1"}).encode()
    with opener.open(urllib.request.Request(f"{base}/inscription", data=form), timeout=10) as response:
        return response.status


def test_production_profile_serves_and_its_worker_delivers_mail(tmp_path, mailbox, smtp_server):
    redis_or_skip()
    with production_profile(tmp_path, smtp_server.port, REDIS_URL) as base:
        ready = wait_until_ready(base)
        assert ready == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "redis": "ok"}}

        with urllib.request.urlopen(f"{base}/annuaire/recherche.json?q=insertion", timeout=10) as response:
            assert b'"total"' in response.read()

        # A sign-up queues its confirmation mail; the worker takes the job from Redis and sends it.
        assert sign_up(base, "nadia@example.org") == 200
        [message] = mailbox.wait_for(1, timeout=30)
        assert message["To"] == "nadia@example.org" and message["Subject"] == "Confirmez votre adresse e-mail"

        # Metrics add up the requests of every gunicorn worker.
        for _ in range(6):
            urllib.request.urlopen(f"{base}/healthz", timeout=5).read()
        with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
            metrics = response.read().decode()
        counted = re.search(
            r'flask_http_request_duration_seconds_count\{[^}]*endpoint="main.healthz"[^}]*\} ([\d.]+)', metrics)
        assert counted and float(counted.group(1)) >= 6
        assert "marketplace_outbox_backlog 0.0" in metrics


@pytest.fixture
def private_redis():
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed here")
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    processes = []

    def start():
        processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        import redis

        for _ in range(50):
            try:
                redis.Redis(port=port).ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.1)

    def stop():
        processes[-1].terminate()
        processes[-1].wait(timeout=10)

    start()
    yield f"redis://127.0.0.1:{port}/0", start, stop
    for process in processes:
        if process.poll() is None:
            process.kill()


def test_with_redis_down_pages_work_and_mail_is_not_lost(tmp_path, mailbox, smtp_server, private_redis):
    redis_url, start_redis, stop_redis = private_redis
    with production_profile(tmp_path, smtp_server.port, redis_url) as base:
        wait_until_ready(base)
        # The worker is up and has swept the outbox once (as it does when it starts).
        assert sign_up(base, "avant@example.org") == 200
        assert len(mailbox.wait_for(1, timeout=30)) == 1
        time.sleep(2)
        stop_redis()
        # Pages, searches, log-ins (rate limits) and sign-ups keep working without Redis.
        with urllib.request.urlopen(f"{base}/annuaire/recherche.json?q=insertion", timeout=10) as response:
            assert response.status == 200
        assert sign_up(base, "pendant@example.org") == 200
        assert len(mailbox.wait_for(2, timeout=3)) == 1  # its job could not be queued...

        start_redis()
        # ...but the mail is a row of the outbox: the next delivery (here caused by another
        # sign-up; without traffic, the periodic sweep) sends both, each once.
        assert sign_up(base, "apres@example.org") == 200
        delivered = mailbox.wait_for(3, timeout=30)
        assert sorted(m["To"] for m in delivered) == ["apres@example.org", "avant@example.org", "pendant@example.org"]
        time.sleep(2)
        assert len(mailbox.messages) == 3
