"""What the fair suggestions know of a fair (events/meetings/suggestions.py), read once
as plain data: each participant's profile (what a buyer wants, from the sectors ticked,
its pitch and its needs of the past year; what a supplier offers and where, from its
activities and the directory's reach rows), which of the buyers' needs each supplier
matches (needs.matching) or made an offer on, the kinds of structure the needs ask for,
and the follow-ups planned after earlier fairs; then, for any buyer and supplier, the
facts they share, and for any participant, those who share at least one."""

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from events.fairs.models import Fair, Participant, ParticipantRole
from events.fairs.registration import confirmed_only
from events.meetings.models import Meeting, MeetingFeedback
from marketplace.extensions import db
from marketplace.geography.services import commune_for
from marketplace.needs.matching import matching_suppliers
from marketplace.needs.models import Need, NeedLot, NeedStatus
from marketplace.offers.models import Offer, OfferStatus
from marketplace.suppliers.models import FRANCE_WIDE, ActivityReach
from marketplace.suppliers.taxonomy import Sector
from marketplace.suppliers.vocabulary import understand
from marketplace.timeutil import utcnow

NEEDS_PAST = timedelta(days=365)  # the needs that say what a buyer buys


@dataclass(frozen=True)
class NeedFact:
    """A buyer's need, as the reasons name it."""

    id: int
    title: str
    sector: str  # its first sector's name, in lower case ("" if none)


@dataclass
class Profile:
    """What the suggestions know of a participant: plain data, kept between requests."""

    id: int
    name: str
    buyer: bool
    identity: tuple[str, int | None]  # the organisation or supplier behind them, across fairs
    supplier_kind: str | None
    ticked: set[int] = field(default_factory=set)  # sectors ticked when registering
    wants: dict[int, str] = field(default_factory=dict)  # sector -> how we know (buyers)
    offers: set[int] = field(default_factory=set)  # sectors (suppliers)
    department: str | None = None  # a buyer's
    reach: dict[int, set[str]] = field(default_factory=dict)  # a supplier's sector -> departments
    needs: list[NeedFact] = field(default_factory=list)  # a buyer's, this past year
    kinds: set[str] = field(default_factory=set)  # the kinds of structure a buyer's needs ask for


@dataclass
class Facts:
    """What a buyer and a supplier share: the score and the reasons are read from it."""

    shared: list[int]  # sectors one wants and the other offers
    near: list[int]  # ... of them, where the supplier reaches the buyer's department
    reaches: bool  # the supplier works in the buyer's department
    kind: str | None  # the supplier's kind, when the buyer's needs ask for it
    offered: list[NeedFact]  # the buyer's needs the supplier made an offer on
    needs: list[NeedFact]  # the buyer's other needs it matches
    met: str | None  # the earlier fair where they met and planned a follow-up


class FairReading:
    """A fair's participants as the suggestions read them, in plain data: the profiles,
    which of the buyers' needs each supplier matches or answered, and the follow-ups of
    earlier fairs. Reading it is the costly part; pages share one for READING_KEPT
    seconds (`FairSuggestions.cached`), while requests and departures are read live."""

    def __init__(self, fair: Fair):
        self.fair_id = fair.id
        self.read_at = time.monotonic()
        people = [p for p in db.session.scalars(confirmed_only(select(Participant), fair, ordered=False).options(
            selectinload(Participant.sectors), selectinload(Participant.buyer_organisation)))
            if p.role != ParticipantRole.PARTNER]
        self.sector_names = {sector_id: name.lower() for sector_id, name in
                             db.session.execute(select(Sector.id, Sector.name))}
        slugs = dict(db.session.execute(select(Sector.slug, Sector.id)).all())
        self._departments: dict[tuple[str, str], str | None] = {}
        self.profiles = {p.id: self._profile(p, slugs) for p in people}
        self._suppliers = {p.supplier_id: p.id for p in people if p.supplier_id}
        self._read_reach()
        needs = self._read_needs({p.buyer_organisation_id: p.id for p in people if p.buyer_organisation_id})
        self.matched = self._needs_matched(needs)
        self.answered = self._needs_answered(needs)
        self.met_before = self._met_before(fair)
        self._index()

    def _profile(self, participant: Participant, slugs: dict[str, int]) -> Profile:
        profile = Profile(participant.id, participant.name, participant.role == ParticipantRole.BUYER,
                           ("o", participant.buyer_organisation_id) if participant.buyer_organisation_id
                           else ("s", participant.supplier_id), participant.supplier_kind,
                           ticked={sector.id for sector in participant.sectors})
        named = [slugs[slug] for slug in understand(participant.pitch).sectors if slug in slugs]
        if profile.buyer:
            for sector_id in profile.ticked:
                profile.wants[sector_id] = "registered"
            for sector_id in named:
                profile.wants.setdefault(sector_id, "pitch")
            organisation = participant.buyer_organisation
            if organisation is not None:
                profile.department = self._department(organisation.postcode, organisation.city)
        else:
            profile.offers |= profile.ticked | set(named)
        return profile

    def _department(self, postcode: str, city: str) -> str | None:
        """The department of an address, read once per address for the whole fair."""
        if (postcode, city) not in self._departments:
            commune = commune_for(postcode, city)
            self._departments[postcode, city] = commune.department_code if commune else None
        return self._departments[postcode, city]

    def _read_reach(self) -> None:
        if not self._suppliers:
            return
        for supplier_id, sector_id, department in db.session.execute(
                select(ActivityReach.supplier_id, ActivityReach.sector_id, ActivityReach.department_code)
                .where(ActivityReach.supplier_id.in_(self._suppliers)).distinct()):
            profile = self.profiles[self._suppliers[supplier_id]]
            profile.offers.add(sector_id)
            profile.reach.setdefault(sector_id, set()).add(department)

    def _read_needs(self, buyers: dict[int, int]) -> list[tuple[int, Need, NeedFact]]:
        """(buyer participant, need, as the reasons name it) of the buyers' needs published
        this past year."""
        if not buyers:
            return []
        since = utcnow() - NEEDS_PAST
        found = []
        for need in db.session.scalars(select(Need).options(
                selectinload(Need.sectors), selectinload(Need.lots).selectinload(NeedLot.sectors)).where(
                Need.organisation_id.in_(buyers), Need.published_at >= since,
                Need.status.in_((NeedStatus.PUBLISHED, NeedStatus.CLOSED, NeedStatus.AWARDED,
                                 NeedStatus.UNSUCCESSFUL))).order_by(Need.id)):
            profile = self.profiles[buyers[need.organisation_id]]
            sectors = need.all_sectors
            fact = NeedFact(need.id, need.title, sectors[0].name.lower() if sectors else "")
            profile.needs.append(fact)
            for sector in sectors:
                profile.wants.setdefault(sector.id, "needs")
            profile.kinds |= {kind.value for kind in need.supplier_kinds}
            found.append((profile.id, need, fact))
        return found

    def _needs_matched(self, needs: list[tuple[int, Need, NeedFact]]) -> dict[int, dict[int, list[NeedFact]]]:
        """buyer participant -> supplier participant -> the buyer's needs it matches."""
        matched: dict[int, dict[int, list[NeedFact]]] = defaultdict(lambda: defaultdict(list))
        # The fair's suppliers as a subquery: thousands of ids bound to each need's query cost more.
        among = select(Participant.supplier_id).where(Participant.fair_id == self.fair_id,
                                                      Participant.supplier_id.is_not(None))
        for buyer, need, fact in needs:
            for supplier_id, _rank in matching_suppliers(need, among=among):
                if supplier_id in self._suppliers:  # not a cancelled or unpaid registration
                    matched[buyer][self._suppliers[supplier_id]].append(fact)
        return matched

    def _needs_answered(self, needs: list[tuple[int, Need, NeedFact]]) -> dict[int, dict[int, list[NeedFact]]]:
        """buyer participant -> supplier participant -> the buyer's needs it made an offer on."""
        answered: dict[int, dict[int, list[NeedFact]]] = defaultdict(lambda: defaultdict(list))
        buyer_of = {need.id: (buyer, fact) for buyer, need, fact in needs}
        if not buyer_of or not self._suppliers:
            return answered
        for need_id, supplier_id in db.session.execute(select(Offer.need_id, Offer.supplier_id).where(
                Offer.need_id.in_(buyer_of), Offer.supplier_id.in_(self._suppliers),
                Offer.status != OfferStatus.WITHDRAWN).distinct().order_by(Offer.need_id)):
            buyer, fact = buyer_of[need_id]
            answered[buyer][self._suppliers[supplier_id]].append(fact)
        return answered

    @staticmethod
    def _met_before(fair: Fair) -> dict[frozenset, str]:
        """{buyer organisation, supplier} pairs with a follow-up planned after a meeting at
        an earlier fair -> that fair's name."""
        a, b = Participant.__table__.alias("a"), Participant.__table__.alias("b")
        rows = db.session.execute(
            select(a.c.buyer_organisation_id, a.c.supplier_id, b.c.buyer_organisation_id, b.c.supplier_id,
                   Fair.name)
            .select_from(MeetingFeedback.__table__.join(Meeting.__table__, Meeting.id == MeetingFeedback.meeting_id)
                         .join(a, a.c.id == Meeting.a_id).join(b, b.c.id == Meeting.b_id)
                         .join(Fair.__table__, Fair.id == Meeting.fair_id))
            .where(MeetingFeedback.follow_up.is_(True), Fair.starts_on < fair.starts_on))
        met = {}
        for a_org, a_sup, b_org, b_sup, fair_name in rows:
            met[frozenset((("o", a_org) if a_org else ("s", a_sup), ("o", b_org) if b_org else ("s", b_sup)))] = \
                fair_name
        return met

    def _index(self) -> None:
        """Who shares each kind of fact with whom, so that a participant's candidates are
        those sharing at least one (every other pair scores nothing), not the whole fair."""
        self._by_sector: dict[tuple[bool, int], set[int]] = defaultdict(set)  # (buyer side, sector) -> people
        self._by_department: dict[tuple[bool, str], set[int]] = defaultdict(set)  # buyers in, suppliers reaching
        self._by_kind: dict[tuple[bool, str], set[int]] = defaultdict(set)  # buyers asking, suppliers being
        self._linked: dict[int, set[int]] = defaultdict(set)  # a need matched or answered, a follow-up
        self._buyers_placed: set[int] = set()
        identities = {}
        for pid, profile in self.profiles.items():
            identities[profile.identity] = pid
            if profile.buyer:
                for sector in profile.wants:
                    self._by_sector[True, sector].add(pid)
                if profile.department:
                    self._by_department[True, profile.department].add(pid)
                    self._buyers_placed.add(pid)
                for kind in profile.kinds:
                    self._by_kind[True, kind].add(pid)
            else:
                for sector in profile.offers:
                    self._by_sector[False, sector].add(pid)
                for department in set().union(*profile.reach.values()) if profile.reach else ():
                    self._by_department[False, department].add(pid)
                if profile.supplier_kind:
                    self._by_kind[False, profile.supplier_kind].add(pid)
        for links in (self.matched, self.answered):
            for buyer, suppliers in links.items():
                for supplier in suppliers:
                    self._linked[buyer].add(supplier)
                    self._linked[supplier].add(buyer)
        for pair in self.met_before:
            if len(pair) == 2 and all(identity in identities for identity in pair):
                a, b = (identities[identity] for identity in pair)
                self._linked[a].add(b)
                self._linked[b].add(a)

    def candidates(self, viewer_id: int) -> set[int]:
        """The participants of the other side sharing at least one fact with the viewer."""
        viewer = self.profiles[viewer_id]
        other_side = not viewer.buyer
        found = set(self._linked.get(viewer_id, ()))
        for sector in (viewer.wants if viewer.buyer else viewer.offers):
            found |= self._by_sector.get((other_side, sector), set())
        if viewer.buyer:
            if viewer.department:
                found |= self._by_department.get((False, viewer.department), set())
                found |= self._by_department.get((False, FRANCE_WIDE), set())
            for kind in viewer.kinds:
                found |= self._by_kind.get((False, kind), set())
        else:
            departments = set().union(*viewer.reach.values()) if viewer.reach else set()
            if FRANCE_WIDE in departments:
                found |= self._buyers_placed
            for department in departments:
                found |= self._by_department.get((True, department), set())
            found |= self._by_kind.get((True, viewer.supplier_kind), set()) if viewer.supplier_kind else set()
        return found

    def facts(self, buyer_id: int, supplier_id: int) -> Facts:
        buyer, supplier = self.profiles[buyer_id], self.profiles[supplier_id]
        shared = [s for s in buyer.wants if s in supplier.offers]
        reaching = {s for s, departments in supplier.reach.items()
                    if buyer.department in departments or FRANCE_WIDE in departments}
        offered = self.answered.get(buyer_id, {}).get(supplier_id, [])
        return Facts(
            shared=shared, near=[s for s in shared if s in reaching], reaches=bool(reaching and buyer.department),
            kind=supplier.supplier_kind if supplier.supplier_kind in buyer.kinds else None, offered=offered,
            needs=[n for n in self.matched.get(buyer_id, {}).get(supplier_id, []) if n not in offered],
            met=self.met_before.get(frozenset((buyer.identity, supplier.identity))))
