"""The day itself: check-in, no-shows and the last-minute meetings they make room for,
feedback, and a quote request born from a meeting."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from events.fairs.models import Fair, Participant, Slot
from events.meetings import programme
from events.meetings.models import Meeting, MeetingOrigin, MeetingStatus
from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.needs.models import Need, NeedKind, NeedSupplier
from marketplace.outbox.services import deliver_pending
from marketplace.timeutil import utcnow


def place(app, ids, a_key, b_key, slot_index=0) -> int:
    with app.app_context():
        fair = db.session.get(Fair, ids["fair"])
        slot = db.session.scalars(select(Slot).where(Slot.fair_id == fair.id).order_by(Slot.starts_at)).all()[
            slot_index]
        meeting = programme.add_meeting(fair, db.session.get(Participant, ids[a_key]),
                                        db.session.get(Participant, ids[b_key]), slot.id, None,
                                        db.session.get(User, ids["organiser"]))
        programme.publish_programme(fair, db.session.get(User, ids["organiser"]))
        db.session.commit()
        deliver_pending()  # the agendas go out now, before the test watches the mailbox
        return meeting.id


def start_slots_now(app, fair_id) -> None:
    """Move the fair's slots so that the first one has begun, as on the day."""
    with app.app_context():
        slots = db.session.scalars(select(Slot).where(Slot.fair_id == fair_id).order_by(Slot.starts_at)).all()
        shift = slots[0].starts_at - (utcnow() - timedelta(minutes=5))
        for slot in slots:
            slot.starts_at -= shift
            slot.ends_at -= shift
        db.session.commit()


def test_check_in_at_the_entrance(app, client, login, small_fair):
    login(client, small_fair["organiser"])
    fair_id = small_fair["fair"]
    response = client.post(f"/salons/{fair_id}/participants/{small_fair['p_nice']}/accueil", data={"present": "1"})
    assert response.status_code == 302
    page = client.get(f"/salons/{fair_id}/accueil?q=nice").get_data(as_text=True)
    assert "Ville de Nice" in page and "Arrivé" in page and "Ville de Grasse" not in page
    with app.app_context():
        assert db.session.get(Participant, small_fair["p_nice"]).checked_in_at is not None
    stranger = app.test_client()
    login(stranger, small_fair["buyer_grasse"])
    assert stranger.post(f"/salons/{fair_id}/participants/{small_fair['p_grasse']}/accueil").status_code == 403


def test_a_no_show_frees_the_slot_for_a_waiting_request_and_both_are_told(app, client, login, small_fair, mailbox):
    fair_id = small_fair["fair"]
    # Grasse meets Jardins in the first slot; Grasse's accepted request to Propreté waits
    # (not placed), and Propreté is here.
    meeting_id = place(app, small_fair, "p_grasse", "p_jardins")
    with app.app_context():
        db.session.get(Participant, small_fair["p_proprete"]).checked_in_at = utcnow()
        db.session.commit()
    login(client, small_fair["organiser"])
    mailbox.clear()
    response = client.post(f"/salons/{fair_id}/rendez-vous/{meeting_id}/absence",
                           data={"absent": str(small_fair["p_jardins"])}, follow_redirects=True)
    assert "Rendez-vous de dernière minute : Ville de Grasse et Structure Proprete" in response.get_data(as_text=True)
    with app.app_context():
        missed = db.session.get(Meeting, meeting_id)
        assert missed.status == MeetingStatus.NO_SHOW and missed.absent_id == small_fair["p_jardins"]
        last_minute = db.session.scalar(select(Meeting).where(Meeting.origin == MeetingOrigin.LAST_MINUTE))
        assert {last_minute.a_id, last_minute.b_id} == {small_fair["p_grasse"], small_fair["p_proprete"]}
        assert last_minute.slot_id == missed.slot_id and last_minute.table_id == missed.table_id
    mails = mailbox.wait_for(2)
    assert sorted(m["To"] for m in mails) == ["agenda@grasse.fr", "agenda@proprete.fr"]
    assert "dernière minute" in mails[0]["Subject"]


def test_a_no_show_with_nobody_waiting_just_records_the_absence(app, client, login, small_fair):
    meeting_id = place(app, small_fair, "p_atelier", "p_nice")
    login(client, small_fair["organiser"])
    response = client.post(f"/salons/{small_fair['fair']}/rendez-vous/{meeting_id}/absence",
                           data={"absent": str(small_fair["p_nice"])}, follow_redirects=True)
    assert "Aucune demande en attente ne peut reprendre ce créneau." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Meeting).where(Meeting.origin == MeetingOrigin.LAST_MINUTE)) is None


def test_feedback_from_a_buyer_creates_a_quote_request_to_the_supplier_met(app, client, login, small_fair, mailbox):
    fair_id = small_fair["fair"]
    meeting_id = place(app, small_fair, "p_grasse", "p_jardins")
    with app.app_context():
        db.session.get(User, small_fair["supplier_jardins"])  # the supplier's contact receives the request
        from marketplace.suppliers.models import Supplier
        db.session.get(Supplier, small_fair["s_jardins"]).email = "devis@jardins.fr"
        db.session.commit()
    login(client, small_fair["buyer_grasse"])
    early = client.post(f"/salons/{fair_id}/rendez-vous/{meeting_id}/avis", data={"rating": "5"})
    assert early.status_code == 422 and "une fois le rendez-vous commencé" in early.get_data(as_text=True)
    start_slots_now(app, fair_id)
    missing = client.post(f"/salons/{fair_id}/rendez-vous/{meeting_id}/avis", data={
        "rating": "5", "ask_quote": "1", "quote_title": "", "quote_description": ""})
    assert missing.status_code == 422 and "Donnez un titre" in missing.get_data(as_text=True)
    mailbox.clear()
    response = client.post(f"/salons/{fair_id}/rendez-vous/{meeting_id}/avis", data={
        "rating": "5", "comment": "Très bon échange", "ask_quote": "1",
        "quote_title": "Entretien des espaces verts du parc de la Corniche",
        "quote_description": "Tonte et taille mensuelles, 2 hectares."})
    assert response.status_code == 302
    with app.app_context():
        need = db.session.scalar(select(Need))
        assert need.kind == NeedKind.QUOTE and need.title == "Entretien des espaces verts du parc de la Corniche"
        assert [link.supplier_id for link in db.session.scalars(select(NeedSupplier))] == [small_fair["s_jardins"]]
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.status == MeetingStatus.HELD
        [feedback] = meeting.feedback
        assert feedback.need_id == need.id and feedback.follow_up and feedback.rating == 5
    assert any("devis@jardins.fr" in m["To"] or "contact@jardins.fr" in m["To"] for m in mailbox.wait_for(2))
    again = client.post(f"/salons/{fair_id}/rendez-vous/{meeting_id}/avis", data={"rating": "4"})
    assert again.status_code == 422 and "déjà donné votre avis : 5/5" in again.get_data(as_text=True)


def test_a_supplier_cannot_send_itself_a_quote_request_nor_rate_others_meetings(app, client, login, small_fair):
    fair_id = small_fair["fair"]
    meeting_id = place(app, small_fair, "p_grasse", "p_jardins")
    start_slots_now(app, fair_id)
    login(client, small_fair["supplier_jardins"])
    response = client.post(f"/salons/{fair_id}/rendez-vous/{meeting_id}/avis", data={
        "rating": "4", "ask_quote": "1", "quote_title": "Un devis pour moi", "quote_description": "Non"})
    assert response.status_code == 422
    assert "Une demande de devis part d'un acheteur" in response.get_data(as_text=True)
    outsider = app.test_client()
    login(outsider, small_fair["supplier_atelier"])
    assert outsider.post(f"/salons/{fair_id}/rendez-vous/{meeting_id}/avis", data={"rating": "1"}).status_code == 403
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).feedback == []


@pytest.mark.parametrize("rating", ["0", "6", "beaucoup"])
def test_a_rating_out_of_range_is_refused(app, client, login, small_fair, rating):
    meeting_id = place(app, small_fair, "p_grasse", "p_jardins")
    start_slots_now(app, small_fair["fair"])
    login(client, small_fair["buyer_grasse"])
    response = client.post(f"/salons/{small_fair['fair']}/rendez-vous/{meeting_id}/avis", data={"rating": rating})
    assert response.status_code == 422
