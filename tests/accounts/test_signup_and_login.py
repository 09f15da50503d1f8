"""Sign-up, the emailed confirmation link, login, logout and password reset, over real SMTP."""

from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from tests.conftest import PASSWORD

SIGNUP = {
    "first_name": "Nadia",
    "last_name": "Benali",
    "email": "Nadia.Benali@Ville-Grasse.fr",
    "password": "un-mot-de-passe-solide",
    "password_confirm": "un-mot-de-passe-solide",
    "role": "buyer",
    "accept_terms": "1",
}


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_signup_then_login_through_the_emailed_confirmation_link(client, mailbox):
    response = client.post("/inscription", data=dict(SIGNUP))
    assert response.status_code == 200
    assert "nadia.benali@ville-grasse.fr" in response.get_data(as_text=True)

    [message] = mailbox.wait_for(1)
    assert message["To"] == "nadia.benali@ville-grasse.fr"
    assert message["Subject"] == "Confirmez votre adresse e-mail"
    assert message.get_body(preferencelist=("html",)) is not None

    # Before confirming, the password is right but login is refused with a way out.
    refused = client.post("/connexion", data={"email": SIGNUP["email"], "password": SIGNUP["password"]})
    assert refused.status_code == 422
    assert "Confirmez d'abord votre adresse" in refused.get_data(as_text=True)

    link = mailbox.last_link("nadia.benali@ville-grasse.fr", "/confirmer/")
    confirmed = client.get(link, follow_redirects=True)
    assert "Votre adresse e-mail est confirmée" in confirmed.get_data(as_text=True)

    logged_in = client.post(
        "/connexion", data={"email": "nadia.benali@ville-grasse.fr", "password": SIGNUP["password"]},
        follow_redirects=True,
    )
    page = logged_in.get_data(as_text=True)
    assert "Bienvenue, Nadia" in page
    profile = client.get("/profil").get_data(as_text=True)
    assert "nadia.benali@ville-grasse.fr" in profile and "Acheteur" in profile


def test_signup_with_bad_input_shows_every_field_error_and_creates_nothing(app, client, mailbox):
    response = client.post("/inscription", data={
        "first_name": "  ", "last_name": "Benali", "email": "pas-une-adresse",
        "password": "court", "password_confirm": "autre", "role": "pirate",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Adresse e-mail invalide." in page
    assert "entre 10 et 128 caractères" in page
    assert "Choisissez une valeur dans la liste." in page
    assert "Ce champ est obligatoire." in page
    assert "Vous devez accepter les conditions" in page
    assert count_users(app) == 0
    assert mailbox.messages == []


def test_signup_refuses_mismatched_passwords(app, client):
    response = client.post("/inscription", data={**SIGNUP, "password_confirm": "un-autre-mot-de-passe"})
    assert response.status_code == 422
    assert "Les deux mots de passe ne correspondent pas." in response.get_data(as_text=True)
    assert count_users(app) == 0


def test_nobody_can_sign_up_as_an_admin(app, client):
    response = client.post("/inscription", data={**SIGNUP, "role": "admin"})
    assert response.status_code == 422
    assert count_users(app) == 0


def test_an_email_address_signs_up_only_once(app, client, make_user):
    make_user(email="nadia.benali@ville-grasse.fr")
    response = client.post("/inscription", data=dict(SIGNUP))
    assert response.status_code == 422
    assert "Un compte existe déjà avec cette adresse e-mail." in response.get_data(as_text=True)
    assert count_users(app) == 1


def test_wrong_password_is_refused_without_saying_which_part_is_wrong(client, make_user):
    make_user(email="karim@example.org")
    for email, password in (("karim@example.org", "mauvais-mot-de-passe"), ("inconnu@example.org", PASSWORD)):
        response = client.post("/connexion", data={"email": email, "password": password})
        assert response.status_code == 422
        assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)


def test_logout_ends_the_session(client, make_user, login):
    login(client, make_user())
    assert client.get("/profil").status_code == 200
    assert client.get("/deconnexion").status_code == 405  # a link cannot log you out
    client.post("/deconnexion")
    response = client.get("/profil")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_login_redirects_back_to_the_page_asked_for_but_never_off_site(client, make_user, app):
    user_id = make_user()
    from tests.conftest import email_of

    email = email_of(app, user_id)
    response = client.post("/connexion?next=/profil", data={"email": email, "password": PASSWORD})
    assert response.headers["Location"] == "/profil"
    client.post("/deconnexion")
    response = client.post("/connexion?next=//evil.example.com/", data={"email": email, "password": PASSWORD})
    assert response.headers["Location"] == "/mon-espace"


def test_password_reset_by_email_works_once(app, client, mailbox, make_user):
    make_user(email="claire@example.org")
    response = client.post("/mot-de-passe-oublie", data={"email": "claire@example.org"}, follow_redirects=True)
    assert "Si un compte existe pour cette adresse" in response.get_data(as_text=True)
    [message] = mailbox.wait_for(1)
    assert message["Subject"] == "Choisissez un nouveau mot de passe"
    link = mailbox.last_link("claire@example.org", "/mot-de-passe/")

    bad = client.post(link, data={"password": "nouveau-mot-de-passe", "password_confirm": "different-encore"})
    assert bad.status_code == 422

    done = client.post(link, data={"password": "nouveau-mot-de-passe", "password_confirm": "nouveau-mot-de-passe"})
    assert done.status_code == 302
    again = client.post(link, data={"password": "encore-un-autre-mdp", "password_confirm": "encore-un-autre-mdp"})
    assert again.status_code == 422
    assert "n'est plus valable" in again.get_data(as_text=True)

    old = client.post("/connexion", data={"email": "claire@example.org", "password": PASSWORD})
    assert old.status_code == 422
    new = client.post("/connexion", data={"email": "claire@example.org", "password": "nouveau-mot-de-passe"})
    assert new.status_code == 302


def test_password_reset_says_nothing_about_unknown_addresses(client, mailbox):
    response = client.post("/mot-de-passe-oublie", data={"email": "personne@example.org"}, follow_redirects=True)
    assert "Si un compte existe pour cette adresse" in response.get_data(as_text=True)
    assert mailbox.wait_for(1, timeout=0.3) == []


def test_a_forged_confirmation_link_is_refused(client):
    response = client.get("/confirmer/nimporte-quoi")
    assert response.status_code == 422
    assert "Ce lien n'est pas valide." in response.get_data(as_text=True)


def test_resending_the_confirmation_link(client, mailbox, make_user):
    make_user(email="lea@example.org", confirmed=False)
    client.post("/confirmer", data={"email": "lea@example.org"})
    [message] = mailbox.wait_for(1)
    assert message["Subject"] == "Confirmez votre adresse e-mail"


def test_profile_update_and_password_change(app, client, make_user, login):
    user_id = make_user()
    login(client, user_id)
    response = client.post("/profil", data={"first_name": "Camille", "last_name": "Roux", "phone": "04 93 00 00 00",
                                            "job_title": "Acheteuse"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id)
        assert (user.last_name, user.phone, user.job_title) == ("Roux", "04 93 00 00 00", "Acheteuse")

    wrong = client.post("/profil/mot-de-passe", data={
        "current_password": "pas-le-bon-mdp", "new_password": "tout-nouveau-mdp",
        "password_confirm": "tout-nouveau-mdp"})
    assert wrong.status_code == 422
    assert "Mot de passe actuel incorrect." in wrong.get_data(as_text=True)
    ok = client.post("/profil/mot-de-passe", data={
        "current_password": PASSWORD, "new_password": "tout-nouveau-mdp", "password_confirm": "tout-nouveau-mdp"})
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).check_password("tout-nouveau-mdp")


def test_roles_are_the_four_of_the_platform():
    assert {r.value for r in Role} == {"buyer", "supplier", "organiser", "admin"}


def stored_hash(app, user_id) -> str:
    with app.app_context():
        return db.session.get(User, user_id).password_hash


def test_passwords_are_stored_as_argon2id_and_older_hashes_upgraded_at_log_in(app, client, make_user):
    """New passwords are hashed with Argon2id (OWASP's parameters); an account whose hash
    dates from Werkzeug's scrypt still logs in, and its hash is replaced then."""
    from werkzeug.security import generate_password_hash

    from tests.conftest import email_of

    user_id = make_user()
    assert stored_hash(app, user_id).startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored_hash(app, user_id)
    with app.app_context():
        db.session.get(User, user_id).password_hash = generate_password_hash(PASSWORD, method="scrypt")
        db.session.commit()
    old = stored_hash(app, user_id)
    email = email_of(app, user_id)

    refused = client.post("/connexion", data={"email": email, "password": "pas-le-bon"})
    assert "Adresse e-mail ou mot de passe incorrect." in refused.get_data(as_text=True)
    assert stored_hash(app, user_id) == old
    assert client.post("/connexion", data={"email": email, "password": PASSWORD}).status_code == 302
    assert stored_hash(app, user_id).startswith("$argon2id$")
    client.post("/deconnexion")
    assert client.post("/connexion", data={"email": email, "password": PASSWORD}).status_code == 302


def test_an_unknown_address_is_refused_like_a_wrong_password(client, make_user, app):
    from tests.conftest import email_of

    wrong = client.post("/connexion", data={"email": email_of(app, make_user()), "password": "pas-le-bon"})
    unknown = client.post("/connexion", data={"email": "personne@example.org", "password": "pas-le-bon"})
    assert wrong.status_code == unknown.status_code == 422
    assert "Adresse e-mail ou mot de passe incorrect." in unknown.get_data(as_text=True)
