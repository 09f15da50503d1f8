"""The production profile (Procfile under honcho: gunicorn workers and a huey consumer on
Redis, PostgreSQL) answers readiness and searches, and its worker delivers the mail."""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
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


def test_production_profile_serves_and_its_worker_delivers_mail(tmp_path, mailbox, smtp_server):
    redis_or_skip()
    url, drop = empty_database(tmp_path)
    port = free_port()
    env = {**os.environ, "APP_ENV": "production", "DATABASE_URL": url, "REDIS_URL": REDIS_URL,
           "RATELIMIT_STORAGE_URI": REDIS_URL, "SECRET_KEY": "s" * 64, "SESSION_COOKIE_SECURE": "false",
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_server.port), "BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": "2", "JOB_WORKERS": "2", "INSTANCE_PATH": str(tmp_path / "instance"),
           "FLASK_APP": "wsgi.py", "PUBLIC_URL": f"http://127.0.0.1:{port}"}
    subprocess.run([BIN / "flask", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([BIN / "flask", "demo-data", "--size", "40"], env=env, cwd=ROOT, check=True, capture_output=True)
    profile = subprocess.Popen([BIN / "honcho", "-f", "Procfile", "start"], env=env, cwd=ROOT,
                               start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        ready = wait_until_ready(base)
        assert ready == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "redis": "ok"}}

        with urllib.request.urlopen(f"{base}/annuaire/recherche.json?q=insertion", timeout=10) as response:
            assert b'"total"' in response.read()

        # A sign-up queues its confirmation mail; the worker takes the job from Redis and sends it.
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(f"{base}/inscription", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({
            "csrf_token": token, "first_name": "Nadia", "last_name": "Benali", "email": "nadia@example.org",
            "password": "un-mot-de-passe-solide", "password_confirm": "un-mot-de-passe-solide",
            "role": "buyer", "accept_terms": "1"}).encode()
        opener.open(urllib.request.Request(f"{base}/inscription", data=form, headers={"Referer": base}), timeout=10)
        [message] = mailbox.wait_for(1, timeout=30)
        assert message["To"] == "nadia@example.org" and message["Subject"] == "Confirmez votre adresse e-mail"
    finally:
        os.killpg(profile.pid, signal.SIGTERM)
        profile.wait(timeout=30)
        drop()
