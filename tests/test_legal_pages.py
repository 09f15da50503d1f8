"""The legal and trust pages: reachable from every page's footer and from sign-up,
with the operator's details taken from the settings."""

import re

import pytest

LEGAL_PAGES = {
    "/informations/mentions-legales": "Directeur de la publication",
    "/informations/conditions-generales": "Conditions générales d'utilisation",
    "/informations/confidentialite": "Vos droits",
    "/informations/cookies": "strictement nécessaires",
    "/informations/accessibilite": "RGAA",
}


@pytest.mark.parametrize("path, heading", LEGAL_PAGES.items())
def test_each_legal_page_answers(client, path, heading):
    response = client.get(path)
    assert response.status_code == 200 and heading in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["/", "/annuaire", "/salons", "/inscription", "/connexion", "/tarifs"])
def test_every_page_footer_links_the_legal_pages(client, page):
    links = set(re.findall(r'href="(/informations/[^"]+)"', client.get(page).get_data(as_text=True)))
    assert links == set(LEGAL_PAGES)


def test_sign_up_links_the_terms_it_asks_to_accept_and_the_privacy_policy(client):
    form = client.get("/inscription").get_data(as_text=True)
    checkbox = form[form.index('id="accept_terms"'):form.index('id="accept_terms"') + 600]
    assert 'href="/informations/conditions-generales"' in checkbox
    assert 'href="/informations/confidentialite"' in form


def test_the_operator_details_come_from_the_settings(app, client):
    app.config.update(OPERATOR_NAME="Coopérative Achat Inclusif SCIC", PUBLICATION_DIRECTOR="Claire Fontaine",
                      PRIVACY_EMAIL="dpo@achat-inclusif.example")
    assert "Coopérative Achat Inclusif SCIC" in client.get("/informations/mentions-legales").get_data(as_text=True)
    assert "Claire Fontaine" in client.get("/informations/mentions-legales").get_data(as_text=True)
    privacy = client.get("/informations/confidentialite").get_data(as_text=True)
    assert "dpo@achat-inclusif.example" in privacy and "Stripe" in privacy and "10 ans" in privacy


def test_pricing_says_free_when_payments_are_off(client):
    page = client.get("/tarifs").get_data(as_text=True)
    assert "Gratuit" in page and "tout est gratuit" in page and "99" not in page
