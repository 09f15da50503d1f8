"""CSRF, login rate limiting, cookies and deactivation."""

from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.organisations.models import Membership
from tests.conftest import PASSWORD, email_of


def test_a_form_posted_without_its_csrf_token_is_rejected_and_changes_nothing(app, client):
    response = client.post("/inscription", csrf=False, data={
        "first_name": "Nadia", "last_name": "Benali", "email": "nadia@example.org",
        "password": "un-mot-de-passe-solide", "password_confirm": "un-mot-de-passe-solide",
        "role": "buyer", "accept_terms": "1"})
    assert response.status_code == 400
    assert "Le formulaire a expiré ou n'est pas valide" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_forged_csrf_token_is_rejected(client, make_user, app):
    user_id = make_user()
    response = client.post("/connexion", csrf=False, data={
        "email": email_of(app, user_id), "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400


def test_json_posts_need_the_csrf_header_too(client, make_user, login):
    login(client, make_user())
    response = client.post("/organisations/nouvelle", csrf=False, json={"name": "X"})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_login_attempts_are_rate_limited(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="5 per minute")
    client = app.test_client()
    user_id = make_user()
    email = email_of(app, user_id)
    statuses = [
        client.post("/connexion", data={"email": email, "password": "mauvais-mot-de-passe"}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [422] * 5
    assert statuses[5] == 429
    blocked = client.post("/connexion", data={"email": email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.get_data(as_text=True)


def test_session_cookie_is_http_only_and_same_site(client, make_user, login):
    response = login(client, make_user())
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_admin_deactivates_an_account_which_can_no_longer_log_in_and_keeps_its_data(
        app, make_user, login, make_organisation, mailbox):
    admin = app.test_client()
    buyer = app.test_client()
    admin_id = make_user(role="admin", email="admin@example.org")
    buyer_id = make_user(email="buyer@example.org")
    organisation_id = make_organisation(buyer_id)
    login(admin, admin_id)
    login(buyer, buyer_id)

    response = admin.post(f"/admin/utilisateurs/{buyer_id}/desactiver", follow_redirects=True)
    assert "est désactivé" in response.get_data(as_text=True)
    assert "Votre compte a été désactivé" in [m["Subject"] for m in mailbox.wait_for(1)][0]

    # The open session ends at once, and logging in again is refused with a clear reason.
    assert buyer.get("/profil").status_code == 302
    refused = buyer.post("/connexion", data={"email": "buyer@example.org", "password": PASSWORD})
    assert refused.status_code == 403
    assert "Ce compte a été désactivé" in refused.get_data(as_text=True)

    with app.app_context():
        user = db.session.get(User, buyer_id)
        assert user is not None and not user.is_active
        membership = db.session.scalar(select(Membership).where(Membership.user_id == buyer_id))
        assert membership.organisation_id == organisation_id

    admin.post(f"/admin/utilisateurs/{buyer_id}/reactiver")
    assert buyer.post("/connexion", data={"email": "buyer@example.org", "password": PASSWORD}).status_code == 302


def test_only_admins_reach_the_user_administration(app, client, make_user, login):
    buyer_id = make_user()
    target_id = make_user(role="supplier")
    login(client, buyer_id)
    assert client.get("/admin/utilisateurs").status_code == 403
    assert client.post(f"/admin/utilisateurs/{target_id}/desactiver").status_code == 403
    with app.app_context():
        assert db.session.get(User, target_id).is_active


def test_an_admin_cannot_deactivate_themselves(app, client, make_user, login):
    admin_id = make_user(role="admin")
    login(client, admin_id)
    response = client.post(f"/admin/utilisateurs/{admin_id}/desactiver")
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(User, admin_id).is_active


def test_admin_user_list_searches_and_filters(client, make_user, login):
    login(client, make_user(role="admin"))
    make_user(role="supplier", email="esat.provence@example.org", last_name="Provence")
    make_user(role="buyer", email="acheteur.lyon@example.org")
    page = client.get("/admin/utilisateurs?role=supplier").get_data(as_text=True)
    assert "esat.provence@example.org" in page and "acheteur.lyon@example.org" not in page
    page = client.get("/admin/utilisateurs?q=lyon").get_data(as_text=True)
    assert "acheteur.lyon@example.org" in page and "esat.provence@example.org" not in page
