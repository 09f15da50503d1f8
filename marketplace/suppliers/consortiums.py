"""Consortiums (groupements): a supplier of kind CONSORTIUM whose members are suppliers,
with a lead member as single point of contact. Members join by invitation and acceptance."""

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.errors import Conflict, DomainError, NotAllowed, NotFound
from marketplace.extensions import db
from marketplace.suppliers import notifications, services
from marketplace.suppliers.models import ConsortiumMembership, MemberStatus, Supplier
from marketplace.suppliers.taxonomy import SupplierKind
from marketplace.timeutil import utcnow


def create_consortium(data: dict, lead: Supplier, actor: User) -> Supplier:
    """A new consortium led by `lead`; whoever acts for the lead manages it."""
    services.ensure_can_edit(lead, actor)
    if lead.is_consortium:
        raise DomainError("Un groupement ne peut pas en mener un autre.")
    consortium = services.create_supplier({**data, "kind": SupplierKind.CONSORTIUM}, actor)
    db.session.add(ConsortiumMembership(consortium_id=consortium.id, member_id=lead.id, status=MemberStatus.ACTIVE,
                                        is_lead=True, answered_at=utcnow()))
    db.session.flush()
    return consortium


def memberships(consortium: Supplier, status: MemberStatus | None = MemberStatus.ACTIVE) -> list[ConsortiumMembership]:
    statement = select(ConsortiumMembership).where(ConsortiumMembership.consortium_id == consortium.id)
    if status is not None:
        statement = statement.where(ConsortiumMembership.status == status)
    return list(db.session.scalars(statement.order_by(ConsortiumMembership.is_lead.desc(), ConsortiumMembership.id)))


def lead_of(consortium: Supplier) -> Supplier | None:
    return db.session.scalar(
        select(Supplier).join(ConsortiumMembership, ConsortiumMembership.member_id == Supplier.id)
        .where(ConsortiumMembership.consortium_id == consortium.id, ConsortiumMembership.is_lead.is_(True))
    )


def consortiums_of(supplier: Supplier) -> list[ConsortiumMembership]:
    """The consortiums a supplier belongs to, or is invited to."""
    return list(db.session.scalars(
        select(ConsortiumMembership).where(ConsortiumMembership.member_id == supplier.id,
                                           ConsortiumMembership.status != MemberStatus.REFUSED)
    ))


def invite_member(consortium: Supplier, member: Supplier, actor: User) -> ConsortiumMembership:
    if not consortium.is_consortium:
        raise DomainError("Seul un groupement peut inviter des membres.")
    services.ensure_can_edit(consortium, actor)
    if member.is_consortium or member.id == consortium.id:
        raise DomainError("Un groupement ne peut pas être membre d'un groupement.", "siret")
    membership = db.session.scalar(select(ConsortiumMembership).where(
        ConsortiumMembership.consortium_id == consortium.id, ConsortiumMembership.member_id == member.id))
    if membership is not None and membership.status != MemberStatus.REFUSED:
        raise Conflict("Cette structure est déjà membre du groupement ou invitée.")
    if membership is None:
        membership = ConsortiumMembership(consortium_id=consortium.id, member_id=member.id)
        db.session.add(membership)
    membership.status, membership.invited_at, membership.answered_at = MemberStatus.PENDING, utcnow(), None
    db.session.flush()
    notifications.notify_consortium_invitation(membership, services.active_members(member))
    return membership


def get_invitation(member: Supplier, membership_id: int) -> ConsortiumMembership:
    membership = db.session.get(ConsortiumMembership, membership_id)
    if membership is None or membership.member_id != member.id:
        raise NotFound("Cette invitation n'existe pas.")
    return membership


def answer_invitation(membership: ConsortiumMembership, actor: User, accept: bool) -> ConsortiumMembership:
    if not (actor.is_admin or services.is_member(actor, membership.member)):
        raise NotAllowed("Seuls les membres de la structure invitée peuvent répondre.")
    if membership.status != MemberStatus.PENDING:
        raise Conflict("Cette invitation a déjà reçu une réponse.")
    membership.status = MemberStatus.ACTIVE if accept else MemberStatus.REFUSED
    membership.answered_at = utcnow()
    db.session.flush()
    notifications.notify_consortium_answer(membership, services.active_members(membership.consortium))
    return membership


def combined_capacity(consortium: Supplier) -> dict:
    """What the members bring together: headcounts, turnover, activities."""
    members = [m.member for m in memberships(consortium)]
    total = {"members": len(members), "permanent_staff": 0, "insertion_staff": 0, "turnover_cents": 0}
    for member in members:
        total["permanent_staff"] += member.permanent_staff or 0
        total["insertion_staff"] += member.insertion_staff or 0
        total["turnover_cents"] += member.turnover_cents or 0
    total["activities"] = [(member, activity) for member in members for activity in member.activities]
    return total
