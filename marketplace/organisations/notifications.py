"""Emails about joining a buyer organisation."""

from marketplace.accounts.models import User
from marketplace.organisations.models import Membership
from marketplace.outbox.services import external_url, queue_email


def notify_join_request(membership: Membership, deciders: list[User]) -> None:
    link = external_url("organisations.show", organisation_id=membership.organisation_id)
    for decider in deciders:
        queue_email(
            decider.email,
            "join_request",
            "organisations.join_request",
            membership=membership,
            recipient=decider,
            link=link,
        )


def notify_join_decision(membership: Membership) -> None:
    link = external_url("organisations.show", organisation_id=membership.organisation_id)
    queue_email(
        membership.user.email,
        "join_decision",
        "organisations.join_decision",
        membership=membership,
        link=link,
    )
