"""Emails about registrations."""

from events.fairs import hooks
from marketplace.outbox.services import external_url, queue_email


def registration_confirmed(participant) -> None:
    """The registration mail; once confirmed, it names the first participants to meet,
    each with a link to ask."""
    fair = participant.fair
    suggestions = hooks.suggestions_for(participant) if participant.is_confirmed else []
    links = {s.participant.id: external_url("meetings.ask", fair_id=fair.id, participant_id=s.participant.id,
                                            participant=participant.id) for s in suggestions}
    queue_email(participant.contact_email, "fair_registration", "fairs.registration", participant=participant,
                fair=fair, link=external_url("fairs.show", fair_id=fair.id), suggestions=suggestions, links=links)
