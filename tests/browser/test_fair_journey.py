"""An organiser creates a fair; a buyer and a supplier register and agree to meet; the
organiser computes and publishes the programme; the buyer downloads the agenda (ICS)."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from marketplace.timeutil import utc_to_paris, utcnow
from tests.browser.test_need_journey import log_in, log_out
from tests.conftest import email_of

pytestmark = pytest.mark.browser


def test_create_a_fair_register_meet_schedule_publish_and_download_the_agenda(
        app, live_server, page, make_user, buyer, make_supplier, mailbox, tmp_path):
    make_user(role="organiser", email="orga@coventis.fr")
    supplier_user = make_user(role="supplier", email="direction@esat-garrigue.fr")
    make_supplier(name="ESAT de la Garrigue", kind="ESAT", postcode="34000", city="Montpellier",
                  member_id=supplier_user, email="contact@esat-garrigue.fr")
    day = date.today() + timedelta(days=40)
    now = utc_to_paris(utcnow())

    # The organiser creates the fair: one morning session with a break, three tables.
    log_in(page, live_server, "orga@coventis.fr")
    page.get_by_role("link", name="Salons").first.click()
    page.locator("#contenu").get_by_role("link", name="Créer un salon").click()
    page.get_by_role("textbox", name="Nom", exact=True).fill("Coventis 2027")
    page.get_by_role("textbox", name="Lieu", exact=True).fill("Parc des expositions")
    page.get_by_role("textbox", name="Ville", exact=True).fill("Montpellier")
    page.get_by_label("Premier jour").fill(day.isoformat())
    page.get_by_label("Dernier jour").fill(day.isoformat())
    page.get_by_label("Ouverture des inscriptions").fill((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Clôture des inscriptions").fill((now + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Nom de la session 1").fill("Matinée d'affaires")
    page.get_by_label("Jour de la session 1").fill(day.isoformat())
    page.get_by_label("Début de la session 1").fill("09:00")
    page.get_by_label("Fin de la session 1").fill("11:00")
    page.get_by_label("Durée des créneaux de la session 1").fill("20")
    page.get_by_label("Battement de la session 1").fill("5")
    page.get_by_label("Pauses de la session 1").fill("10:00-10:15 Café")
    page.get_by_label("Nombre de tables").fill("3")
    page.get_by_role("button", name="Créer le salon").click()
    page.get_by_text("Salon créé.").wait_for()
    fair_url = page.url
    log_out(page)

    # Both participants register; the buyer asks the supplier for a meeting.
    for email, pitch in ((email_of(app, buyer), "Nous cherchons des prestataires de nettoyage."),
                         ("direction@esat-garrigue.fr", "Conditionnement, nettoyage et espaces verts.")):
        log_in(page, live_server, email)
        page.goto(fair_url)
        page.get_by_role("link", name="S'inscrire").click()
        page.get_by_label("Ce que vous achetez ou proposez sur ce salon").fill(pitch)
        page.get_by_role("button", name="M'inscrire").click()
        page.get_by_text("Inscription enregistrée.").wait_for()
        if email != "direction@esat-garrigue.fr":
            log_out(page)
    log_out(page)
    log_in(page, live_server, email_of(app, buyer))
    page.goto(fair_url)
    page.get_by_role("link", name="Participants").first.click()
    page.get_by_role("link", name="Demander un rendez-vous").click()
    page.get_by_label("1 — Prioritaire").check()
    page.get_by_label("Un mot pour présenter votre demande").fill("Vos capacités pour 3 000 m² de bureaux ?")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_text("Demande envoyée à ESAT de la Garrigue.").wait_for()
    log_out(page)

    log_in(page, live_server, "direction@esat-garrigue.fr")
    page.goto(fair_url)
    page.get_by_role("link", name="Mes demandes").click()
    page.get_by_text("Vos capacités pour 3 000 m² de bureaux ?").wait_for()
    page.get_by_role("button", name="Accepter").click()
    page.get_by_text("Demande acceptée.").wait_for()
    log_out(page)

    # The organiser computes the programme and publishes it.
    log_in(page, live_server, "orga@coventis.fr")
    page.goto(fair_url)
    page.get_by_role("link", name="Programme des rendez-vous").click()
    page.get_by_role("button", name="Calculer le programme").click()
    page.get_by_text("Programme calculé").wait_for()
    page.get_by_role("button", name="Publier le programme").click()
    page.get_by_text("Programme publié").wait_for()
    page.screenshot(path=str(tmp_path / "programme.png"), full_page=True)
    log_out(page)

    # The buyer reads the agenda and downloads it for their calendar.
    mails = mailbox.wait_for(6)
    assert any("Votre agenda" in m["Subject"] for m in mails)
    log_in(page, live_server, email_of(app, buyer))
    page.goto(fair_url)
    page.get_by_role("link", name="Mon agenda").click()
    page.get_by_role("cell", name="ESAT de la Garrigue").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Ajouter à mon calendrier (.ics)").click()
    path = download.value.path()
    events = Calendar.from_ical(open(path, "rb").read()).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Rendez-vous avec ESAT de la Garrigue"]
    assert "Table" in str(events[0]["LOCATION"]) and "Parc des expositions" in str(events[0]["LOCATION"])
