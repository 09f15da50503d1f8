"""Emails about registrations."""

from marketplace.outbox.services import external_url, queue_email


def registration_confirmed(participant) -> None:
    fair = participant.fair
    queue_email(participant.contact_email, "fair_registration", "fairs.registration", participant=participant,
                fair=fair, link=external_url("fairs.show", fair_id=fair.id))
