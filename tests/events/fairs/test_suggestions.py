"""Whom to meet: suggestions ranked and explained by the facts really shared (a need's
sector in the participant's area, a sector asked for at registration, a follow-up after
an earlier fair), nobody suggested who should not be, and one click to ask."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from events.fairs.models import Fair, Participant
from events.meetings.models import MeetingRequest, RequestStatus
from events.meetings.suggestions import FairSuggestions, suggestions_for
from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.needs import services as need_services
from marketplace.needs.models import NeedArea
from tests.conftest import visible_text
from tests.needs.conftest import need_data

GREEN = {"sector": "espaces-verts", "range": "zones", "zones": ["department:06"]}
CLEANING_FAR = {"sector": "nettoyage", "range": "zones", "zones": ["department:59"]}


@pytest.fixture
def green_fair(app, organiser, make_fair, make_user, make_organisation, make_supplier, register):
    """Grasse (06) published a need for green spaces in the Alpes-Maritimes; three
    suppliers: one doing green spaces in the 06, one cleaning in the Nord, one green
    spaces in the 06 that already has a request from Grasse."""
    ids = {"fair": make_fair(organiser, day=date.today() + timedelta(days=40))}
    ids["buyer"] = make_user(email="achats@grasse.fr")
    organisation = make_organisation(ids["buyer"], name="Ville de Grasse")
    with app.app_context():
        app.config["NEEDS_MODERATION"] = False
        buyer = db.session.get(User, ids["buyer"])
        need = need_services.create_need(need_data(title="Entretien des parcs de Grasse", sectors=["espaces-verts"],
                                                   area=NeedArea.ZONES, departments=["06"]), buyer)
        need_services.submit_need(need, buyer)
        app.config["NEEDS_MODERATION"] = True
        db.session.commit()
    ids["p_buyer"] = register(ids["buyer"], ids["fair"], f"buyer:{organisation}", sectors=[],
                              contact_email="salon@grasse.fr",
                              pitch="Nous préparons nos marchés de la commune pour 2027.")
    for key, name, activity in (("green", "Les Jardins d'Azur", GREEN), ("far", "Propreté du Nord", CLEANING_FAR),
                                ("asked", "Verts Horizons", GREEN)):
        user = make_user(role=Role.SUPPLIER, email=f"contact@{key}.fr")
        place = {"postcode": "59000", "city": "Lille"} if key == "far" else {"postcode": "06130", "city": "Grasse"}
        supplier = make_supplier(name=name, member_id=user, email=f"devis@{key}.fr", activities=[activity], **place)
        ids[f"user_{key}"] = user
        ids[f"p_{key}"] = register(user, ids["fair"], f"supplier:{supplier}", sectors=[],
                                   contact_email=f"salon@{key}.fr",
                                   pitch=f"{name} : nos équipes en insertion interviennent près de chez vous.")
    with app.app_context():
        db.session.add(MeetingRequest(fair_id=ids["fair"], requester_id=ids["p_buyer"], recipient_id=ids["p_asked"],
                                      status=RequestStatus.PENDING))
        db.session.commit()
    return ids


def named(suggestions) -> list[str]:
    return [s.participant.name for s in suggestions]


def test_a_supplier_is_told_of_the_buyer_whose_need_it_matches_in_its_area(app, green_fair):
    with app.app_context():
        green = db.session.get(Participant, green_fair["p_green"])
        (suggestion,) = suggestions_for(green)
        assert suggestion.participant.name == "Ville de Grasse"
        sector = "espaces verts et entretien paysager"
        assert f"a des besoins en {sector} dans votre zone d'intervention" in suggestion.reasons
        assert f"a publié un besoin en {sector} cette année" in suggestion.reasons


def test_a_buyer_sees_who_fits_their_need_first_and_not_who_they_already_asked(app, green_fair):
    with app.app_context():
        buyer = db.session.get(Participant, green_fair["p_buyer"])
        suggestions = suggestions_for(buyer)
        assert named(suggestions) == ["Les Jardins d'Azur"]  # the Nord cleaner shares nothing; Verts Horizons asked
        reasons = suggestions[0].reasons
        assert "correspond à votre besoin « Entretien des parcs de Grasse »" in reasons
        assert "intervient dans votre département, Alpes-Maritimes (06)" in reasons


def test_nobody_is_suggested_who_left_declined_or_is_full(app, green_fair):
    with app.app_context():
        buyer_id, green_id = green_fair["p_buyer"], green_fair["p_green"]
        fair = db.session.get(Fair, green_fair["fair"])
        assert named(FairSuggestions(fair).for_participant(buyer_id)) == ["Les Jardins d'Azur"]
        green = db.session.get(Participant, green_id)
        green.max_meetings = 1  # full: one accepted request elsewhere
        other = db.session.get(Participant, green_fair["p_far"])
        db.session.add(MeetingRequest(fair_id=fair.id, requester_id=other.id, recipient_id=green_id,
                                      status=RequestStatus.ACCEPTED))
        db.session.commit()
        assert FairSuggestions(fair).for_participant(buyer_id) == []
        green.max_meetings = 5
        request = db.session.scalar(select(MeetingRequest).where(MeetingRequest.recipient_id == green_id))
        request.requester_id, request.status = buyer_id, RequestStatus.DECLINED  # declined before
        db.session.commit()
        assert FairSuggestions(fair).for_participant(buyer_id) == []
        request.status = RequestStatus.WITHDRAWN
        db.session.commit()
        assert named(FairSuggestions(fair).for_participant(buyer_id)) == ["Les Jardins d'Azur"]
        from events.fairs import registration

        registration.cancel_registration(green, db.session.get(User, green_fair["user_green"]))
        db.session.commit()
        assert FairSuggestions(fair).for_participant(buyer_id) == []


def test_a_follow_up_after_an_earlier_fair_is_a_reason(app, green_fair, organiser, make_fair, register):
    from events.meetings.models import Meeting, MeetingFeedback, MeetingStatus

    earlier_id = make_fair(organiser, day=date.today() + timedelta(days=5), name="SO EKO 2026")
    with app.app_context():
        earlier = db.session.get(Fair, earlier_id)
        now = db.session.get(Participant, green_fair["p_far"])
        buyer_now = db.session.get(Participant, green_fair["p_buyer"])
        before = [Participant(fair=earlier, role=p.role, buyer_organisation_id=p.buyer_organisation_id,
                              supplier_id=p.supplier_id, name=p.name, pitch=p.pitch, contact_email=p.contact_email,
                              max_meetings=5) for p in (buyer_now, now)]
        db.session.add_all(before)
        db.session.flush()
        meeting = Meeting(fair_id=earlier.id, a_id=before[0].id, b_id=before[1].id,
                          slot_id=earlier.sessions[0].slots[0].id, table_id=earlier.tables[0].id,
                          status=MeetingStatus.HELD)
        db.session.add(meeting)
        db.session.flush()
        db.session.add(MeetingFeedback(meeting_id=meeting.id, participant_id=before[0].id, rating=5, follow_up=True))
        db.session.commit()
        suggestions = FairSuggestions(db.session.get(Fair, green_fair["fair"])).for_participant(green_fair["p_buyer"])
        far = next(s for s in suggestions if s.participant.name == "Propreté du Nord")
        assert far.reasons == ["rencontré à SO EKO 2026, suite prévue"]


def test_an_offer_on_the_buyers_need_and_the_kind_of_structure_it_asks_for_are_reasons(app, green_fair):
    """The cleaner from the Nord shares no sector with Grasse; once it answered Grasse's
    need with an offer, both are told; a need asking for a kind of structure names it."""
    from marketplace.needs.models import Need
    from marketplace.offers.models import Offer, OfferStatus
    from marketplace.suppliers.models import Supplier

    with app.app_context():
        fair = db.session.get(Fair, green_fair["fair"])
        buyer_id, far_id = green_fair["p_buyer"], green_fair["p_far"]
        assert "Propreté du Nord" not in named(FairSuggestions(fair).for_participant(buyer_id))
        need = db.session.scalar(select(Need).where(Need.title == "Entretien des parcs de Grasse"))
        far = db.session.get(Participant, far_id)
        offer = Offer(need_id=need.id, lot_id=need.lots[0].id, supplier_id=far.supplier_id, amount_cents=900_000,
                      vat_rate=2000, lead_time_days=15, description="Offre", valid_until=date.today(),
                      submitted_by_id=green_fair["user_far"])
        db.session.add(offer)
        db.session.commit()
        suggestions = FairSuggestions(fair)
        for_buyer = {s.participant.name: s.reasons for s in suggestions.for_participant(buyer_id)}
        assert for_buyer["Propreté du Nord"] == ["a répondu à votre besoin « Entretien des parcs de Grasse »"]
        assert list(for_buyer) == ["Les Jardins d'Azur", "Propreté du Nord"]  # the need's own fit first
        (for_far,) = suggestions.for_participant(far_id)
        assert for_far.reasons == ["vous avez répondu à son besoin « Entretien des parcs de Grasse »"]
        offer.status = OfferStatus.WITHDRAWN  # a withdrawn offer is no tie
        db.session.commit()
        assert "Propreté du Nord" not in named(FairSuggestions(fair).for_participant(buyer_id))

        need.wanted_kinds = "EA,ESAT"
        db.session.commit()
        (green,) = FairSuggestions(fair).for_participant(buyer_id)
        assert not any("type de structure" in reason for reason in green.reasons)  # an EI: not what it asks for
        need.wanted_kinds = "EI"
        db.session.commit()
        assert db.session.get(Supplier, far.supplier_id).kind.value == "EI"
        for_buyer = {s.participant.name: s.reasons for s in FairSuggestions(fair).for_participant(buyer_id)}
        assert "entreprise d'insertion (EI), le type de structure que demandent vos besoins" in for_buyer[
            "Les Jardins d'Azur"]
        assert for_buyer["Propreté du Nord"] == [  # the kind alone: the cleaner is an EI too
            "entreprise d'insertion (EI), le type de structure que demandent vos besoins"]
        assert ("recherche des structures comme la vôtre (EI) dans ses besoins"
                in FairSuggestions(fair).for_participant(green_fair["p_green"])[0].reasons)


def test_pages_share_a_reading_of_the_fair_yet_see_newcomers_departures_and_requests_at_once(
        app, green_fair, make_user, make_supplier, register, monkeypatch):
    from events.fairs import registration
    from events.meetings import suggestions as module

    buyer_id = green_fair["p_buyer"]

    def for_buyer() -> list[str]:
        with app.app_context():
            return named(suggestions_for(db.session.get(Participant, buyer_id)))

    assert for_buyer() == ["Les Jardins d'Azur"]
    reading = app.extensions["fair_readings"][green_fair["fair"]]
    assert for_buyer() == ["Les Jardins d'Azur"] and app.extensions["fair_readings"][green_fair["fair"]] is reading

    user = make_user(role=Role.SUPPLIER, email="contact@paysages.fr")  # a newcomer is seen at once
    supplier = make_supplier(name="Paysages du Var", member_id=user, email="devis@paysages.fr", activities=[GREEN])
    newcomer = register(user, green_fair["fair"], f"supplier:{supplier}", sectors=[], contact_email="s@paysages.fr")
    assert for_buyer() == ["Les Jardins d'Azur", "Paysages du Var"]
    with app.app_context():  # someone who leaves is gone at once
        registration.cancel_registration(db.session.get(Participant, newcomer), db.session.get(User, user))
        db.session.add(MeetingRequest(fair_id=green_fair["fair"], requester_id=buyer_id,  # and so is whom one asked
                                      recipient_id=green_fair["p_green"], status=RequestStatus.PENDING))
        db.session.commit()
    assert for_buyer() == []

    with app.app_context():  # a pitch rewritten shows once the reading is READING_KEPT old
        far = db.session.get(Participant, green_fair["p_far"])
        far.pitch = "Nous entretenons aussi les espaces verts."
        db.session.commit()
    assert for_buyer() == []
    monkeypatch.setattr(module, "READING_KEPT", 0)
    assert for_buyer() == ["Propreté du Nord"]


def test_suggestions_show_on_the_fair_page_and_catalogue_with_one_click_to_ask(app, client, login, green_fair):
    login(client, green_fair["user_green"])
    fair_id = green_fair["fair"]
    page = visible_text(client.get(f"/salons/{fair_id}"))
    assert "Suggestions pour vous" in page and "Ville de Grasse" in page
    catalogue = client.get(f"/salons/{fair_id}/participants")
    assert "Suggestions pour vous" in visible_text(catalogue)
    html = catalogue.get_data(as_text=True)
    ask = f'/salons/{fair_id}/participants/{green_fair["p_buyer"]}/demander?participant={green_fair["p_green"]}'
    assert ask in html
    response = client.post(
        f"/salons/{fair_id}/participants/{green_fair['p_buyer']}/demander?participant={green_fair['p_green']}",
        data={"priority": "2", "next": f"/salons/{fair_id}/participants"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/salons/{fair_id}/participants")
    with app.app_context():
        assert db.session.scalar(select(MeetingRequest.status).where(
            MeetingRequest.requester_id == green_fair["p_green"])) == RequestStatus.PENDING
    assert "Suggestions pour vous" not in visible_text(client.get(f"/salons/{fair_id}/participants"))
    # Another site as the next page is not followed.
    other = client.post(
        f"/salons/{fair_id}/participants/{green_fair['p_far']}/demander?participant={green_fair['p_green']}",
        data={"priority": "2", "next": "//evil.example/"})
    assert other.status_code in (302, 422) and "evil" not in other.headers.get("Location", "")


def test_auto_wishes_fill_in_only_for_those_under_the_threshold_and_can_be_taken_back(app, client, login,
                                                                                     green_fair, organiser):
    from events.meetings.requests import scheduling_requests

    fair_id = green_fair["fair"]
    login(client, organiser)
    refused = client.post(f"/salons/{fair_id}/souhaits-suggeres", headers={"Accept": "application/json"})
    assert refused.status_code == 422  # no threshold set yet
    with app.app_context():
        db.session.get(Fair, fair_id).auto_wishes_below = 1
        db.session.commit()
    page = visible_text(client.get(f"/salons/{fair_id}/programme"))
    assert "Souhaits suggérés" in page and "1 souhait à ajouter maintenant" in page
    added = client.post(f"/salons/{fair_id}/souhaits-suggeres", headers={"Accept": "application/json"}).get_json()
    assert added == {"added": 1}
    with app.app_context():
        auto = db.session.scalars(select(MeetingRequest).where(MeetingRequest.auto.is_(True))).all()
        # Only "Les Jardins d'Azur" sent nobody anything and has a suggestion; the buyer had sent one already.
        assert [(r.requester.name, r.recipient.name, r.priority) for r in auto] == [
            ("Les Jardins d'Azur", "Ville de Grasse", 3)]
        counted = {(r["from"], r["to"]) for r in scheduling_requests(db.session.get(Fair, fair_id))}
        assert (green_fair["p_green"], green_fair["p_buyer"]) in counted
    # Nothing more to add; taken back before any programme, they are gone.
    assert client.post(f"/salons/{fair_id}/souhaits-suggeres", headers={"Accept": "application/json"}).get_json() \
        == {"added": 0}
    removed = client.post(f"/salons/{fair_id}/souhaits-suggeres/retirer", follow_redirects=True)
    assert "1 souhait retiré" in visible_text(removed)
    with app.app_context():
        assert db.session.scalar(select(MeetingRequest.id).where(MeetingRequest.auto.is_(True))) is None
    # Added again and computed: they stay.
    client.post(f"/salons/{fair_id}/souhaits-suggeres")
    from tests.events.fairs.test_programme import run_scheduler

    run_scheduler(client, fair_id)
    late = client.post(f"/salons/{fair_id}/souhaits-suggeres/retirer", headers={"Accept": "application/json"})
    assert late.status_code == 409


def test_the_registration_mail_names_the_first_participants_to_meet_with_a_link_to_ask(
        app, client, login, green_fair, make_user, make_supplier, register, mailbox):
    from marketplace.outbox.services import deliver_pending

    user = make_user(role=Role.SUPPLIER, email="contact@paysages.fr")
    supplier = make_supplier(name="Paysages du Var", member_id=user, email="devis@paysages.fr", activities=[GREEN])
    newcomer = register(user, green_fair["fair"], f"supplier:{supplier}", sectors=[], contact_email="s@paysages.fr")
    with app.app_context():
        mailbox.clear()
        deliver_pending()
    mailbox.wait_for(1)
    (mail,) = [mailbox.text(m) for m in mailbox.messages if m["To"] == "s@paysages.fr"]
    assert "Ville de Grasse (Acheteur) : a des besoins en espaces verts et entretien paysager dans votre zone" in mail
    ask = f"/salons/{green_fair['fair']}/participants/{green_fair['p_buyer']}/demander?participant={newcomer}"
    assert ask in mail and "Propreté du Nord" not in mail  # a supplier is not suggested to a supplier
    login(client, user)
    assert client.get(ask).status_code == 200


def test_suggestions_are_mailed_once_before_registration_closes(app, green_fair, mailbox):
    from events.meetings.reminders import mail_suggestions
    from marketplace.outbox.services import deliver_pending
    from marketplace.timeutil import utcnow

    with app.app_context():
        fair = db.session.get(Fair, green_fair["fair"])
        closes = fair.registration_closes_at
        assert mail_suggestions(closes - timedelta(days=5)) == 0  # too early
        mailed = mail_suggestions(closes - timedelta(days=2))
        assert mailed == 2 and mail_suggestions(closes - timedelta(days=1)) == 0
        mailbox.clear()
        deliver_pending()
        assert utcnow() < closes
    mailbox.wait_for(2)
    mails = {m["To"]: mailbox.text(m) for m in mailbox.messages if "à rencontrer" in m["Subject"]}
    assert sorted(mails) == ["salon@grasse.fr", "salon@green.fr"]  # the others have nobody to meet
    assert "Les Jardins d'Azur" in mails["salon@grasse.fr"] and "Ville de Grasse" in mails["salon@green.fr"]
    assert "correspond à votre besoin «\xa0Entretien des parcs de Grasse\xa0»" in mails["salon@grasse.fr"]
    fair_id, buyer, green = green_fair["fair"], green_fair["p_buyer"], green_fair["p_green"]
    assert f"/salons/{fair_id}/participants/{buyer}/demander?participant={green}" in mails["salon@green.fr"]


@pytest.mark.browser
def test_in_a_browser_a_buyer_asks_a_suggested_supplier_and_the_organiser_prints_an_agenda_from_the_grid(
        app, live_server, page, green_fair, organiser, tmp_path):
    """A buyer sees « Suggestions pour vous » on the catalogue and asks in one click; the
    organiser opens the grid, finds that buyer from check-in and downloads their agenda."""
    from pypdf import PdfReader

    from tests.browser.test_need_journey import log_in, log_out
    from tests.conftest import email_of

    fair_id = green_fair["fair"]
    log_in(page, live_server, email_of(app, green_fair["buyer"]))
    page.goto(f"{live_server}/salons/{fair_id}/participants")
    block = page.get_by_role("region", name="Suggestions pour vous")
    block.get_by_text("correspond à votre besoin « Entretien des parcs de Grasse »").wait_for()
    block.get_by_role("button", name="Demander un rendez-vous à Les Jardins d'Azur").click()
    page.get_by_text("Demande envoyée à Les Jardins d'Azur.").wait_for()
    assert page.url.endswith(f"/salons/{fair_id}/participants")
    with app.app_context():  # the supplier accepts (its own journey is tested elsewhere)
        from events.meetings.requests import answer_request

        made = db.session.scalar(select(MeetingRequest).where(
            MeetingRequest.requester_id == green_fair["p_buyer"], MeetingRequest.recipient_id == green_fair["p_green"]))
        answer_request(made, True, db.session.get(User, green_fair["user_green"]))
        db.session.commit()
    log_out(page)

    log_in(page, live_server, email_of(app, organiser))
    page.goto(f"{live_server}/salons/{fair_id}/programme")
    page.get_by_role("button", name="Calculer le programme").click()
    page.get_by_text("Programme calculé").wait_for(timeout=60_000)
    page.locator("#contenu").get_by_role("link", name="Grille").click()
    page.get_by_role("columnheader", name="Table 1").wait_for()
    page.goto(f"{live_server}/salons/{fair_id}/accueil")
    page.get_by_label("Nom").fill("grasse")
    page.get_by_role("button", name="Chercher").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Agenda de Ville de Grasse en PDF").click()
    path = tmp_path / "agenda.pdf"
    download.value.save_as(path)
    text = " ".join(p.extract_text() for p in PdfReader(path).pages)
    assert "agenda de Ville de Grasse" in text and "Les Jardins d'Azur" in text
