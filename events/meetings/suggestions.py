"""Whom to meet at a fair, and why: each participant's suggestions among the fair's
participants of the other side (buyers for suppliers and consortiums, and the
reverse), ranked and explained by the shared facts behind them, from the fair's
reading (events/meetings/reading.py).

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
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from events.fairs import hooks as fairs_hooks
from events.fairs.models import Fair, Participant, ParticipantRole
from events.fairs.registration import confirmed_only
from events.meetings.models import MeetingRequest, RequestStatus
from events.meetings.reading import Facts, FairReading
from marketplace.extensions import db
from marketplace.geography import names
from marketplace.suppliers.taxonomy import SupplierKind

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


def score(facts: Facts) -> float:
    """What a pair's shared facts weigh."""
    total = 0.0
    if facts.shared:
        total += SECTOR + EXTRA_SECTOR * (len(facts.shared) - 1)
    if facts.reaches:
        total += NEARBY + (NEAR_IN_SECTOR if facts.near else 0)
    total += KIND * bool(facts.kind) + ANSWERED * bool(facts.offered) + NEED * min(len(facts.needs), 2)
    return total + MET_BEFORE * bool(facts.met)


def reasons(reading: FairReading, facts: Facts, buyer_id: int, to_buyer: bool) -> list[str]:
    """The shared facts, said to the buyer or to the supplier."""
    buyer, said = reading.profiles[buyer_id], []
    if facts.shared:
        main = reading.sector_names[(facts.near or facts.shared)[0]]
        if to_buyer:
            said.append(f"intervient en {main}, que vous cherchez")
        else:
            where = " dans votre zone d'intervention" if facts.near else ""
            wanted = buyer.wants[(facts.near or facts.shared)[0]]
            said.append(f"a des besoins en {main}{where}" if wanted == "needs" else
                        f"cherche des prestataires en {main}{where}")
    if facts.reaches:
        if to_buyer:
            said.append(f"intervient dans votre département, {names.department(buyer.department)}")
        elif not facts.shared:
            said.append("achète dans votre zone d'intervention")
    if facts.kind:
        label = SupplierKind(facts.kind).label
        said.append(f"{label[0].lower()}{label[1:]}, le type de structure que demandent vos besoins" if to_buyer
                    else f"recherche des structures comme la vôtre ({facts.kind}) dans ses besoins")
    if facts.offered:
        title = facts.offered[0].title
        said.append(f"a répondu à votre besoin « {title} »" if to_buyer else
                    f"vous avez répondu à son besoin « {title} »")
    if facts.needs:
        if to_buyer:
            said.append(f"correspond à votre besoin « {facts.needs[0].title} »")
        else:
            sector = facts.needs[0].sector
            published = "un besoin" if len(facts.needs) == 1 else f"{len(facts.needs)} besoins"
            said.append(f"a publié {published} en {sector} cette année" if sector else
                        f"a publié {published} qui vous concerne{'nt' if len(facts.needs) > 1 else ''}")
    if facts.met:
        said.append(f"rencontré à {facts.met}, suite prévue")
    return said


class FairSuggestions:
    """Suggestions for any of a fair's participants: its reading (fresh, or a page's
    cached one) with the requests and departures read now."""

    def __init__(self, fair: Fair, hidden: set[int] | frozenset[int] = frozenset(),
                 reading: FairReading | None = None, present: dict[int, int] | None = None):
        """`hidden`: request ids to ignore as if never made (the offline evaluation's);
        `present`: who is at the fair now, if already read (present_at)."""
        self.fair = fair
        self.reading = reading or FairReading(fair)
        self.profiles = self.reading.profiles
        self.present = present if present is not None else present_at(fair)
        self.asked, self.booked = self._requests(hidden)

    @classmethod
    def cached(cls, fair: Fair) -> "FairSuggestions":
        """For pages: the fair's reading of the last READING_KEPT seconds, unless someone
        has registered since."""
        readings = current_app.extensions.setdefault("fair_readings", {})
        for fair_id, old in list(readings.items()):  # no fair's reading outlives its use
            if time.monotonic() - old.read_at > READING_KEPT:
                readings.pop(fair_id, None)
        present = present_at(fair)
        reading = readings.get(fair.id)
        if reading is None or present.keys() - reading.profiles.keys():  # none, or a newcomer since
            reading = readings[fair.id] = FairReading(fair)
        return cls(fair, reading=reading, present=present)

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
        return score(facts), reasons(self.reading, facts, buyer_id, to_buyer)

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
            value = score(facts)
            if value > 0:
                scored.append((value, other_id))
        return heapq.nsmallest(limit, scored, key=lambda s: (-s[0], self.profiles[s[1]].name, s[1]))

    def for_participant(self, viewer_id: int, limit: int = SHOWN) -> list[Suggestion]:
        """The best `limit` suggestions for one participant, each with its reasons."""
        best = self.ranked(viewer_id, limit)
        people = {p.id: p for p in db.session.scalars(select(Participant).where(
            Participant.id.in_([other for _, other in best])))}
        return [Suggestion(people[other], value, self.pair(viewer_id, other)[1]) for value, other in best]


def present_at(fair: Fair) -> dict[int, int]:
    """Those at the fair now (confirmed, not partners) -> their meeting limit."""
    return dict(db.session.execute(confirmed_only(select(Participant.id, Participant.max_meetings), fair,
                                                  ordered=False).where(Participant.role != ParticipantRole.PARTNER)
                                   ).all())


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

