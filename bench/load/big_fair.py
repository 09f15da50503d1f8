"""A large fair for the load benchmark and the fault tests: thousands of participants
with accepted requests, its programme still to compute.

    python -m bench.load.big_fair --participants 3000   (DATABASE_URL names the database)
"""

import argparse
import random
from datetime import date, timedelta

from sqlalchemy import insert, select

PASSWORD = "demo-inclusif-2026"


def create_big_fair(organiser, participants: int, requests_each: int = 12, tables: int = 250, seed: int = 7) -> int:
    """The fair's id; `organiser` (a User) runs it. Rows are inserted in bulk."""
    from events.fairs import services
    from events.fairs.models import Participant, ParticipantRole, participant_sessions
    from events.fairs.schemas import FairSchema
    from events.meetings.models import MeetingRequest, RequestStatus
    from marketplace.extensions import db
    from marketplace.timeutil import utc_to_paris, utcnow

    day = date.today() + timedelta(days=60)
    now = utc_to_paris(utcnow())
    fair = services.create_fair(FairSchema().load({
        "name": f"Grand salon ({participants} participants)", "venue": "Parc des expositions", "city": "Lyon",
        "starts_on": day.isoformat(), "ends_on": day.isoformat(), "roles": ["buyer", "supplier", "partner"],
        "registration_opens_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "registration_closes_at": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "table_count": tables, "max_meetings": 12, "max_requests": 20,
        "sessions": [{"name": "Journée", "day": day.isoformat(), "starts": "08:00", "ends": "18:00",
                      "slot_minutes": 20, "pause_minutes": 0, "breaks": ""}]}), organiser)
    db.session.flush()
    ids = list(db.session.scalars(insert(Participant).returning(Participant.id), [
        {"fair_id": fair.id, "role": ParticipantRole.PARTNER, "name": f"Participant {i}", "pitch": "Rencontres",
         "contact_email": f"p{i}@example.org", "max_meetings": 12, "status": "confirmed"}
        for i in range(participants)]))
    db.session.execute(insert(participant_sessions), [{"participant_id": i, "session_id": fair.sessions[0].id}
                                                      for i in ids])
    rng, pairs = random.Random(seed), set()
    for a in ids:
        for b in rng.sample(ids, requests_each):
            if a != b and (b, a) not in pairs:
                pairs.add((a, b))
    db.session.execute(insert(MeetingRequest), [
        {"fair_id": fair.id, "requester_id": a, "recipient_id": b, "priority": rng.choice((1, 2, 3)),
         "status": RequestStatus.ACCEPTED} for a, b in sorted(pairs)])
    db.session.commit()
    return fair.id


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=3000)
    args = parser.parse_args()
    from marketplace.accounts.models import User
    from marketplace.app import create_app
    from marketplace.extensions import db

    with create_app().app_context():
        organiser = db.session.scalar(select(User).where(User.email == "organisateur@demo.marche-inclusif.fr"))
        fair_id = create_big_fair(organiser, args.participants)
        print(f"Fair {fair_id}: {args.participants} participants, run by {organiser.email}")


if __name__ == "__main__":
    main()
