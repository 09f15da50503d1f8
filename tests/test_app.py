"""Configuration, layout and error pages."""

import re

import pytest

from marketplace.app import create_app
from marketplace.config import ConfigurationError


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY must be set"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "dev-secret-key-not-for-production")
    with pytest.raises(ConfigurationError, match="SECRET_KEY must be set"):
        create_app()


def test_production_with_a_real_secret_key_starts_with_secure_cookies(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_production_refuses_sqlite_and_needs_redis_and_a_mail_server(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="PostgreSQL"):
        create_app()
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(ConfigurationError, match="REDIS_URL"):
        create_app()
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    with pytest.raises(ConfigurationError, match="MAIL_SERVER"):
        create_app()


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "2525")
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_123")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_123")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert (app.config["MAIL_SERVER"], app.config["MAIL_PORT"]) == ("smtp.example.org", 2525)
    assert app.config["MAIL_BACKEND"] == "smtp"
    assert app.config["STRIPE_SECRET_KEY"] == "sk_test_123"


def test_the_layout_is_french_and_its_css_is_served_locally(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Créer un compte" in page and "Se connecter" in page
    assert "cdn" not in page.lower()
    assert client.get("/bootstrap/static/css/bootstrap.min.css").status_code == 200
    assert client.get("/static/css/site.css").status_code == 200


def test_navigation_depends_on_the_role(app, make_user, login):
    buyer, admin = app.test_client(), app.test_client()
    login(buyer, make_user(role="buyer"))
    login(admin, make_user(role="admin"))
    new_buyer_page = buyer.get("/").get_data(as_text=True)
    assert "Créer ou rejoindre mon organisation" in new_buyer_page and 'href="/besoins"' not in new_buyer_page
    admin_page = admin.get("/").get_data(as_text=True)
    assert "Utilisateurs" in admin_page and "Mon organisation" not in admin_page


def test_error_pages_speak_french(app, client):
    missing = client.get("/nulle-part")
    assert missing.status_code == 404 and "Page introuvable" in missing.get_data(as_text=True)

    api_missing = client.get("/nulle-part", headers={"Accept": "application/json"})
    assert api_missing.mimetype == "application/problem+json"
    assert api_missing.get_json()["status"] == 404


def test_an_unexpected_error_gives_the_french_500_page(make_app):
    app = make_app()

    @app.route("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Une erreur inattendue s'est produite" in page and "kaboom" not in page


def test_health_check_answers_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_every_response_carries_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp.split(
        "script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # only in production, behind https
    assert "<script>" not in response.get_data(as_text=True)  # no inline script for the CSP to block


def test_a_request_id_is_returned_and_shown_on_the_error_page(make_app):
    app = make_app()

    @app.route("/boom-again")
    def boom():
        raise RuntimeError("kaboom")

    client = app.test_client()
    assert len(client.get("/").headers["X-Request-ID"]) == 32
    assert client.get("/", headers={"X-Request-ID": "proxy-id-1234"}).headers["X-Request-ID"] == "proxy-id-1234"
    failed = client.get("/boom-again", headers={"X-Request-ID": "incident-42-abc"})
    assert failed.status_code == 500 and "incident-42-abc" in failed.get_data(as_text=True)
    as_json = client.get("/boom-again", headers={"Accept": "application/json", "X-Request-ID": "incident-43-abc"})
    assert as_json.get_json()["request_id"] == "incident-43-abc"


def test_readiness_checks_the_database_and_its_migrations(client, tmp_path):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}

    # A database that was never migrated is not ready.
    empty = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/empty.db", "TESTING": True})
    answer = empty.test_client().get("/readyz")
    assert answer.status_code == 503 and answer.get_json()["checks"]["migrations"] == "behind"


def test_readiness_checks_redis_when_it_is_configured(make_app):
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    up = make_app(REDIS_URL="redis://127.0.0.1:6379/0").test_client().get("/readyz")
    assert up.status_code == 200 and up.get_json()["checks"]["redis"] == "ok"
    from tests.conftest import free_port

    down = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0").test_client().get("/readyz")
    assert down.status_code == 503 and down.get_json()["checks"]["redis"].startswith("error")


def test_metrics_count_requests_by_endpoint_and_show_the_outbox_backlog(make_app):
    from tests.conftest import free_port

    app = make_app(MAIL_PORT=free_port())  # nothing listens: the mail stays in the outbox
    client = app.test_client()
    for _ in range(2):
        client.get("/annuaire/recherche.json?q=nettoyage")
    password = "un-mot-de-passe-solide"
    client.post("/inscription", data={"first_name": "Nadia", "last_name": "Benali", "email": "nadia@example.org",
                                      "password": password, "password_confirm": password,
                                      "role": "buyer", "accept_terms": "1"})
    metrics = client.get("/metrics").get_data(as_text=True)
    per_endpoint = r'flask_http_request_duration_seconds_count\{[^}]*endpoint="directory.search_json"[^}]*\} 2\.0'
    assert re.search(per_endpoint, metrics)
    assert "flask_http_request_duration_seconds_bucket" in metrics
    assert "marketplace_outbox_backlog 1.0" in metrics
    assert "marketplace_job_queue_length" in metrics


def test_a_stripe_key_without_the_webhook_secret_is_refused(monkeypatch):
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_x")
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ConfigurationError, match="STRIPE_WEBHOOK_SECRET must be set"):
        create_app()


def test_the_site_has_an_icon(client):
    """Browsers ask for /favicon.ico on every page: an icon, not a 404."""
    response = client.get("/favicon.ico", follow_redirects=True)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)
