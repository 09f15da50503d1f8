"""Rules for buyer organisations: creation, join requests and their decisions."""

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts import hooks as accounts_hooks
from marketplace.accounts.models import Role, User
from marketplace.errors import Conflict, DomainError, NotAllowed, NotFound
from marketplace.extensions import db
from marketplace.organisations import notifications
from marketplace.organisations.models import BuyerOrganisation, Membership, MembershipStatus
from marketplace.timeutil import utcnow


def get_organisation(organisation_id: int) -> BuyerOrganisation:
    organisation = db.session.get(BuyerOrganisation, organisation_id)
    if organisation is None:
        raise NotFound("Cette organisation n'existe pas.")
    return organisation


@accounts_hooks.membership_of.answer
def membership_of(user: User) -> Membership | None:
    """The user's active membership, or else their latest pending request."""
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.user_id == user.id)
        .where(Membership.status.in_([MembershipStatus.ACTIVE, MembershipStatus.PENDING]))
        .order_by(Membership.requested_at.desc())
    ).all()
    active = [m for m in memberships if m.status == MembershipStatus.ACTIVE]
    return (active or memberships or [None])[0]


def organisation_of(actor: User) -> BuyerOrganisation:
    """The buyer organisation the actor posts needs for."""
    if actor.role != Role.BUYER:
        raise NotAllowed("Seuls les acheteurs publient des besoins.")
    organisation = db.session.scalar(
        select(BuyerOrganisation).join(Membership).where(
            Membership.user_id == actor.id, Membership.status == MembershipStatus.ACTIVE))
    if organisation is None:
        raise NotAllowed("Rejoignez ou créez votre organisation avant de publier un besoin.",
                         next_step=("organisations.mine", "Créer ou rejoindre mon organisation"))
    return organisation


def active_members(organisation: BuyerOrganisation) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation.id)
            .where(Membership.status == MembershipStatus.ACTIVE)
            .where(User.is_active.is_(True))
            .order_by(User.last_name, User.first_name)
        )
    )


def is_member(user: User, organisation: BuyerOrganisation) -> bool:
    return (
        db.session.scalar(
            select(Membership.id)
            .where(Membership.organisation_id == organisation.id)
            .where(Membership.user_id == user.id)
            .where(Membership.status == MembershipStatus.ACTIVE)
        )
        is not None
    )


def pending_requests(organisation: BuyerOrganisation, actor: User) -> list[Membership]:
    ensure_can_manage(organisation, actor)
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.organisation_id == organisation.id)
            .where(Membership.status == MembershipStatus.PENDING)
            .order_by(Membership.requested_at)
        )
    )


def ensure_can_manage(organisation: BuyerOrganisation, actor: User) -> None:
    if not (actor.is_admin or is_member(actor, organisation)):
        raise NotAllowed("Seuls les membres de cette organisation peuvent faire cela.")


def _ensure_free_buyer(actor: User) -> None:
    if actor.role != Role.BUYER:
        raise NotAllowed("Seuls les comptes acheteurs peuvent rejoindre une organisation acheteuse.")
    current = membership_of(actor)
    if current is not None and current.status == MembershipStatus.ACTIVE:
        raise Conflict(f"Vous êtes déjà membre de « {current.organisation.name} ».")


def find_by_siret(siret: str) -> BuyerOrganisation | None:
    return db.session.scalar(select(BuyerOrganisation).where(BuyerOrganisation.siret == siret))


def create_organisation(data: dict, actor: User) -> BuyerOrganisation:
    """Register a buyer organisation; its creator becomes its first member."""
    _ensure_free_buyer(actor)
    if find_by_siret(data["siret"]):
        raise DomainError(
            "Cette organisation est déjà inscrite : demandez plutôt à la rejoindre.", "siret"
        )
    organisation = BuyerOrganisation(**data, siren=data["siret"][:9], created_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(organisation)
            db.session.flush()
            db.session.add(
                Membership(
                    organisation=organisation,
                    user_id=actor.id,
                    status=MembershipStatus.ACTIVE,
                    decided_at=utcnow(),
                    decided_by_id=actor.id,
                )
            )
    except IntegrityError as error:
        raise DomainError(
            "Cette organisation est déjà inscrite : demandez plutôt à la rejoindre.", "siret"
        ) from error
    return organisation


def search_organisations(query: str, limit: int = 20) -> list[BuyerOrganisation]:
    """Organisations by name, or by SIRET/SIREN prefix."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    digits = query.replace(" ", "")
    condition = BuyerOrganisation.name.ilike(f"%{query}%")
    if digits.isdigit():
        condition = or_(condition, BuyerOrganisation.siret.startswith(digits))
    return list(
        db.session.scalars(
            select(BuyerOrganisation).where(condition).order_by(BuyerOrganisation.name).limit(limit)
        )
    )


def request_to_join(organisation: BuyerOrganisation, actor: User, message: str | None) -> Membership:
    """Ask to join; the organisation's members (or the admins if it has none) decide."""
    _ensure_free_buyer(actor)
    membership = db.session.scalar(
        select(Membership)
        .where(Membership.organisation_id == organisation.id)
        .where(Membership.user_id == actor.id)
    )
    if membership is not None and membership.status == MembershipStatus.PENDING:
        raise Conflict("Votre demande est déjà en attente de réponse.")
    if membership is None:
        membership = Membership(organisation=organisation, user_id=actor.id)
        db.session.add(membership)
    membership.status = MembershipStatus.PENDING
    membership.message = message
    membership.requested_at = utcnow()
    membership.decided_at = None
    membership.decided_by_id = None
    db.session.flush()
    deciders = active_members(organisation) or list(
        db.session.scalars(select(User).where(User.role == Role.ADMIN, User.is_active.is_(True)))
    )
    notifications.notify_join_request(membership, deciders)
    return membership


def get_join_request(organisation: BuyerOrganisation, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.organisation_id != organisation.id:
        raise NotFound("Cette demande n'existe pas.")
    return membership


def decide_join_request(membership: Membership, actor: User, approve: bool) -> Membership:
    """A member (or an admin) approves or refuses a pending request; the requester is told."""
    ensure_can_manage(membership.organisation, actor)
    if membership.status != MembershipStatus.PENDING:
        raise Conflict("Cette demande a déjà reçu une réponse.")
    if approve:
        current = membership_of(membership.user)
        if current is not None and current.status == MembershipStatus.ACTIVE:
            raise Conflict("Cette personne a rejoint une autre organisation entre-temps.")
    membership.status = MembershipStatus.ACTIVE if approve else MembershipStatus.REFUSED
    membership.decided_at = utcnow()
    membership.decided_by_id = actor.id
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise Conflict("Cette personne a rejoint une autre organisation entre-temps.") from error
    notifications.notify_join_decision(membership)
    return membership
