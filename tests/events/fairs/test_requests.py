"""Meeting requests: asked with a message and a priority, answered only by the recipient,
limited per participant; wishes mode weighs mutual wishes more; must-meet pairs."""

import pytest
from sqlalchemy import select

from events.fairs.models import Fair, Participant
from events.meetings.models import MeetingRequest, RequestStatus
from events.meetings.requests import MUST_MEET_WEIGHT, scheduling_requests
from marketplace.extensions import db


def status_of(app, request_id):
    with app.app_context():
        return db.session.get(MeetingRequest, request_id).status


def test_a_request_is_mailed_to_the_recipient_who_accepts_it(app, client, login, small_fair, mailbox):
    fair_id = small_fair["fair"]
    login(client, small_fair["buyer_nice"])
    mailbox.clear()
    response = client.post(f"/salons/{fair_id}/participants/{small_fair['p_jardins']}/demander",
                           data={"priority": "1", "message": "Vos tarifs pour nos parcs ?"})
    assert response.status_code == 302
    [message] = mailbox.wait_for(1)
    assert message["To"] == "agenda@jardins.fr" and "Ville de Nice souhaite vous rencontrer" in message["Subject"]
    assert "Vos tarifs pour nos parcs ?" in mailbox.text(message)
    with app.app_context():
        made = db.session.scalar(select(MeetingRequest).where(MeetingRequest.requester_id == small_fair["p_nice"],
                                                              MeetingRequest.recipient_id == small_fair["p_jardins"]))
        request_id = made.id

    # Only the recipient answers: the requester and a third party cannot.
    assert client.post(f"/salons/{fair_id}/demandes/{request_id}/accepter").status_code == 403
    other = app.test_client()
    login(other, small_fair["supplier_proprete"])
    assert other.post(f"/salons/{fair_id}/demandes/{request_id}/accepter").status_code == 403
    assert status_of(app, request_id) == RequestStatus.PENDING

    recipient = app.test_client()
    login(recipient, small_fair["supplier_jardins"])
    page = recipient.get(f"/salons/{fair_id}/demandes").get_data(as_text=True)
    assert "Vos tarifs pour nos parcs ?" in page
    mailbox.clear()
    assert recipient.post(f"/salons/{fair_id}/demandes/{request_id}/accepter").status_code == 302
    assert status_of(app, request_id) == RequestStatus.ACCEPTED
    [answer] = mailbox.wait_for(1)
    assert answer["To"] == "agenda@nice.fr" and "accepté" in answer["Subject"]
    # Answering twice is refused with a message, and changes nothing.
    response = recipient.post(f"/salons/{fair_id}/demandes/{request_id}/refuser", follow_redirects=True)
    assert "Cette demande est déjà acceptée." in response.get_data(as_text=True)
    assert status_of(app, request_id) == RequestStatus.ACCEPTED


def test_a_participant_sees_only_their_own_requests(app, client, login, small_fair):
    login(client, small_fair["supplier_proprete"])
    data = client.get(f"/salons/{small_fair['fair']}/demandes", headers={"Accept": "application/json"}).get_json()
    ids = {r["id"] for r in data["sent"] + data["received"]}
    assert ids == {small_fair["r2"]}


def test_requests_to_oneself_twice_or_beyond_the_limit_are_refused(app, small_fair, ask, organiser, make_fair,
                                                                   make_user, make_supplier, register):
    from marketplace.errors import Conflict, DomainError

    with pytest.raises(DomainError, match="à vous-même"):
        ask(small_fair["buyer_grasse"], small_fair["p_grasse"], small_fair["p_grasse"])
    with pytest.raises(Conflict, match="déjà demandé"):
        ask(small_fair["buyer_grasse"], small_fair["p_grasse"], small_fair["p_jardins"])
    with pytest.raises(Conflict, match="acceptez sa demande"):
        ask(small_fair["supplier_jardins"], small_fair["p_jardins"], small_fair["p_grasse"])

    fair_id = make_fair(organiser, name="Petit salon", max_requests="2")
    me = make_user(role="supplier")
    mine = register(me, fair_id, f"supplier:{make_supplier(name='Demandeur', member_id=me)}")
    others = []
    for i in range(3):
        user = make_user(role="supplier")
        others.append(register(user, fair_id, f"supplier:{make_supplier(name=f'Cible {i}', member_id=user)}"))
    ask(me, mine, others[0])
    ask(me, mine, others[1])
    with pytest.raises(DomainError, match="limite de 2 demandes"):
        ask(me, mine, others[2])


def test_accepting_stops_at_the_participant_s_meeting_cap(app, organiser, make_fair, make_user, make_supplier,
                                                          register, ask):
    from marketplace.errors import DomainError

    fair_id = make_fair(organiser)
    host_user = make_user(role="supplier")
    host = register(host_user, fair_id, f"supplier:{make_supplier(name='Très demandée', member_id=host_user)}",
                    max_meetings=1)
    guests = []
    for i in range(2):
        user = make_user(role="supplier")
        guests.append((user, register(user, fair_id, f"supplier:{make_supplier(name=f'Invité {i}', member_id=user)}")))
    ask(guests[0][0], guests[0][1], host, accept_as=host_user)
    with pytest.raises(DomainError, match="autant de rendez-vous qu'il en souhaite"):
        ask(guests[1][0], guests[1][1], host, accept_as=host_user)


def test_in_wishes_mode_mutual_wishes_weigh_more_and_must_meet_most(app, organiser, make_fair, make_user,
                                                                     make_supplier, register, ask, client, login):
    fair_id = make_fair(organiser, mode="wishes")
    people = []
    for i in range(3):
        user = make_user(role="supplier")
        people.append((user, register(user, fair_id, f"supplier:{make_supplier(name=f'P{i}', member_id=user)}")))
    (u0, p0), (u1, p1), (u2, p2) = people
    ask(u0, p0, p1, priority=1)
    ask(u1, p1, p0, priority=3)  # a mutual wish: allowed in wishes mode
    ask(u0, p0, p2, priority=1)
    with app.app_context():
        fair = db.session.get(Fair, fair_id)
        weights = {(r["from"], r["to"]): r["weight"] for r in scheduling_requests(fair)}
    assert weights[(p0, p1)] + weights[(p1, p0)] > weights[(p0, p2)]
    assert weights[(p0, p1)] == 3 + 2 and weights[(p1, p0)] == 1 + 2

    # In wishes mode nobody accepts or declines: the organiser's scheduler decides.
    recipient = app.test_client()
    login(recipient, u2)
    with app.app_context():
        request_id = db.session.scalar(select(MeetingRequest.id).where(MeetingRequest.recipient_id == p2))
    response = recipient.post(f"/salons/{fair_id}/demandes/{request_id}/accepter", follow_redirects=True)
    assert "arbitrés par l'organisateur" in response.get_data(as_text=True)

    login(client, organiser)
    client.post(f"/salons/{fair_id}/incontournables", data={"a": str(p1), "b": str(p2)})
    with app.app_context():
        fair = db.session.get(Fair, fair_id)
        weights = {frozenset((r["from"], r["to"])): r["weight"] for r in scheduling_requests(fair)}
        assert weights[frozenset((p1, p2))] == MUST_MEET_WEIGHT
        assert db.session.get(Participant, p1).fair_id == fair_id


def test_a_declined_request_is_mailed_back_and_never_scheduled(app, client, login, small_fair, ask, mailbox):
    made = ask(small_fair["buyer_nice"], small_fair["p_nice"], small_fair["p_jardins"])
    recipient = app.test_client()
    login(recipient, small_fair["supplier_jardins"])
    mailbox.clear()
    assert recipient.post(f"/salons/{small_fair['fair']}/demandes/{made}/refuser").status_code == 302
    assert status_of(app, made) == RequestStatus.DECLINED
    [answer] = [m for m in mailbox.wait_for(1) if m["To"] == "agenda@nice.fr"]
    assert "décliné" in answer["Subject"]
    with app.app_context():
        fair = db.session.get(Fair, small_fair["fair"])
        assert made not in {r["id"] for r in scheduling_requests(fair)}
