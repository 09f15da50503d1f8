"""Demo fairs: "SO EKO 2026" in Grasse, past, with its programme held, check-ins,
no-shows and feedback; and "Coventis 2027" in Montpellier, open for registration, with
requests on the way and its programme still to compute. Both run by the demo organiser;
the demo buyer and supplier take part in both. Demo data sends no mail."""

import math
import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from events.fairs import services
from events.fairs.models import Attendee, Fair, Participant, ParticipantRole, ParticipantStatus, Stand, Talk
from events.fairs.schemas import FairSchema
from events.meetings import programme, runs
from events.meetings.models import MeetingFeedback, MeetingRequest, MeetingStatus, RequestStatus
from marketplace.accounts.models import User
from marketplace.demo import history
from marketplace.demo.common import DEMO_DOMAIN, DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.geography.services import commune_for
from marketplace.needs.models import Need
from marketplace.offers.models import Offer
from marketplace.organisations.models import BuyerOrganisation
from marketplace.suppliers.models import ActivityReach, Supplier
from marketplace.suppliers.search_words import reach_text
from marketplace.suppliers.taxonomy import Sector
from marketplace.suppliers.vocabulary import understand
from marketplace.timeutil import paris_to_utc, utc_to_paris, utcnow

BUYER_PITCHES = [
    "Nous préparons le renouvellement de nos marchés de nettoyage et d'espaces verts.",
    "Achats de fournitures, d'impression et d'objets promotionnels : nous cherchons des partenaires inclusifs.",
    "Nous voulons confier la préparation de commandes et le conditionnement à des structures inclusives.",
    "Clauses sociales dans nos travaux de second œuvre : rencontrons les SIAE du territoire.",
    "Restauration collective et traiteur pour nos événements : nous cherchons de nouveaux prestataires.",
]
SUPPLIER_STRENGTHS = [
    "équipes encadrées et formées", "devis sous 48 heures", "heures d'insertion à valoriser dans vos clauses sociales",
    "références auprès des collectivités du territoire", "capacité à répondre en groupement",
]


def buyer_pitch(organisation: BuyerOrganisation) -> str:
    """What an organisation says it comes to a fair for: the same at every fair."""
    return random.Random(f"pitch-{organisation.siret}").choice(BUYER_PITCHES)


def supplier_pitch(supplier: Supplier, rng: random.Random) -> str:
    """An exhibitor's pitch from what it does: its sectors, a strength, where it works."""
    names = list(dict.fromkeys(activity.sector.name for activity in supplier.activities))[:2]
    what = " ; ".join(names) if names else "Prestations de services"
    where = reach_text(supplier.activities[0], supplier) if supplier.activities else ""
    return f"{what}. {rng.choice(SUPPLIER_STRENGTHS).capitalize()}, {where}."


def _form(name, venue, city, day: date, opens: datetime, closes: datetime, tables: int, hall: str) -> dict:
    as_text = "%Y-%m-%dT%H:%M"
    return {
        "name": name, "venue": venue, "city": city, "starts_on": day.isoformat(), "ends_on": day.isoformat(),
        "description": f"Le rendez-vous d'affaires de l'achat inclusif à {city} : acheteurs publics et privés, "
                       "SIAE, entreprises adaptées et ESAT se rencontrent en rendez-vous de 20 minutes.",
        "registration_opens_at": utc_to_paris(opens).strftime(as_text),
        "registration_closes_at": utc_to_paris(closes).strftime(as_text),
        "roles": ["buyer", "supplier", "consortium", "partner"], "table_count": tables,
        "table_names": [f"Table {n} — {hall}" for n in range(1, tables + 1)], "max_requests": 12,
        "max_meetings": 10, "fee_supplier": "60",
        "sessions": [
            {"name": "Matinée", "day": day.isoformat(), "starts": "09:00", "ends": "12:30", "slot_minutes": 20,
             "pause_minutes": 5, "breaks": "10:40-11:00 Pause café"},
            {"name": "Après-midi", "day": day.isoformat(), "starts": "14:00", "ends": "17:00", "slot_minutes": 20,
             "pause_minutes": 5, "breaks": ""},
        ],
    }


def _extras(fair: Fair, day: date, rooms: tuple[str, str]) -> None:
    for hour, title, room in ((9, "Ouverture : l'achat inclusif sur le territoire", rooms[0]),
                              (14, "Table ronde : réussir ses clauses sociales", rooms[1])):
        start = paris_to_utc(datetime.combine(day, datetime.min.time()).replace(hour=hour))
        fair.talks.append(Talk(title=title, room=room, starts_at=start, ends_at=start + timedelta(minutes=45),
                               speakers="Facilitateurs des clauses sociales"))
    for name, holder in (("Stand A1", "Réseau des SIAE"), ("Stand A2", "Union des entreprises adaptées"),
                         ("Stand B1", "Facilitateurs des clauses sociales")):
        fair.stands.append(Stand(name=name, holder=holder))


def _participants(fair: Fair, rng: random.Random, buyers: int, suppliers: int, region: str) -> list[Participant]:
    """Buyer organisations and suppliers (the region's first), registered without mail.
    A buyer's pitch says what it comes to buy; most also tick those sectors."""
    places: dict[str, tuple[str | None, str | None]] = {}
    for organisation in db.session.scalars(select(BuyerOrganisation).order_by(BuyerOrganisation.id)):
        if organisation.postcode not in places:
            commune = commune_for(organisation.postcode, organisation.city)
            places[organisation.postcode] = (commune.region_code, commune.department_code) if commune else (None, None)
    organisations = sorted(db.session.scalars(select(BuyerOrganisation).order_by(BuyerOrganisation.id)),
                           key=lambda o: places[o.postcode][0] != region)[:buyers]
    sectors = {sector.slug: sector for sector in db.session.scalars(select(Sector))}
    people = []
    for organisation in organisations:
        pitch = buyer_pitch(organisation)
        ticked = [sectors[slug] for slug in understand(pitch).sectors if slug in sectors]
        people.append(Participant(fair=fair, role=ParticipantRole.BUYER, buyer_organisation=organisation,
                                  name=organisation.name, region_code=places[organisation.postcode][0],
                                  pitch=pitch, max_meetings=10, sectors=ticked if rng.random() < 0.7 else [],
                                  contact_email=f"salon{organisation.id}@acheteur.{DEMO_DOMAIN}"))
    first = list(db.session.scalars(select(Supplier).order_by(Supplier.id).limit(1)))
    local = db.session.scalars(select(Supplier).where(Supplier.region_code == region, Supplier.id.not_in(
        [s.id for s in first])).order_by(Supplier.id).limit(suppliers - 1))
    for supplier in first + list(local):
        role = ParticipantRole.CONSORTIUM if supplier.is_consortium else ParticipantRole.SUPPLIER
        people.append(Participant(fair=fair, role=role, supplier=supplier, name=supplier.display_name,
                                  region_code=supplier.region_code, supplier_kind=supplier.kind.value,
                                  pitch=supplier_pitch(supplier, rng), max_meetings=8,
                                  contact_email=supplier.email or f"salon{supplier.id}@structure.{DEMO_DOMAIN}",
                                  sectors=list({a.sector_id: a.sector for a in supplier.activities}.values())[:2]))
    for person in people:
        person.status, person.sessions = ParticipantStatus.CONFIRMED, list(fair.sessions)
        if rng.random() < 0.15:  # some come for the morning only
            person.sessions = fair.sessions[:1]
        person.attendees = [Attendee(name=rng.choice(["Claire", "Karim", "Sophie", "Julien", "Nadia", "Thomas"]) +
                                     " " + rng.choice(["Martin", "Haddad", "Garcia", "Roux", "Ferrand", "Blanc"]))]
    db.session.add_all(people)
    db.session.flush()
    return people


def _department(organisation: BuyerOrganisation) -> str | None:
    commune = commune_for(organisation.postcode, organisation.city)
    return commune.department_code if commune else None


class Motives:
    """Why a buyer and a supplier want to meet, as the demo imagines it: a sector the
    buyer comes for that the supplier works in, the supplier working in the buyer's
    department, the supplier being of a kind the buyer buys from by policy (EA and ESAT
    for a company's employment obligation, SIAE for a public buyer's social clauses), and
    the supplier having answered one of the buyer's needs this past year
    (demo/history.py); the rest is chance (added by the caller)."""

    FIT, NEAR, BOTH, KIND, ANSWERED = 2.0, 1.0, 0.8, 1.5, 2.0

    def __init__(self, people: list[Participant]):
        buyers = [p for p in people if p.role == ParticipantRole.BUYER]
        self.wants = {p.id: set(understand(p.pitch).sectors) | {s.slug for s in p.sectors} for p in buyers}
        self.department = {p.id: _department(p.buyer_organisation) for p in buyers}
        self.policy = {p.id: {kind.value for kind in history.buying_policy(p.buyer_organisation)} for p in buyers}
        slugs = dict(db.session.execute(select(Sector.id, Sector.slug)).all())
        self.offers: dict[int, set[str]] = {}
        self.reach: dict[int, set[str]] = {}
        by_supplier = {p.supplier_id: p.id for p in people if p.supplier_id}
        for supplier_id, sector_id, code in db.session.execute(select(
                ActivityReach.supplier_id, ActivityReach.sector_id, ActivityReach.department_code).where(
                ActivityReach.supplier_id.in_(by_supplier)).distinct()):
            self.offers.setdefault(by_supplier[supplier_id], set()).add(slugs[sector_id])
            self.reach.setdefault(by_supplier[supplier_id], set()).add(code)
        by_organisation = {p.buyer_organisation_id: p.id for p in buyers}
        self.answered = {(by_organisation[organisation], by_supplier[supplier]) for organisation, supplier in
                         db.session.execute(select(Need.organisation_id, Offer.supplier_id).join(
                             Offer, Offer.need_id == Need.id).where(Need.organisation_id.in_(by_organisation),
                                                                    Offer.supplier_id.in_(by_supplier)))}

    def fit(self, buyer: Participant, supplier: Participant) -> bool:
        return bool(self.wants[buyer.id] & self.offers.get(supplier.id, set()))

    def near(self, buyer: Participant, supplier: Participant) -> bool:
        reach = self.reach.get(supplier.id, set())
        return self.department[buyer.id] in reach or "*" in reach

    def value(self, buyer: Participant, supplier: Participant) -> float:
        """How much they want to meet, without the chance."""
        fit, near = self.fit(buyer, supplier), self.near(buyer, supplier)
        return (self.FIT * fit + self.NEAR * near + self.BOTH * (fit and near)
                + self.KIND * (supplier.supplier_kind in self.policy[buyer.id])
                + self.ANSWERED * ((buyer.id, supplier.id) in self.answered))


def _requests(fair: Fair, people: list[Participant], rng: random.Random, answered: float) -> list[MeetingRequest]:
    """Each buyer asks the seven suppliers it wants most, each supplier two buyers: what
    they want (Motives) with a share of chance; a request that fits is more often
    accepted."""
    buyers = [p for p in people if p.role == ParticipantRole.BUYER]
    suppliers = [p for p in people if p.role != ParticipantRole.BUYER]
    motives = Motives(people)
    made, pairs = [], set()

    def utility(buyer, supplier) -> float:
        chance = -math.log(-math.log(rng.random() or 1e-12))  # Gumbel: the pick of the best is a softmax
        return motives.value(buyer, supplier) + chance

    def ask(requester, recipient, buyer, supplier):
        if (requester.id, recipient.id) in pairs or (recipient.id, requester.id) in pairs:
            return
        pairs.add((requester.id, recipient.id))
        status = RequestStatus.PENDING
        if rng.random() < answered:
            fit = motives.fit(buyer, supplier)
            status = RequestStatus.ACCEPTED if rng.random() < (0.9 if fit else 0.6) else RequestStatus.DECLINED
        made.append(MeetingRequest(fair_id=fair.id, requester_id=requester.id, recipient_id=recipient.id,
                                   priority=rng.choice((1, 2, 2, 3)), status=status,
                                   message="Nous aimerions vous présenter nos besoins.",
                                   decided_at=utcnow() if status != RequestStatus.PENDING else None))

    for buyer in buyers:
        for supplier in sorted(suppliers, key=lambda s: -utility(buyer, s))[:7]:
            ask(buyer, supplier, buyer, supplier)
    for supplier in suppliers:
        for buyer in sorted(buyers, key=lambda b: -utility(b, supplier))[:2]:
            ask(supplier, buyer, buyer, supplier)
    db.session.add_all(made)
    db.session.flush()
    return made


def _hold_the_day(fair: Fair, people: list[Participant], rng: random.Random) -> None:
    """The past fair's day: check-ins, meetings held or missed, feedback from both sides
    (better, and more often with a follow-up, when the meeting fit)."""
    motives = Motives(people)
    for person in people:
        if rng.random() < 0.97:
            day_start = min(slot.starts_at for session in person.sessions for slot in session.slots)
            person.checked_in_at = day_start - timedelta(minutes=rng.randint(5, 40))
    for meeting in programme.meetings_of_fair(fair):
        meeting.published_at = fair.programme_published_at
        absent = next((p for p in (meeting.a, meeting.b) if p.checked_in_at is None), None)
        if absent is not None:
            meeting.status, meeting.absent_id = MeetingStatus.NO_SHOW, absent.id
            meeting.seats.clear()
            continue
        meeting.status = MeetingStatus.HELD
        buyer, supplier = (meeting.a, meeting.b) if meeting.a.role == ParticipantRole.BUYER else (meeting.b, meeting.a)
        fit, near = ((motives.fit(buyer, supplier), motives.near(buyer, supplier))
                     if buyer.role == ParticipantRole.BUYER else (False, False))
        for person in (meeting.a, meeting.b):
            if rng.random() < 0.6:
                meeting.feedback.append(MeetingFeedback(
                    participant_id=person.id, rating=rng.choice((4, 5, 5) if fit and near else (3, 4, 4, 5) if fit
                                                                else (2, 3, 3, 4)),
                    follow_up=rng.random() < (0.5 if fit else 0.15),
                    created_at=meeting.slot.ends_at + timedelta(hours=2)))


def _history(people: list[Participant]) -> None:
    """The buyers' past year on the marketplace (demo/history.py), for those new to it."""
    organisations = [p.buyer_organisation for p in people if p.buyer_organisation is not None]
    history.load_buyers_history(organisations, {o.id: buyer_pitch(o) for o in organisations},
                                random.Random(f"history-{people[0].fair.name}"), DEMO_DOMAIN, DEMO_PASSWORD)


def _schedule(fair: Fair, organiser: User) -> None:
    run = runs.start_run(fair, organiser)
    db.session.commit()
    runs.execute_run(run.id)


def load_demo_fairs(organiser: User) -> int:
    """Returns how many fairs were created (none if the demo fairs exist)."""
    if db.session.scalar(select(Fair.id).where(Fair.name == "SO EKO 2026")) is not None:
        return 0
    rng = random.Random(2026)
    buyers = db.session.query(BuyerOrganisation).count()
    suppliers = db.session.query(Supplier).count()

    day = date(2026, 6, 18)
    past = services.create_fair(FairSchema().load(_form(
        "SO EKO 2026", "Palais des congrès", "Grasse", day, paris_to_utc(datetime(2026, 3, 1, 9)),
        paris_to_utc(datetime(2026, 6, 10, 18)), 40, "Espace Fragonard")), organiser)
    _extras(past, day, ("Auditorium", "Salle Fragonard"))
    people = _participants(past, rng, min(80, buyers), min(220, suppliers), "93")
    _history(people)
    _requests(past, people, rng, answered=1.0)
    _schedule(past, organiser)
    past.programme_published_at = paris_to_utc(datetime(2026, 6, 12, 10))
    _hold_the_day(past, people, rng)

    day = date(2027, 3, 18)
    upcoming = services.create_fair(FairSchema().load(_form(
        "Coventis 2027", "Parc des expositions", "Montpellier", day, utcnow() - timedelta(days=10),
        paris_to_utc(datetime(2027, 3, 10, 18)), 35, "Hall B")), organiser)
    _extras(upcoming, day, ("Amphithéâtre", "Salle Occitanie"))
    rng = random.Random(2027)  # its own draws: the same fair whatever the first one's programme came to
    people = _participants(upcoming, rng, min(70, buyers), min(190, suppliers), "76")
    _history(people)
    _requests(upcoming, people, rng, answered=0.6)
    db.session.flush()
    return 2
