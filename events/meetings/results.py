"""A fair's results: registrations, requests, meetings held and missed, satisfaction and
the business that followed; shown on the organiser's dashboard and exported as CSV."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from events.fairs import hooks as fairs_hooks
from events.fairs.models import Fair, Participant, ParticipantRole, ParticipantStatus
from events.meetings.models import Meeting, MeetingFeedback, MeetingRequest, MeetingStatus, RequestStatus
from marketplace.extensions import db

TAKING_PLACE = (MeetingStatus.SCHEDULED, MeetingStatus.HELD)


@dataclass
class FairResults:
    registrations: dict[ParticipantRole, int]
    participants: int
    checked_in: int
    requests_made: int
    requests_accepted: int
    meetings_scheduled: int  # every meeting placed, whatever became of it (not cancelled)
    meetings_held: int
    no_shows: int
    last_minute: int
    with_a_meeting: int
    feedback_count: int
    average_rating: float | None
    follow_ups: int
    quote_requests: int
    per_participant: list[dict] = field(default_factory=list)

    @property
    def share_with_meeting(self) -> float:
        return self.with_a_meeting / self.participants if self.participants else 0.0

    @property
    def meetings_per_participant(self) -> float:
        taking_place = self.meetings_scheduled - self.no_shows
        return 2 * taking_place / self.participants if self.participants else 0.0

    def figures(self) -> list[tuple[str, str]]:
        """(label, value) rows, as the dashboard and the CSV show them."""
        rows = [(f"Inscrits — {role.label}", str(count)) for role, count in self.registrations.items()]
        rows += [
            ("Participants", str(self.participants)),
            ("Présents (enregistrés à l'accueil)", str(self.checked_in)),
            ("Demandes de rendez-vous", str(self.requests_made)),
            ("Demandes acceptées ou retenues", str(self.requests_accepted)),
            ("Rendez-vous programmés", str(self.meetings_scheduled)),
            ("Rendez-vous tenus", str(self.meetings_held)),
            ("Absences", str(self.no_shows)),
            ("Rendez-vous de dernière minute", str(self.last_minute)),
            ("Part des participants avec au moins un rendez-vous", f"{self.share_with_meeting:.0%}".replace("%", " %")),
            ("Rendez-vous par participant", f"{self.meetings_per_participant:.1f}".replace(".", ",")),
            ("Avis reçus", str(self.feedback_count)),
            ("Satisfaction moyenne (sur 5)",
             f"{self.average_rating:.1f}".replace(".", ",") if self.average_rating is not None else "—"),
            ("Suites prévues", str(self.follow_ups)),
            ("Demandes de devis créées", str(self.quote_requests)),
        ]
        return rows


def fair_results(fair: Fair) -> FairResults:
    participants = list(db.session.scalars(select(Participant).where(
        Participant.fair_id == fair.id, Participant.status == ParticipantStatus.CONFIRMED).order_by(Participant.name)))
    registrations = {role: sum(1 for p in participants if p.role == role) for role in fair.allowed_roles}
    requests = list(db.session.scalars(select(MeetingRequest).where(MeetingRequest.fair_id == fair.id)))
    meetings = list(db.session.scalars(select(Meeting).where(
        Meeting.fair_id == fair.id, Meeting.status != MeetingStatus.CANCELLED)))
    feedback = list(db.session.scalars(select(MeetingFeedback).join(Meeting).where(Meeting.fair_id == fair.id)))
    counts: dict[int, dict[str, int]] = {p.id: {"meetings": 0, "held": 0, "no_shows": 0} for p in participants}
    for meeting in meetings:
        for pid in (meeting.a_id, meeting.b_id):
            if pid not in counts:
                continue
            if meeting.status in TAKING_PLACE:
                counts[pid]["meetings"] += 1
            if meeting.status == MeetingStatus.HELD:
                counts[pid]["held"] += 1
            if meeting.status == MeetingStatus.NO_SHOW and meeting.absent_id == pid:
                counts[pid]["no_shows"] += 1
    ratings = [f.rating for f in feedback]
    return FairResults(
        registrations=registrations,
        participants=len(participants),
        checked_in=sum(1 for p in participants if p.checked_in_at is not None),
        requests_made=sum(1 for r in requests if r.status != RequestStatus.WITHDRAWN),
        requests_accepted=sum(1 for r in requests if r.status == RequestStatus.ACCEPTED),
        meetings_scheduled=len(meetings),
        meetings_held=sum(1 for m in meetings if m.status == MeetingStatus.HELD),
        no_shows=sum(1 for m in meetings if m.status == MeetingStatus.NO_SHOW),
        last_minute=sum(1 for m in meetings if m.origin.value == "last_minute"),
        with_a_meeting=sum(1 for c in counts.values() if c["meetings"]),
        feedback_count=len(feedback),
        average_rating=sum(ratings) / len(ratings) if ratings else None,
        follow_ups=sum(1 for f in feedback if f.follow_up),
        quote_requests=sum(1 for f in feedback if f.need_id is not None),
        per_participant=[{"participant": p, **counts[p.id]} for p in participants],
    )


def results_table(results: FairResults) -> list[list]:
    """The results as rows for a CSV export: the figures, then one row per participant."""
    table = [["Indicateur", "Valeur"], *results.figures(), [],
             ["Participant", "Profil", "Présent", "Rendez-vous", "Tenus", "Absences"]]
    for row in results.per_participant:
        p = row["participant"]
        table.append([p.name, p.role.label, "oui" if p.checked_in_at else "non", row["meetings"], row["held"],
                      row["no_shows"]])
    return table


@fairs_hooks.past_fair_summary.answer
def past_fair_summary(fair: Fair) -> dict:
    """The few public figures of a past fair (no personal data)."""
    participants = db.session.scalar(select(func.count(Participant.id)).where(
        Participant.fair_id == fair.id, Participant.status == ParticipantStatus.CONFIRMED))
    held = db.session.scalar(select(func.count(Meeting.id)).where(
        Meeting.fair_id == fair.id, Meeting.status.in_(TAKING_PLACE)))
    return {"participants": participants, "meetings": held}
