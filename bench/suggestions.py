"""How fast the fair suggestions answer at a large fair (events/meetings/suggestions.py).

    python -m bench.suggestions [--buyers 1000] [--suppliers 2000] [--database URL]

Builds demo data large enough (a supplier in ten at the fair), then one fair with
`--buyers` buyer organisations and `--suppliers` suppliers, registered and confirmed,
the buyers with their past year on the marketplace (demo/history.py) and seven
requests each. Prints the time to read the fair (FairSuggestions), one participant's
suggestions as their pages ask for them (first and next views), every participant's
top 5, and the organiser's plan of suggested wishes (auto_wishes.plan).
"""

import argparse
import os
import random
import statistics
import tempfile
import time


def _fair(buyers: int, suppliers: int):
    from datetime import date, datetime, timedelta

    from sqlalchemy import select

    from events.fairs import services
    from events.fairs.models import Attendee, Participant, ParticipantRole, ParticipantStatus
    from events.fairs.schemas import FairSchema
    from events.meetings.models import MeetingRequest, RequestStatus
    from marketplace.accounts.models import User
    from marketplace.demo.fairs import _form, _history, buyer_pitch, supplier_pitch
    from marketplace.extensions import db
    from marketplace.organisations.models import BuyerOrganisation
    from marketplace.suppliers.models import Supplier
    from marketplace.suppliers.taxonomy import Sector
    from marketplace.suppliers.vocabulary import understand
    from marketplace.timeutil import paris_to_utc, utcnow

    rng = random.Random(7)
    organiser = db.session.scalar(select(User).where(User.email == "organisateur@demo.marche-inclusif.fr"))
    day = date(2027, 6, 17)
    fair = services.create_fair(FairSchema().load(_form(
        "Grand salon 2027", "Parc des expositions", "Lyon", day, utcnow() - timedelta(days=5),
        paris_to_utc(datetime(2027, 6, 1, 18)), 200, "Hall 1")), organiser)
    sectors = {sector.slug: sector for sector in db.session.scalars(select(Sector))}
    people = []
    for organisation in db.session.scalars(select(BuyerOrganisation).order_by(BuyerOrganisation.id).limit(buyers)):
        pitch = buyer_pitch(organisation)
        people.append(Participant(fair=fair, role=ParticipantRole.BUYER, buyer_organisation=organisation,
                                  name=organisation.name, pitch=pitch, max_meetings=10,
                                  sectors=[sectors[s] for s in understand(pitch).sectors if s in sectors],
                                  contact_email=f"grand{organisation.id}@acheteur.example.org"))
    for supplier in db.session.scalars(select(Supplier).order_by(Supplier.id).limit(suppliers)):
        people.append(Participant(fair=fair, role=ParticipantRole.SUPPLIER, supplier=supplier,
                                  name=supplier.display_name, supplier_kind=supplier.kind.value,
                                  pitch=supplier_pitch(supplier, rng), max_meetings=8,
                                  contact_email=f"grand{supplier.id}@structure.example.org"))
    for person in people:
        person.status, person.sessions = ParticipantStatus.CONFIRMED, list(fair.sessions)
        person.attendees = [Attendee(name="Camille Durand")]
    db.session.add_all(people)
    db.session.flush()
    _history(people)
    the_suppliers = [p for p in people if p.role != ParticipantRole.BUYER]
    for buyer in (p for p in people if p.role == ParticipantRole.BUYER):
        for supplier in rng.sample(the_suppliers, 7):
            db.session.add(MeetingRequest(fair_id=fair.id, requester_id=buyer.id, recipient_id=supplier.id,
                                          priority=2, status=RequestStatus.ACCEPTED if rng.random() < 0.6
                                          else RequestStatus.PENDING))
    fair.auto_wishes_below = 5
    db.session.commit()
    return fair


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=1000)
    parser.add_argument("--suppliers", type=int, default=2000)
    parser.add_argument("--database", default=None, help="a database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    import logging

    from flask_migrate import upgrade

    from bench.recommendations import _app
    from events.fairs.models import Participant
    from events.meetings import auto_wishes
    from events.meetings.suggestions import FairSuggestions, suggestions_for
    from marketplace import demo
    from marketplace.extensions import db

    database = args.database or f"sqlite:///{os.path.join(tempfile.mkdtemp(prefix='bench-suggestions-'), 'b.db')}"
    app = _app(database)
    with app.app_context():
        started = time.monotonic()
        logging.disable(logging.INFO)  # alembic's configuration would print every migration
        upgrade()
        logging.disable(logging.NOTSET)
        demo.load_demo_data(max(args.buyers, 200), max(args.suppliers, 2000))
        fair = _fair(args.buyers, args.suppliers)
        print(f"data built in {time.monotonic() - started:.0f} s: a fair of {args.buyers} buyers and "
              f"{args.suppliers} suppliers on {db.engine.dialect.name}")
        fair_id = fair.id

        def timed(work) -> float:
            db.session.expire_all()
            begun = time.perf_counter()
            work()
            return 1000 * (time.perf_counter() - begun)

        reading = timed(lambda: FairSuggestions(db.session.get(type(fair), fair_id)))
        print(f"read the fair (FairSuggestions): {reading:.0f} ms")
        rng = random.Random(1)
        ids = rng.sample(sorted(db.session.scalars(db.select(Participant.id).where(
            Participant.fair_id == fair_id))), 20)
        views = [timed(lambda pid=pid: suggestions_for(db.session.get(Participant, pid))) for pid in ids]
        print(f"a participant's page (suggestions_for, 20 views): first {views[0]:.0f} ms, "
              f"median {statistics.median(views):.0f} ms, worst {max(views):.0f} ms")
        suggestions = FairSuggestions(db.session.get(type(fair), fair_id))
        every = timed(lambda: [suggestions.for_participant(pid) for pid in suggestions.profiles])
        print(f"every participant's top 5 from one reading: {every:.0f} ms "
              f"({every / len(suggestions.profiles):.1f} ms each)")
        print(f"the organiser's plan of suggested wishes (auto_wishes.plan): "
              f"{timed(lambda: auto_wishes.plan(db.session.get(type(fair), fair_id))):.0f} ms")


if __name__ == "__main__":
    main()
