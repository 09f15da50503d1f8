"""Factories for fairs: an organiser's fair (built through the schema and the services,
as the form would), registrations, requests and meetings."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from events.fairs import registration, services
from events.fairs.models import Fair, Participant
from events.fairs.schemas import FairSchema, RegistrationSchema
from events.meetings import requests
from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.suppliers.taxonomy import Sector
from marketplace.timeutil import utc_to_paris, utcnow


def fair_form(**fields) -> dict:
    """What the organiser types: one day, 09:00-12:00 in 20-minute slots with a 5-minute
    pause and a coffee break, 4 tables; registration open since yesterday."""
    day = fields.pop("day", date.today() + timedelta(days=30))
    now = utc_to_paris(utcnow())
    form = {
        "name": "SO EKO 2027", "venue": "Palais des congrès", "city": "Grasse", "starts_on": day.isoformat(),
        "ends_on": day.isoformat(), "registration_opens_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "registration_closes_at": (now + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "roles": ["buyer", "supplier", "consortium", "partner"], "table_count": 4, "max_requests": 10,
        "max_meetings": 8,
        "sessions": [{"name": "Matin", "day": day.isoformat(), "starts": "09:00", "ends": "12:00",
                      "slot_minutes": 20, "pause_minutes": 5, "breaks": "10:30-10:45 Café"}],
    }
    form.update(fields)
    return form


@pytest.fixture
def organiser(make_user):
    return make_user(role=Role.ORGANISER, email="organisatrice@so-eko.fr", first_name="Nadia", last_name="Ferrand")


@pytest.fixture
def make_fair(app):
    def make(organiser_id: int, **fields) -> int:
        with app.app_context():
            fair = services.create_fair(FairSchema().load(fair_form(**fields)), db.session.get(User, organiser_id))
            db.session.commit()
            return fair.id

    return make


def sector_ids(*slugs) -> list[int]:
    return list(db.session.scalars(select(Sector.id).where(Sector.slug.in_(slugs))))


def registration_data(fair: Fair, **fields) -> dict:
    data = {"pitch": "Nous achetons des prestations de nettoyage et d'espaces verts.",
            "sessions": [s.id for s in fair.sessions], "max_meetings": 5, "contact_email": "contact@example.org",
            "sectors": sector_ids("nettoyage")}
    data.update(fields)
    return RegistrationSchema().load(data)


@pytest.fixture
def register(app):
    """Register an organisation (identity "buyer:<id>", "supplier:<id>" or "partner") as
    the given user; returns the participant id."""

    def do(user_id: int, fair_id: int, identity: str, **fields) -> int:
        with app.app_context():
            fair = db.session.get(Fair, fair_id)
            data = registration_data(fair, **fields)
            if identity == "partner":
                data["name"] = fields.get("name", "Facilitateur des clauses sociales")
            participant = registration.register(fair, identity, data, db.session.get(User, user_id))
            db.session.commit()
            return participant.id

    return do


@pytest.fixture
def ask(app):
    """Participant `from_id` (acting as user `user_id`) asks `to_id`; returns the request id."""

    def do(user_id: int, from_id: int, to_id: int, priority: int = 2, accept_as: int | None = None) -> int:
        with app.app_context():
            made = requests.ask_meeting(db.session.get(Participant, from_id), db.session.get(Participant, to_id),
                                        {"priority": priority, "message": "Bonjour"}, db.session.get(User, user_id))
            if accept_as:
                requests.answer_request(made, True, db.session.get(User, accept_as))
            db.session.commit()
            return made.id

    return do


@pytest.fixture
def small_fair(app, organiser, make_fair, make_user, make_organisation, make_supplier, register, ask):
    """A fair with two buyers and three suppliers, each acting through their own user,
    and three accepted requests."""
    ids = {"organiser": organiser, "fair": make_fair(organiser)}
    for name in ("grasse", "nice"):
        user = make_user(email=f"acheteur@{name}.fr", first_name=name.title())
        organisation = make_organisation(user, name=f"Ville de {name.title()}")
        ids[f"buyer_{name}"] = user
        ids[f"p_{name}"] = register(user, ids["fair"], f"buyer:{organisation}", contact_email=f"agenda@{name}.fr")
    for name in ("jardins", "proprete", "atelier"):
        user = make_user(role=Role.SUPPLIER, email=f"contact@{name}.fr", first_name=name.title())
        supplier = make_supplier(name=f"Structure {name.title()}", member_id=user, email=f"devis@{name}.fr",
                                 kind="ESAT" if name == "atelier" else "EI")
        ids[f"supplier_{name}"] = user
        ids[f"s_{name}"] = supplier
        ids[f"p_{name}"] = register(user, ids["fair"], f"supplier:{supplier}", contact_email=f"agenda@{name}.fr",
                                    pitch=f"Structure {name} : entretien, espaces verts et sous-traitance.")
    ids["r1"] = ask(ids["buyer_grasse"], ids["p_grasse"], ids["p_jardins"], 1, accept_as=ids["supplier_jardins"])
    ids["r2"] = ask(ids["buyer_grasse"], ids["p_grasse"], ids["p_proprete"], 2, accept_as=ids["supplier_proprete"])
    ids["r3"] = ask(ids["supplier_atelier"], ids["p_atelier"], ids["p_nice"], 1, accept_as=ids["buyer_nice"])
    with app.app_context():  # the setup's mails go out now, not into the tests' mailboxes
        from marketplace.outbox.services import deliver_pending

        deliver_pending()
    return ids
