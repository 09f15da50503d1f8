"""Whom to meet at a fair, and why: each participant's suggestions among the fair's
participants of the other side (buyers for suppliers and consortiums, and the
reverse), ranked and explained by the shared facts behind them.

What a buyer wants, by sector: the sectors they chose when registering, the sectors
their pitch names (read by the directory's vocabulary), and the sectors of the needs
their organisation published this past year. (The organisation's own line of business
is not what it buys: read as a want, it lowered the offline recall, bench/recommendations.py.)
What a supplier offers: the sectors of its activities in the directory, and those it
chose and wrote when registering. A pair scores for a sector one wants and the other
offers, for the supplier reaching the buyer's department (the directory's reach rows;
more in a sector the buyer wants), for each need of the buyer the supplier matches
(needs.matching, the same rule that tells suppliers of needs), for the supplier being of a
kind of structure the buyer's needs ask for (EA and ESAT, SIAE), for an offer the supplier
made on one of those needs (they know each other already), and for a follow-up planned
after they met at an earlier fair. (Who asked the same people as the viewer
was tried as well, and lowered the offline recall: bench/recommendations.py.)

Nobody is suggested who has left the fair, is at their meeting limit, already has a
request with the participant (asked, accepted or declined), or is on the same side."""

import heapq
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from events.fairs import hooks as fairs_hooks
from events.fairs.models import Fair, Participant, ParticipantRole
from events.fairs.registration import confirmed_only
from events.meetings.models import Meeting, MeetingFeedback, MeetingRequest, RequestStatus
from marketplace.extensions import db
from marketplace.geography import names
from marketplace.geography.services import commune_for
from marketplace.needs.matching import matching_suppliers
from marketplace.needs.models import Need, NeedLot, NeedStatus
from marketplace.offers.models import Offer, OfferStatus
from marketplace.suppliers.models import FRANCE_WIDE, ActivityReach
from marketplace.suppliers.taxonomy import Sector, SupplierKind
from marketplace.suppliers.vocabulary import understand
from marketplace.timeutil import utcnow

NEEDS_PAST = timedelta(days=365)  # the needs that say what a buyer buys
SHOWN = 5  # suggestions shown on a page or in a mail
READING_KEPT = 300  # seconds a fair's reading serves its pages (a newcomer reads it again at once)

# What each shared fact weighs.
SECTOR, EXTRA_SECTOR, NEARBY, NEAR_IN_SECTOR, KIND, NEED, ANSWERED, MET_BEFORE = 3.0, 0.5, 1.5, 1.0, 2.0, 3.0, 4.0, 4.0
LIVE_REQUEST = (RequestStatus.PENDING, RequestStatus.ACCEPTED, RequestStatus.DECLINED)


@dataclass
class Suggestion:
    participant: Participant
    score: float
    reasons: list[str]


@dataclass(frozen=True)
class _NeedFact:
    """A buyer's need, as the reasons name it."""

    id: int
    title: str
    sector: str  # its first sector's name, in lower case ("" if none)


@dataclass
class _Profile:
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
    needs: list[_NeedFact] = field(default_factory=list)  # a buyer's, this past year
    kinds: set[str] = field(default_factory=set)  # the kinds of structure a buyer's needs ask for


@dataclass
class _Facts:
    """What a buyer and a supplier share: the score and the reasons are read from it."""

    shared: list[int]  # sectors one wants and the other offers
    near: list[int]  # ... of them, where the supplier reaches the buyer's department
    reaches: bool  # the supplier works in the buyer's department
    kind: str | None  # the supplier's kind, when the buyer's needs ask for it
    offered: list[_NeedFact]  # the buyer's needs the supplier made an offer on
    needs: list[_NeedFact]  # the buyer's other needs it matches
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

    def _profile(self, participant: Participant, slugs: dict[str, int]) -> _Profile:
        profile = _Profile(participant.id, participant.name, participant.role == ParticipantRole.BUYER,
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

    def _read_needs(self, buyers: dict[int, int]) -> list[tuple[int, Need]]:
        """(buyer participant, need) of the buyers' needs published this past year."""
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
            profile.needs.append(_NeedFact(need.id, need.title, sectors[0].name.lower() if sectors else ""))
            for sector in sectors:
                profile.wants.setdefault(sector.id, "needs")
            profile.kinds |= {kind.value for kind in need.supplier_kinds}
            found.append((profile.id, need))
        return found

    def _fact(self, buyer: int, need_id: int) -> _NeedFact:
        return next(fact for fact in self.profiles[buyer].needs if fact.id == need_id)

    def _needs_matched(self, needs: list[tuple[int, Need]]) -> dict[int, dict[int, list[_NeedFact]]]:
        """buyer participant -> supplier participant -> the buyer's needs it matches."""
        matched: dict[int, dict[int, list[_NeedFact]]] = defaultdict(lambda: defaultdict(list))
        # The fair's suppliers as a subquery: thousands of ids bound to each need's query cost more.
        among = select(Participant.supplier_id).where(Participant.fair_id == self.fair_id,
                                                      Participant.supplier_id.is_not(None))
        for buyer, need in needs:
            for supplier_id, _rank in matching_suppliers(need, among=among):
                if supplier_id in self._suppliers:  # not a cancelled or unpaid registration
                    matched[buyer][self._suppliers[supplier_id]].append(self._fact(buyer, need.id))
        return matched

    def _needs_answered(self, needs: list[tuple[int, Need]]) -> dict[int, dict[int, list[_NeedFact]]]:
        """buyer participant -> supplier participant -> the buyer's needs it made an offer on."""
        answered: dict[int, dict[int, list[_NeedFact]]] = defaultdict(lambda: defaultdict(list))
        buyer_of = {need.id: buyer for buyer, need in needs}
        if not buyer_of or not self._suppliers:
            return answered
        for need_id, supplier_id in db.session.execute(select(Offer.need_id, Offer.supplier_id).where(
                Offer.need_id.in_(buyer_of), Offer.supplier_id.in_(self._suppliers),
                Offer.status != OfferStatus.WITHDRAWN).distinct().order_by(Offer.need_id)):
            buyer = buyer_of[need_id]
            answered[buyer][self._suppliers[supplier_id]].append(self._fact(buyer, need_id))
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

    def facts(self, buyer_id: int, supplier_id: int) -> _Facts:
        buyer, supplier = self.profiles[buyer_id], self.profiles[supplier_id]
        shared = [s for s in buyer.wants if s in supplier.offers]
        reaching = {s for s, departments in supplier.reach.items()
                    if buyer.department in departments or FRANCE_WIDE in departments}
        offered = self.answered.get(buyer_id, {}).get(supplier_id, [])
        return _Facts(
            shared=shared, near=[s for s in shared if s in reaching], reaches=bool(reaching and buyer.department),
            kind=supplier.supplier_kind if supplier.supplier_kind in buyer.kinds else None, offered=offered,
            needs=[n for n in self.matched.get(buyer_id, {}).get(supplier_id, []) if n not in offered],
            met=self.met_before.get(frozenset((buyer.identity, supplier.identity))))

    @staticmethod
    def score(facts: _Facts) -> float:
        score = 0.0
        if facts.shared:
            score += SECTOR + EXTRA_SECTOR * (len(facts.shared) - 1)
        if facts.reaches:
            score += NEARBY + (NEAR_IN_SECTOR if facts.near else 0)
        score += KIND * bool(facts.kind) + ANSWERED * bool(facts.offered) + NEED * min(len(facts.needs), 2)
        return score + MET_BEFORE * bool(facts.met)

    def reasons(self, facts: _Facts, buyer_id: int, to_buyer: bool) -> list[str]:
        """The shared facts, said to the buyer or to the supplier."""
        buyer, reasons = self.profiles[buyer_id], []
        if facts.shared:
            main = (facts.near or facts.shared)[0]
            if to_buyer:
                reasons.append(f"intervient en {self.sector_names[main]}, que vous cherchez")
            else:
                where = " dans votre zone d'intervention" if facts.near else ""
                reasons.append(f"a des besoins en {self.sector_names[main]}{where}" if buyer.wants[main] == "needs"
                               else f"cherche des prestataires en {self.sector_names[main]}{where}")
        if facts.reaches:
            if to_buyer:
                reasons.append(f"intervient dans votre département, {names.department(buyer.department)}")
            elif not facts.shared:
                reasons.append("achète dans votre zone d'intervention")
        if facts.kind:
            label = SupplierKind(facts.kind).label
            reasons.append(f"{label[0].lower()}{label[1:]}, le type de structure que demandent vos besoins"
                           if to_buyer else f"recherche des structures comme la vôtre ({facts.kind}) dans ses besoins")
        if facts.offered:
            title = facts.offered[0].title
            reasons.append(f"a répondu à votre besoin « {title} »" if to_buyer else
                           f"vous avez répondu à son besoin « {title} »")
        if facts.needs:
            if to_buyer:
                reasons.append(f"correspond à votre besoin « {facts.needs[0].title} »")
            else:
                sector = facts.needs[0].sector
                published = "un besoin" if len(facts.needs) == 1 else f"{len(facts.needs)} besoins"
                reasons.append(f"a publié {published} en {sector} cette année" if sector else
                               f"a publié {published} qui vous concerne{'nt' if len(facts.needs) > 1 else ''}")
        if facts.met:
            reasons.append(f"rencontré à {facts.met}, suite prévue")
        return reasons


class FairSuggestions:
    """Suggestions for any of a fair's participants: its reading (fresh, or a page's
    cached one) with the requests and departures read now."""

    def __init__(self, fair: Fair, hidden: set[int] | frozenset[int] = frozenset(),
                 reading: FairReading | None = None):
        """`hidden`: request ids to ignore as if never made (the offline evaluation's)."""
        self.fair = fair
        self.reading = reading or FairReading(fair)
        self.profiles = self.reading.profiles
        self.present = self._present()
        self.asked, self.booked = self._requests(hidden)

    @classmethod
    def cached(cls, fair: Fair) -> "FairSuggestions":
        """For pages: the fair's reading of the last READING_KEPT seconds, unless someone
        has registered since."""
        readings = current_app.extensions.setdefault("fair_readings", {})
        reading = readings.get(fair.id)
        if reading is None or time.monotonic() - reading.read_at > READING_KEPT:
            for fair_id, old in list(readings.items()):  # no fair's reading outlives its use
                if time.monotonic() - old.read_at > READING_KEPT:
                    readings.pop(fair_id, None)
            reading = readings[fair.id] = FairReading(fair)
            return cls(fair, reading=reading)
        suggestions = cls(fair, reading=reading)
        if suggestions.present.keys() - reading.profiles.keys():  # a newcomer
            readings[fair.id] = FairReading(fair)
            return cls(fair, reading=readings[fair.id])
        return suggestions

    def _present(self) -> dict[int, int]:
        """Those still at the fair now -> their meeting limit."""
        return dict(db.session.execute(confirmed_only(select(Participant.id, Participant.max_meetings), self.fair,
                                                      ordered=False).where(Participant.role != ParticipantRole.PARTNER)
                                       ).all())

    def _requests(self, hidden) -> tuple[dict[int, set[int]], dict[int, int]]:
        """(participant -> those they have a request with, asked, accepted or declined;
        participant -> their accepted requests, the meetings they are heading for), in one read."""
        asked: dict[int, set[int]] = defaultdict(set)
        booked: dict[int, int] = defaultdict(int)
        for request_id, a, b, status in db.session.execute(select(
                MeetingRequest.id, MeetingRequest.requester_id, MeetingRequest.recipient_id, MeetingRequest.status)
                .where(MeetingRequest.fair_id == self.fair.id, MeetingRequest.status.in_(LIVE_REQUEST))):
            if request_id in hidden:
                continue
            asked[a].add(b)
            asked[b].add(a)
            if status == RequestStatus.ACCEPTED:
                booked[a] += 1
                booked[b] += 1
        return asked, booked

    def pair(self, viewer_id: int, other_id: int) -> tuple[float, list[str]]:
        """The score of a buyer-supplier pair and its reasons, said to the viewer."""
        to_buyer = self.profiles[viewer_id].buyer
        buyer_id, supplier_id = (viewer_id, other_id) if to_buyer else (other_id, viewer_id)
        facts = self.reading.facts(buyer_id, supplier_id)
        return self.reading.score(facts), self.reading.reasons(facts, buyer_id, to_buyer)

    def can_suggest(self, viewer_id: int, other_id: int) -> bool:
        if other_id == viewer_id or other_id not in self.present or other_id not in self.profiles:
            return False
        return (self.profiles[viewer_id].buyer != self.profiles[other_id].buyer
                and other_id not in self.asked.get(viewer_id, ())
                and self.booked.get(other_id, 0) < self.present[other_id])

    def ranked(self, viewer_id: int, limit: int = SHOWN) -> list[tuple[float, int]]:
        """(score, participant) of the best `limit` for the viewer, with at least one shared fact."""
        if viewer_id not in self.profiles or viewer_id not in self.present:
            return []
        viewer = self.profiles[viewer_id]
        scored = []
        for other_id in self.reading.candidates(viewer_id):
            if not self.can_suggest(viewer_id, other_id):
                continue
            facts = (self.reading.facts(viewer_id, other_id) if viewer.buyer
                     else self.reading.facts(other_id, viewer_id))
            score = self.reading.score(facts)
            if score > 0:
                scored.append((score, other_id))
        return heapq.nsmallest(limit, scored, key=lambda s: (-s[0], self.profiles[s[1]].name, s[1]))

    def for_participant(self, viewer_id: int, limit: int = SHOWN) -> list[Suggestion]:
        """The best `limit` suggestions for one participant, each with its reasons."""
        best = self.ranked(viewer_id, limit)
        people = {p.id: p for p in db.session.scalars(select(Participant).where(
            Participant.id.in_([other for _, other in best])))}
        return [Suggestion(people[other], score, self.pair(viewer_id, other)[1]) for score, other in best]


@fairs_hooks.suggestions_for.answer
def suggestions_for(participant: Participant, limit: int = SHOWN) -> list[Suggestion]:
    """A participant's suggestions, for their pages (the fair page, the catalogue)."""
    if not participant.is_confirmed or participant.role == ParticipantRole.PARTNER:
        return []
    return FairSuggestions.cached(participant.fair).for_participant(participant.id, limit)


def requests_sent(fair: Fair) -> dict[int, int]:
    """participant -> requests they sent (not withdrawn)."""
    return dict(db.session.execute(select(MeetingRequest.requester_id, func.count(MeetingRequest.id)).where(
        MeetingRequest.fair_id == fair.id, MeetingRequest.status != RequestStatus.WITHDRAWN)
        .group_by(MeetingRequest.requester_id)).all())

