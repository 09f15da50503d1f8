"""Emails about supplier accounts and consortiums."""

from marketplace.accounts.models import User
from marketplace.outbox.services import external_url, queue_email
from marketplace.suppliers.models import ConsortiumMembership, SupplierMember


def notify_claim(member: SupplierMember, deciders: list[User]) -> None:
    link = external_url("suppliers.manage", supplier_id=member.supplier_id)
    for decider in deciders:
        queue_email(decider.email, "supplier_claim", "suppliers.claim", member=member, recipient=decider, link=link)


def notify_claim_decision(member: SupplierMember) -> None:
    link = external_url("suppliers.manage", supplier_id=member.supplier_id)
    queue_email(member.user.email, "supplier_claim_decision", "suppliers.claim_decision", member=member, link=link)


def notify_consortium_invitation(membership: ConsortiumMembership, recipients: list[User]) -> None:
    link = external_url("suppliers.manage", supplier_id=membership.member_id)
    for recipient in recipients:
        queue_email(recipient.email, "consortium_invitation", "suppliers.consortium_invitation",
                    membership=membership, recipient=recipient, link=link)


def notify_consortium_answer(membership: ConsortiumMembership, recipients: list[User]) -> None:
    link = external_url("directory.supplier", supplier_id=membership.consortium_id)
    for recipient in recipients:
        queue_email(recipient.email, "consortium_answer", "suppliers.consortium_answer",
                    membership=membership, recipient=recipient, link=link)
