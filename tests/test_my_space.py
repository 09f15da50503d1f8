"""Mon espace: where each role lands after logging in, and the next step instead of a
bare 403 for someone who has not set up their organisation or listing yet."""

import pytest

from tests.conftest import PASSWORD, email_of


def test_logging_in_lands_on_my_space(app, client, make_user):
    user_id = make_user()
    response = client.post("/connexion", data={"email": email_of(app, user_id), "password": PASSWORD})
    assert response.headers["Location"] == "/mon-espace"


def test_a_new_buyer_is_led_to_their_organisation_not_a_bare_403(app, client, login, make_user):
    login(client, make_user(role="buyer"))
    space = client.get("/mon-espace").get_data(as_text=True)
    assert "Première étape" in space and "Créer ou rejoindre mon organisation" in space
    for page in ("/besoins", "/besoins/nouveau"):
        refused = client.get(page)
        text = refused.get_data(as_text=True)
        assert refused.status_code == 403
        assert "Rejoignez ou créez votre organisation" in text
        assert "/organisations/mienne" in text and "Créer ou rejoindre mon organisation" in text


def test_a_buyer_with_an_organisation_sees_their_needs_figures_and_actions(client, login, buyer):
    login(client, buyer)
    space = client.get("/mon-espace").get_data(as_text=True)
    assert "Première étape" not in space
    assert "Publier un besoin" in space and "En modération" in space
    assert ">Brouillon</p>" in space and ">Brouillons</p>" not in space  # no draft yet: the singular


def test_a_new_supplier_is_led_to_find_or_list_their_structure(client, login, make_user):
    login(client, make_user(role="supplier"))
    space = client.get("/mon-espace").get_data(as_text=True)
    assert "Trouver ma structure par son SIRET" in space and "Référencer ma structure" in space


def test_a_supplier_sees_how_complete_each_listing_is(client, login, make_user, make_supplier):
    user_id = make_user(role="supplier")
    make_supplier(name="Les Ateliers du Littoral", member_id=user_id)
    login(client, user_id)
    space = client.get("/mon-espace").get_data(as_text=True)
    assert "Les Ateliers du Littoral" in space and "Fiche complète à" in space and "Voir les opportunités" in space


def test_a_new_organiser_is_led_to_create_a_fair(client, login, make_user):
    login(client, make_user(role="organiser"))
    assert "Créer mon premier salon" in client.get("/mon-espace").get_data(as_text=True)


def test_an_admin_sees_the_moderation_queue(client, login, make_user):
    login(client, make_user(role="admin"))
    assert "à modérer" in client.get("/mon-espace").get_data(as_text=True)


def test_my_space_needs_a_log_in(client):
    assert client.get("/mon-espace").status_code == 302


@pytest.mark.parametrize("role", ["buyer", "supplier", "organiser", "admin"])
def test_every_link_of_my_space_and_of_the_menu_opens(client, login, make_user, role):
    """No link a role is offered answers with an error (the new buyer's links included)."""
    import re

    login(client, make_user(role=role))
    page = client.get("/mon-espace").get_data(as_text=True)
    links = set(re.findall(r'<a class="(?:card|dropdown-item|nav-link)[^"]*" href="(/[^"]*)"', page))
    assert len(links) >= 4
    for link in links:
        status = client.get(link).status_code
        assert status in (200, 302), f"{role}: {link} answers {status}"
