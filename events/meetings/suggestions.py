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
(needs.matching, the same rule that tells suppliers of needs), and for a follow-up
planned after they met at an earlier fair. (Who asked the same people as the viewer
was tried as well, and lowered the offline recall: bench/recommendations.py.)

Nobody is suggested who has left the fair, is at their meeting limit, already has a
request with the participant (asked, accepted or declined), or is on the same side."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

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
from marketplace.needs.models import Need, NeedStatus
from marketplace.suppliers.models import FRANCE_WIDE, ActivityReach
from marketplace.suppliers.taxonomy import Sector
from marketplace.suppliers.vocabulary import understand
from marketplace.timeutil import utcnow

NEEDS_PAST = timedelta(days=365)  # the needs that say what a buyer buys
SHOWN = 5  # suggestions shown on a page or in a mail

# What each shared fact weighs.
SECTOR, EXTRA_SECTOR, NEARBY, NEAR_IN_SECTOR, NEED, MET_BEFORE = 3.0, 0.5, 1.5, 1.0, 3.0, 4.0
LIVE_REQUEST = (RequestStatus.PENDING, RequestStatus.ACCEPTED, RequestStatus.DECLINED)


@dataclass
class Suggestion:
    participant: Participant
    score: float
    reasons: list[str]


@dataclass
class _Profile:
    participant: Participant
    buyer: bool
    wants: dict[int, str] = field(default_factory=dict)  # sector -> how we know (buyers)
    offers: set[int] = field(default_factory=set)  # sectors (suppliers)
    department: str | None = None  # a buyer's
    reach: dict[int, set[str]] = field(default_factory=dict)  # a supplier's sector -> departments
    needs: list[Need] = field(default_factory=list)  # a buyer's, this past year


def _is_buyer(participant: Participant) -> bool:
    return participant.role == ParticipantRole.BUYER


class FairSuggestions:
    """The fair's profiles, read once; then suggestions for any of its participants."""

    def __init__(self, fair: Fair, hidden: set[int] | frozenset[int] = frozenset()):
        """`hidden`: request ids to ignore as if never made (the offline evaluation's)."""
        self.fair = fair
        people = list(db.session.scalars(confirmed_only(select(Participant), fair, ordered=False).options(
            selectinload(Participant.sectors), selectinload(Participant.buyer_organisation))))
        self.people = {p.id: p for p in people if p.role != ParticipantRole.PARTNER}
        self.sector_names = dict(db.session.execute(select(Sector.id, Sector.name)).all())
        slugs = dict(db.session.execute(select(Sector.slug, Sector.id)).all())
        self.profiles = {pid: self._profile(p, slugs) for pid, p in self.people.items()}
        self._read_reach()
        self._read_needs()
        self.matched = self._needs_matched()
        self.asked, self.booked = self._requests(hidden)
        self.met_before = self._met_before()

    # --- reading the fair ----------------------------------------------------------------
    def _profile(self, participant: Participant, slugs: dict[str, int]) -> _Profile:
        profile = _Profile(participant, _is_buyer(participant))
        named = [slugs[slug] for slug in understand(participant.pitch).sectors if slug in slugs]
        if profile.buyer:
            for sector in participant.sectors:
                profile.wants[sector.id] = "registered"
            for sector_id in named:
                profile.wants.setdefault(sector_id, "pitch")
            organisation = participant.buyer_organisation
            if organisation is not None:
                commune = commune_for(organisation.postcode, organisation.city)
                profile.department = commune.department_code if commune else None
        else:
            profile.offers |= {sector.id for sector in participant.sectors} | set(named)
        return profile

    def _read_reach(self) -> None:
        suppliers = {p.supplier_id: pid for pid, p in self.people.items() if p.supplier_id}
        if not suppliers:
            return
        for supplier_id, sector_id, department in db.session.execute(
                select(ActivityReach.supplier_id, ActivityReach.sector_id, ActivityReach.department_code)
                .where(ActivityReach.supplier_id.in_(suppliers)).distinct()):
            profile = self.profiles[suppliers[supplier_id]]
            profile.offers.add(sector_id)
            profile.reach.setdefault(sector_id, set()).add(department)

    def _read_needs(self) -> None:
        buyers = {p.buyer_organisation_id: pid for pid, p in self.people.items() if p.buyer_organisation_id}
        if not buyers:
            return
        since = utcnow() - NEEDS_PAST
        for need in db.session.scalars(select(Need).where(
                Need.organisation_id.in_(buyers), Need.published_at >= since,
                Need.status.in_((NeedStatus.PUBLISHED, NeedStatus.CLOSED, NeedStatus.AWARDED,
                                 NeedStatus.UNSUCCESSFUL)))):
            profile = self.profiles[buyers[need.organisation_id]]
            profile.needs.append(need)
            for sector in need.all_sectors:
                profile.wants.setdefault(sector.id, "needs")

    def _needs_matched(self) -> dict[int, dict[int, list[Need]]]:
        """buyer participant -> supplier participant -> the buyer's needs it matches."""
        suppliers = {p.supplier_id: pid for pid, p in self.people.items() if p.supplier_id}
        matched: dict[int, dict[int, list[Need]]] = defaultdict(lambda: defaultdict(list))
        for pid, profile in self.profiles.items():
            for need in profile.needs:
                for supplier_id, _rank in matching_suppliers(need, among=list(suppliers)):
                    matched[pid][suppliers[supplier_id]].append(need)
        return matched

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

    def _met_before(self) -> dict[frozenset, str]:
        """{buyer organisation, supplier} pairs with a follow-up planned after a meeting at
        an earlier fair -> that fair's name."""
        a, b = Participant.__table__.alias("a"), Participant.__table__.alias("b")
        rows = db.session.execute(
            select(a.c.buyer_organisation_id, a.c.supplier_id, b.c.buyer_organisation_id, b.c.supplier_id,
                   Fair.name)
            .select_from(MeetingFeedback.__table__.join(Meeting.__table__, Meeting.id == MeetingFeedback.meeting_id)
                         .join(a, a.c.id == Meeting.a_id).join(b, b.c.id == Meeting.b_id)
                         .join(Fair.__table__, Fair.id == Meeting.fair_id))
            .where(MeetingFeedback.follow_up.is_(True), Fair.starts_on < self.fair.starts_on))
        met = {}
        for a_org, a_sup, b_org, b_sup, fair_name in rows:
            met[frozenset((("o", a_org) if a_org else ("s", a_sup), ("o", b_org) if b_org else ("s", b_sup)))] = \
                fair_name
        return met

    # --- scoring -------------------------------------------------------------------------
    @staticmethod
    def _identity(participant: Participant):
        return ("o", participant.buyer_organisation_id) if participant.buyer_organisation_id else (
            "s", participant.supplier_id)

    def _sector(self, sector_id: int) -> str:
        return self.sector_names.get(sector_id, "").lower()

    def pair(self, viewer_id: int, other_id: int) -> tuple[float, list[str]]:
        """The score of a buyer-supplier pair and its reasons, said to the viewer."""
        viewer, other = self.profiles[viewer_id], self.profiles[other_id]
        buyer, supplier = (viewer, other) if viewer.buyer else (other, viewer)
        to_buyer = viewer.buyer
        score, reasons = 0.0, []
        shared = [s for s in buyer.wants if s in supplier.offers]
        reaches = {s for s, departments in supplier.reach.items()
                   if buyer.department in departments or FRANCE_WIDE in departments}
        near = [s for s in shared if s in reaches]
        if shared:
            score += SECTOR + EXTRA_SECTOR * (len(shared) - 1)
            main = (near or shared)[0]
            if to_buyer:
                reasons.append(f"intervient en {self._sector(main)}, que vous cherchez")
            else:
                source = buyer.wants[main]
                where = " dans votre zone d'intervention" if near else ""
                reasons.append(f"a des besoins en {self._sector(main)}{where}" if source == "needs" else
                               f"cherche des prestataires en {self._sector(main)}{where}")
        if reaches and buyer.department:
            score += NEARBY + (NEAR_IN_SECTOR if near else 0)
            if to_buyer:
                reasons.append(f"intervient dans votre département, {names.department(buyer.department)}")
            elif not shared:
                reasons.append("achète dans votre zone d'intervention")
        needs = self.matched.get(buyer.participant.id, {}).get(supplier.participant.id, [])
        if needs:
            score += NEED * min(len(needs), 2)
            if to_buyer:
                reasons.append(f"correspond à votre besoin « {needs[0].title} »")
            else:
                sector = self._sector(needs[0].all_sectors[0].id) if needs[0].all_sectors else ""
                published = "un besoin" if len(needs) == 1 else f"{len(needs)} besoins"
                reasons.append(f"a publié {published} en {sector} cette année" if sector else
                               f"a publié {published} qui vous concerne{'nt' if len(needs) > 1 else ''}")
        met = self.met_before.get(frozenset((self._identity(viewer.participant), self._identity(other.participant))))
        if met:
            score += MET_BEFORE
            reasons.append(f"rencontré à {met}, suite prévue")
        return score, reasons

    def can_suggest(self, viewer_id: int, other_id: int) -> bool:
        other = self.people[other_id]
        return (other_id != viewer_id and self.profiles[viewer_id].buyer != self.profiles[other_id].buyer
                and other_id not in self.asked.get(viewer_id, set())
                and self.booked.get(other_id, 0) < other.max_meetings)

    def for_participant(self, viewer_id: int, limit: int = SHOWN) -> list[Suggestion]:
        """The best `limit` suggestions for one participant, with at least one shared fact."""
        if viewer_id not in self.profiles:
            return []
        ranked = []
        for other_id in self.profiles:
            if not self.can_suggest(viewer_id, other_id):
                continue
            score, reasons = self.pair(viewer_id, other_id)
            if score > 0:
                ranked.append(Suggestion(self.people[other_id], score, reasons))
        ranked.sort(key=lambda s: (-s.score, s.participant.name, s.participant.id))
        return ranked[:limit]


@fairs_hooks.suggestions_for.answer
def suggestions_for(participant: Participant, limit: int = SHOWN) -> list[Suggestion]:
    """A participant's suggestions, for their pages (the fair page, the catalogue)."""
    if not participant.is_confirmed or participant.role == ParticipantRole.PARTNER:
        return []
    return FairSuggestions(participant.fair).for_participant(participant.id, limit)


def requests_sent(fair: Fair) -> dict[int, int]:
    """participant -> requests they sent (not withdrawn)."""
    return dict(db.session.execute(select(MeetingRequest.requester_id, func.count(MeetingRequest.id)).where(
        MeetingRequest.fair_id == fair.id, MeetingRequest.status != RequestStatus.WITHDRAWN)
        .group_by(MeetingRequest.requester_id)).all())

