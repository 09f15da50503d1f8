"""The supplier page offers one quote button, through the platform; the contact details
stay available beside it."""

import re

from tests.conftest import PASSWORD, email_of


def test_the_supplier_page_has_one_quote_button_through_the_platform(app, client, login, buyer, make_supplier):
    supplier_id = make_supplier(name="Les Ateliers du Littoral", email="contact@ateliers-littoral.fr")
    for visitor in ("anonymous", "buyer"):
        if visitor == "buyer":
            login(client, buyer)
        page = client.get(f"/annuaire/structures/{supplier_id}").get_data(as_text=True)
        buttons = re.findall(r'<a [^>]*href="([^"]*)"[^>]*>Demander un devis</a>', page)
        assert buttons == [f"/besoins/demande-de-devis?structure={supplier_id}"], visitor
        assert 'href="mailto:contact@ateliers-littoral.fr"' in page  # contact details stay
        assert "Demande de devis —" not in page  # no mailto quote any more


def test_an_anonymous_visitor_asking_a_quote_logs_in_first_then_reaches_the_form(app, client, buyer,
                                                                                 make_supplier):
    supplier_id = make_supplier(name="Les Ateliers du Littoral", email="contact@ateliers-littoral.fr")
    asked = client.get(f"/besoins/demande-de-devis?structure={supplier_id}")
    assert asked.status_code == 302 and "/connexion" in asked.headers["Location"]
    logged = client.post(asked.headers["Location"], data={"email": email_of(app, buyer), "password": PASSWORD})
    form = client.get(logged.headers["Location"])
    assert form.status_code == 200 and "Les Ateliers du Littoral" in form.get_data(as_text=True)
