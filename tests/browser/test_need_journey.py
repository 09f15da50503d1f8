"""A buyer posts a need with two lots, a supplier answers both lots, the buyer awards them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.needs.models import Need, NeedStatus
from marketplace.offers.models import Offer, OfferStatus
from marketplace.timeutil import utc_to_paris, utcnow
from tests.conftest import PASSWORD, email_of
from tests.needs.conftest import pass_deadline

pytestmark = pytest.mark.browser


def log_in(page, live_server, email, password=PASSWORD):
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def log_out(page):
    page.wait_for_load_state("load")  # the menus open once Bootstrap's script has run
    page.locator("#nav-principale .dropdown-toggle").last.click()  # the person's menu
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()


def test_post_a_need_with_two_lots_answer_it_and_award_it(app, live_server, page, buyer, make_user, make_supplier,
                                                          mailbox, tmp_path):
    app.config["NEEDS_MODERATION"] = False
    supplier_user = make_user(role="supplier", email="direction@proprete-grasse.fr")
    make_supplier(name="Propreté du Pays de Grasse", email="contact@proprete-grasse.fr", member_id=supplier_user,
                  activities=[{"sector": "nettoyage", "range": "radius", "radius": 30}])

    # The buyer describes the need: what, where, budget, deadline, two lots, a question.
    log_in(page, live_server, email_of(app, buyer))
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Mes besoins").click()
    page.get_by_role("link", name="Publier un besoin").click()
    page.get_by_label("Type de besoin").select_option("consultation")
    page.get_by_role("textbox", name="Titre", exact=True).fill("Nettoyage de la médiathèque")
    page.get_by_role("textbox", name="Description", exact=True).fill("Entretien de 900 m², du lundi au samedi.")
    page.get_by_label("Secteurs d'activité").select_option(label="Nettoyage et propreté des locaux")
    page.get_by_label("Autour d'une commune").check()
    page.get_by_label("Commune (nom, code postal ou code INSEE)").fill("Grasse")
    page.get_by_label("Rayon (km)").fill("5")
    page.get_by_label("Budget maximum (€ HT)").fill("40000")
    deadline = utc_to_paris(utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Date limite de réponse (heure de Paris)").fill(deadline)
    page.get_by_label("Lot 1 : titre").fill("Salles publiques")
    page.get_by_label("Lot 2 : titre").fill("Vitrerie")
    page.get_by_label("Questions aux structures (une par ligne)").fill("Quelles références en bibliothèque ?")
    page.get_by_role("button", name="Enregistrer et soumettre").click()
    page.get_by_text("Votre besoin est publié").wait_for()
    page.screenshot(path=str(tmp_path / "need.png"), full_page=True)
    assert page.get_by_role("link", name="Propreté du Pays de Grasse").count() == 1
    log_out(page)

    # The supplier follows the link of its mail, says it is interested and offers on both lots.
    mailbox.wait_for(2)
    link = mailbox.last_link("contact@proprete-grasse.fr", "/o/")
    log_in(page, live_server, "direction@proprete-grasse.fr")
    page.goto(f"{live_server}{link}")
    page.get_by_role("button", name="Je suis intéressé").click()
    page.get_by_text(email_of(app, buyer)).wait_for()  # the buyer's contact shows
    for lot, amount in (("Salles publiques", "31 500"), ("Vitrerie", "4 200,50")):
        page.get_by_role("listitem").filter(has_text=lot).get_by_role("link", name="Déposer une offre").click()
        page.get_by_label("Montant (€ HT)").fill(amount)
        page.get_by_label("Délai de réalisation (jours)").fill("20")
        page.get_by_label("Votre proposition").fill("Deux agents en insertion, encadrés par un chef d'équipe.")
        page.get_by_label("Heures d'insertion auxquelles vous vous engagez").fill("800")
        page.get_by_label("Quelles références en bibliothèque ?").fill("Médiathèque de Cannes, 2024.")
        page.get_by_role("button", name="Déposer l'offre").click()
        page.get_by_text(f"Offre enregistrée pour « {lot} »").wait_for()
    log_out(page)

    with app.app_context():
        need_id = db.session.scalar(select(Need.id))
    pass_deadline(app, need_id)

    # The buyer compares the offers, awards both lots and concludes.
    log_in(page, live_server, email_of(app, buyer))
    page.goto(f"{live_server}/besoins/{need_id}/offres")
    assert page.get_by_text("31\u202f500\u00a0€").count() >= 1
    for _ in range(2):
        page.get_by_role("button", name="Attribuer ce lot").first.click()
        page.get_by_text("attribué à Propreté du Pays de Grasse").wait_for()
    page.screenshot(path=str(tmp_path / "offers.png"), full_page=True)
    page.get_by_role("button", name="Conclure et informer les structures").click()
    page.get_by_text("Besoin conclu").wait_for()
    with app.app_context():
        assert db.session.get(Need, need_id).status == NeedStatus.AWARDED
        assert {o.status for o in db.session.scalars(select(Offer))} == {OfferStatus.AWARDED}
    mailbox.wait_for(6)
    assert "est retenue" in mailbox.text(mailbox.to("direction@proprete-grasse.fr")[-1])
