"""The organiser's results, against a small fair counted by hand; the fair's history."""

from datetime import date, timedelta

from sqlalchemy import select

from events.fairs import registration
from events.fairs.models import Fair, Participant
from events.meetings import day, programme
from events.meetings.models import Meeting, MeetingRequest
from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.timeutil import utcnow
from tests.events.fairs.test_day import place, start_slots_now


def play_the_fair(app, ids, ask):
    """Five participants (2 buyers, 3 suppliers). Requests: three accepted, one pending,
    one withdrawn. Meetings: Grasse-Jardins held (both rate it: 4 with a quote request,
    5 with a follow-up), Atelier-Nice missed (Nice absent), Grasse-Propreté cancelled.
    Grasse, Jardins and Atelier checked in."""
    ask(ids["buyer_nice"], ids["p_nice"], ids["p_proprete"])
    withdrawn = ask(ids["buyer_grasse"], ids["p_grasse"], ids["p_atelier"])
    held = place(app, ids, "p_grasse", "p_jardins", 0)
    missed = place(app, ids, "p_atelier", "p_nice", 0)
    cancelled = place(app, ids, "p_grasse", "p_proprete", 1)
    start_slots_now(app, ids["fair"])
    with app.app_context():
        get = db.session.get
        organiser = get(User, ids["organiser"])
        programme.withdraw_request(get(MeetingRequest, withdrawn), get(User, ids["buyer_grasse"]))
        for key in ("p_grasse", "p_jardins", "p_atelier"):
            registration.check_in(get(Participant, ids[key]), organiser)
        day.give_feedback(get(Meeting, held), get(Participant, ids["p_grasse"]), {
            "rating": 4, "follow_up": False, "quote_request": {
                "title": "Entretien des parcs", "description": "Deux hectares", "deadline": utcnow() + timedelta(
                    days=10)}}, get(User, ids["buyer_grasse"]))
        day.give_feedback(get(Meeting, held), get(Participant, ids["p_jardins"]),
                          {"rating": 5, "follow_up": True}, get(User, ids["supplier_jardins"]))
        day.mark_no_show(get(Meeting, missed), get(Participant, ids["p_nice"]), organiser)
        programme.cancel_meeting(get(Meeting, cancelled), organiser)
        db.session.commit()


def test_the_dashboard_matches_a_fair_counted_by_hand(app, client, login, small_fair, ask):
    play_the_fair(app, small_fair, ask)
    login(client, small_fair["organiser"])
    figures = client.get(f"/salons/{small_fair['fair']}/resultats", headers={"Accept": "application/json"}).get_json()[
        "figures"]
    assert figures == {
        "Inscrits — Acheteur": "2", "Inscrits — Structure inclusive": "3", "Inscrits — Groupement": "0",
        "Inscrits — Partenaire (facilitateur, réseau…)": "0", "Participants": "5",
        "Présents (enregistrés à l'accueil)": "3", "Demandes de rendez-vous": "4",
        "Demandes acceptées ou retenues": "3", "Rendez-vous programmés": "2", "Rendez-vous tenus": "1",
        "Absences": "1", "Rendez-vous de dernière minute": "0",
        "Part des participants avec au moins un rendez-vous": "40 %", "Rendez-vous par participant": "0,4",
        "Avis reçus": "2", "Satisfaction moyenne (sur 5)": "4,5", "Suites prévues": "2",
        "Demandes de devis créées": "1",
    }
    page = client.get(f"/salons/{small_fair['fair']}/resultats").get_data(as_text=True)
    assert "<svg" in page and "Inscrits par profil" in page and "4,5 / 5" in page
    csv = client.get(f"/salons/{small_fair['fair']}/resultats?format=csv")
    assert csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert "Satisfaction moyenne (sur 5);4,5" in text
    assert "Ville de Nice;Acheteur;non;0;0;1" in text


def test_past_fairs_stay_browsable_with_their_figures(app, client, small_fair, ask):
    play_the_fair(app, small_fair, ask)
    with app.app_context():
        fair = db.session.get(Fair, small_fair["fair"])
        fair.starts_on = fair.ends_on = date.today() - timedelta(days=40)
        db.session.commit()
    page = client.get("/salons").get_data(as_text=True)
    past = page[page.index("Salons passés"):]
    assert "SO EKO 2027" in past and ">5<" in past.replace(" ", "")
    fair_page = client.get(f"/salons/{small_fair['fair']}").get_data(as_text=True)
    assert "5 participants, 1 rendez-vous d'affaires." in fair_page
    with app.app_context():
        assert db.session.scalar(select(Fair.name)) == "SO EKO 2027"
