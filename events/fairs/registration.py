"""Registering at a fair: by a participant from their marketplace organisation, or by
an organiser on their behalf (one by one or from a CSV list); the catalogue."""

import csv
import io
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from events.fairs import hooks, notifications
from events.fairs.models import Attendee, Fair, Participant, ParticipantRole, ParticipantStatus, Slot
from events.fairs.services import ensure_organiser, is_organiser, registration_open
from marketplace.accounts.models import Role, User
from marketplace.errors import Conflict, DomainError, NotAllowed, NotFound, flush_or_conflict
from marketplace.extensions import db
from marketplace.forms import sniff_dialect
from marketplace.geography.services import commune_for
from marketplace.organisations import services as organisations
from marketplace.organisations.models import BuyerOrganisation
from marketplace.payments import hooks as payments_hooks
from marketplace.payments.gateway import payments_enabled
from marketplace.payments.models import ProductCode
from marketplace.suppliers import services as suppliers
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.taxonomy import Sector
from marketplace.timeutil import utcnow

CATALOGUE_PAGE = 30
LIVE = (ParticipantStatus.CONFIRMED, ParticipantStatus.AWAITING_PAYMENT)


def find_participant(fair: Fair, participant_id: int) -> Participant | None:
    participant = db.session.get(Participant, participant_id)
    return participant if participant is not None and participant.fair_id == fair.id else None


def get_participant(fair: Fair, participant_id: int) -> Participant:
    participant = find_participant(fair, participant_id)
    if participant is None:
        raise NotFound("Ce participant n'existe pas.")
    return participant


def manages(participant: Participant, user: User | None) -> bool:
    """Whether `user` acts for this participant (a member of its organisation)."""
    if user is None or not user.is_authenticated:
        return False
    if participant.buyer_organisation is not None:
        return organisations.is_member(user, participant.buyer_organisation)
    if participant.supplier is not None:
        return suppliers.is_member(user, participant.supplier)
    return participant.user_id == user.id


def ensure_manages(participant: Participant, actor: User) -> None:
    if not (manages(participant, actor) or is_organiser(participant.fair, actor)):
        raise NotAllowed("Vous n'agissez pas pour ce participant.")


def participants_of(fair: Fair, user: User | None) -> list[Participant]:
    """The registrations at this fair that `user` acts for."""
    if user is None or not user.is_authenticated:
        return []
    membership = organisations.membership_of(user)
    organisation_ids = [membership.organisation_id] if membership and membership.status.value == "active" else []
    supplier_ids = [supplier.id for supplier in suppliers.suppliers_of(user)]
    return list(db.session.scalars(select(Participant).where(
        Participant.fair_id == fair.id, Participant.status.in_(LIVE),
        or_(Participant.buyer_organisation_id.in_(organisation_ids), Participant.supplier_id.in_(supplier_ids),
            (Participant.role == ParticipantRole.PARTNER) & (Participant.user_id == user.id)))
        .order_by(Participant.id)))


def identities_of(user: User) -> list[tuple[str, str, ParticipantRole]]:
    """Who a user may register as: (key, name, role) for their buyer organisation, each
    supplier they act for, or themselves as a partner."""
    identities = []
    if user.role == Role.BUYER:
        membership = organisations.membership_of(user)
        if membership is not None and membership.status.value == "active":
            organisation = membership.organisation
            identities.append((f"buyer:{organisation.id}", organisation.name, ParticipantRole.BUYER))
    for supplier in suppliers.suppliers_of(user):
        role = ParticipantRole.CONSORTIUM if supplier.is_consortium else ParticipantRole.SUPPLIER
        identities.append((f"supplier:{supplier.id}", supplier.display_name, role))
    if user.role in (Role.ORGANISER, Role.ADMIN) or not identities:
        identities.append(("partner", "Partenaire (à mon nom ou celui de ma structure)", ParticipantRole.PARTNER))
    return identities


def fee_due_cents(fair: Fair, role: ParticipantRole) -> int:
    """The fee to pay before the registration is confirmed: none while payments are off."""
    return fair.fee_cents(role) if payments_enabled() else 0


def _billing(participant: Participant) -> dict:
    """Who the invoice is made out to: the organisation registered."""
    from marketplace.payments.services import billing_of

    return billing_of(participant.buyer_organisation or participant.supplier, participant.name)


def _ticket_order(participant: Participant, fee_cents: int, actor: User):
    from marketplace.payments.services import create_order

    return create_order(ProductCode.FAIR_TICKET, f"Inscription au salon {participant.fair.name} — "
                        f"{participant.role.label}", fee_cents, actor, _billing(participant),
                        participant_id=participant.id)


def _region_of(postcode: str | None, city: str | None) -> str | None:
    commune = commune_for(postcode, city) if postcode else None
    return commune.region_code if commune is not None else None


def _identity(key: str, actor: User | None) -> dict:
    """The organisation behind a registration key ("buyer:3", "supplier:8", "partner")."""
    kind, _, ident = key.partition(":")
    if kind == "buyer" and ident.isdigit():
        organisation = db.session.get(BuyerOrganisation, int(ident))
        if organisation is None:
            raise DomainError("Organisation inconnue.", "identity")
        return {"role": ParticipantRole.BUYER, "buyer_organisation": organisation, "name": organisation.name,
                "region_code": _region_of(organisation.postcode, organisation.city)}
    if kind == "supplier" and ident.isdigit():
        supplier = db.session.get(Supplier, int(ident))
        if supplier is None:
            raise DomainError("Structure inconnue.", "identity")
        role = ParticipantRole.CONSORTIUM if supplier.is_consortium else ParticipantRole.SUPPLIER
        return {"role": role, "supplier": supplier, "name": supplier.display_name,
                "region_code": supplier.region_code, "supplier_kind": supplier.kind.value}
    if kind == "partner":
        return {"role": ParticipantRole.PARTNER, "user_id": actor.id if actor else None}
    raise DomainError("Choisissez pour qui vous vous inscrivez.", "identity")


def _check_can_register(fair: Fair, role: ParticipantRole, on_behalf: bool) -> None:
    if not on_behalf and not registration_open(fair):
        if utcnow() < fair.registration_opens_at:
            raise DomainError("Les inscriptions ne sont pas encore ouvertes.")
        raise DomainError("Les inscriptions sont closes.")
    if role not in fair.allowed_roles:
        raise DomainError(f"Ce salon n'accueille pas le profil « {role.label} ».", "identity")
    if fair.max_participants is not None:
        count = db.session.scalar(select(func.count(Participant.id)).where(
            Participant.fair_id == fair.id, Participant.status.in_(LIVE)))
        if count >= fair.max_participants:
            raise DomainError("Le salon est complet.")


def _apply_profile(participant: Participant, fair: Fair, data: dict) -> None:
    session_ids = set(data["session_ids"])
    sessions = [s for s in fair.sessions if s.id in session_ids]
    if len(sessions) != len(session_ids):
        raise DomainError("Session inconnue pour ce salon.", "sessions")
    sector_ids = set(data.get("sector_ids") or [])
    sectors = list(db.session.scalars(select(Sector).where(Sector.id.in_(sector_ids)))) if sector_ids else []
    if len(sectors) != len(sector_ids):
        raise DomainError("Secteur inconnu.", "sectors")
    if data["max_meetings"] > fair.max_meetings:
        raise DomainError(f"{fair.max_meetings} rendez-vous au plus pour ce salon.", "max_meetings")
    participant.pitch = data["pitch"]
    participant.max_meetings = data["max_meetings"]
    participant.contact_email = data["contact_email"]
    participant.contact_phone = data.get("contact_phone")
    participant.sessions = sessions
    participant.sectors = sectors
    participant.max_in_a_row = data.get("max_in_a_row")
    participant.unavailable = _blocked_slots(fair, sessions, data.get("unavailable_slot_ids") or [])
    participant.attendees = [Attendee(name=p["name"], email=p["email"], job_title=p["job_title"])
                             for p in data.get("attendees") or []]


def _blocked_slots(fair: Fair, sessions: list, slot_ids: list[int]) -> list[Slot]:
    """The slots a participant blocks (arriving late, leaving early, another commitment):
    slots of the fair; at least one slot of their sessions stays free."""
    if not slot_ids:
        return []
    slots = list(db.session.scalars(select(Slot).where(Slot.fair_id == fair.id, Slot.id.in_(set(slot_ids)))))
    if len(slots) != len(set(slot_ids)):
        raise DomainError("Créneau inconnu pour ce salon.", "unavailable")
    attended = {session.id for session in sessions}
    free = db.session.scalar(select(func.count(Slot.id)).where(
        Slot.session_id.in_(attended), Slot.id.not_in({slot.id for slot in slots}))) if attended else 0
    if not free:
        raise DomainError("Vous avez bloqué tous les créneaux de vos sessions : laissez-en au moins un libre.",
                          "unavailable")
    return slots


def register(fair: Fair, identity_key: str, data: dict, actor: User) -> Participant:
    """Register an organisation at the fair. Organisers may register anyone at any time;
    anyone else only for an organisation they act for, while registration is open."""
    on_behalf = is_organiser(fair, actor)
    identity = _identity(identity_key, actor)
    if not on_behalf and identity_key not in {key for key, _, _ in identities_of(actor)}:
        raise NotAllowed("Vous n'agissez pas pour cette organisation.")
    _check_can_register(fair, identity["role"], on_behalf)
    if identity["role"] == ParticipantRole.PARTNER:
        identity["name"] = data.get("name") or actor.full_name
        if db.session.scalar(select(Participant.id).where(
                Participant.fair_id == fair.id, Participant.role == ParticipantRole.PARTNER,
                Participant.status.in_(LIVE), func.lower(Participant.name) == identity["name"].lower())):
            raise Conflict(f"{identity['name']} est déjà inscrit à ce salon.")
    participant = Participant(fair=fair, registered_by_id=actor.id, **identity)
    _apply_profile(participant, fair, data)
    fee = 0 if on_behalf else fee_due_cents(fair, participant.role)
    participant.status = ParticipantStatus.AWAITING_PAYMENT if fee else ParticipantStatus.CONFIRMED
    db.session.add(participant)
    flush_or_conflict(f"{participant.name} est déjà inscrit à ce salon.")
    if fee:
        _ticket_order(participant, fee, actor)
    notifications.registration_confirmed(participant)
    return participant


def update_registration(participant: Participant, data: dict, actor: User) -> Participant:
    ensure_manages(participant, actor)
    if participant.role == ParticipantRole.PARTNER and data.get("name"):
        participant.name = data["name"]
    _apply_profile(participant, participant.fair, data)
    db.session.flush()
    return participant


def cancel_registration(participant: Participant, actor: User) -> Participant:
    """Cancel a registration; its meetings are cancelled and the other parties told.
    A paid registration cancelled before the fair's cancellation deadline is refunded."""
    from marketplace.payments.services import refund_order, ticket_order_of

    ensure_manages(participant, actor)
    if participant.status == ParticipantStatus.CANCELLED:
        raise DomainError("Cette inscription est déjà annulée.")
    participant.status = ParticipantStatus.CANCELLED
    participant.table_id = None  # their own table is free for someone else
    hooks.participant_cancelled.send(participant)
    order = ticket_order_of(participant)
    deadline = participant.fair.cancellation_deadline
    if order is not None and order.refundable_cents and deadline is not None and utcnow() < deadline:
        refund_order(order, None, actor)
    db.session.flush()
    return participant


def refund_registration(participant: Participant, cents: int | None, actor: User):
    """The organiser refunds a cancelled registration, fully (cents None) or partly."""
    from marketplace.payments.services import refund_order, ticket_order_of

    ensure_organiser(participant.fair, actor)
    if participant.status != ParticipantStatus.CANCELLED:
        raise DomainError("Annulez d'abord l'inscription pour la rembourser.")
    order = ticket_order_of(participant)
    if order is None:
        raise DomainError("Cette inscription n'a pas été payée.")
    return refund_order(order, cents, actor)


def search_catalogue(fair: Fair, filters: dict) -> tuple[list[Participant], int]:
    """Confirmed participants matching the filters, a page at a time, and their count."""
    query = select(Participant).where(Participant.fair_id == fair.id,
                                      Participant.status == ParticipantStatus.CONFIRMED)
    if filters.get("q"):
        pattern = f"%{filters['q']}%"
        query = query.where(or_(Participant.name.ilike(pattern), Participant.pitch.ilike(pattern)))
    if filters.get("role"):
        query = query.where(Participant.role == filters["role"])
    if filters.get("sector"):
        query = query.where(Participant.sectors.any(Sector.id == filters["sector"]))
    if filters.get("region"):
        query = query.where(Participant.region_code == filters["region"])
    if filters.get("kind"):
        query = query.where(Participant.supplier_kind == filters["kind"])
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = filters.get("page") or 1
    rows = db.session.scalars(query.order_by(Participant.name, Participant.id)
                              .limit(CATALOGUE_PAGE).offset((page - 1) * CATALOGUE_PAGE)
                              .options(selectinload(Participant.sectors), selectinload(Participant.sessions)))
    return list(rows), total


@dataclass
class ImportLine:
    line: int
    name: str
    outcome: str  # "inscrit", "déjà inscrit", "erreur"
    message: str = ""


IMPORT_COLUMNS = ("role", "siret", "nom", "email", "telephone", "rendez_vous_max", "presentation")
ROLE_WORDS = {"acheteur": ParticipantRole.BUYER, "buyer": ParticipantRole.BUYER,
              "structure": ParticipantRole.SUPPLIER, "fournisseur": ParticipantRole.SUPPLIER,
              "supplier": ParticipantRole.SUPPLIER, "groupement": ParticipantRole.CONSORTIUM,
              "consortium": ParticipantRole.CONSORTIUM, "partenaire": ParticipantRole.PARTNER,
              "partner": ParticipantRole.PARTNER}


def identity_from_row(fair: Fair, row: dict, actor: User) -> tuple[str, str]:
    role = ROLE_WORDS.get((row.get("role") or "").strip().lower())
    if role is None:
        raise DomainError("rôle inconnu (acheteur, structure, groupement ou partenaire)")
    siret = "".join((row.get("siret") or "").split())
    if role == ParticipantRole.BUYER:
        organisation = organisations.find_by_siret(siret)
        if organisation is None:
            raise DomainError(f"aucune organisation acheteuse inscrite sur la plateforme avec le SIRET {siret!r}")
        key, name = f"buyer:{organisation.id}", organisation.name
    elif role == ParticipantRole.PARTNER:
        key, name = "partner", (row.get("nom") or "").strip()
        if not name:
            raise DomainError("un partenaire a un nom")
    else:
        supplier = suppliers.find_by_siret(siret)
        if supplier is None:
            raise DomainError(f"aucune structure de l'annuaire avec le SIRET {siret!r}")
        key, name = f"supplier:{supplier.id}", supplier.display_name
    return key, name


def import_participants(fair: Fair, content: str, actor: User, dry_run: bool = False) -> list[ImportLine]:
    """Register the participants of a CSV list (columns: IMPORT_COLUMNS, ; or , separated).
    Organisations are found by SIRET; those already registered are left as they are, so
    importing the same file twice registers nobody twice. A dry run changes nothing."""
    from marshmallow import ValidationError

    from events.fairs.schemas import RegistrationSchema

    ensure_organiser(fair, actor)
    reader = csv.DictReader(io.StringIO(content), dialect=sniff_dialect(content))
    missing = [c for c in ("role", "siret", "email") if c not in (reader.fieldnames or [])]
    if missing:
        raise DomainError(f"Colonnes manquantes : {', '.join(missing)}. Attendu : {', '.join(IMPORT_COLUMNS)}.",
                          "file")
    report = []
    for number, row in enumerate(reader, start=2):
        name = (row.get("nom") or row.get("siret") or "").strip()
        try:
            key, name = identity_from_row(fair, row, actor)
            data = RegistrationSchema().load({
                "pitch": row.get("presentation") or f"Inscrit par l'organisateur du salon {fair.name}.",
                "sessions": [s.id for s in fair.sessions], "max_meetings": row.get("rendez_vous_max") or
                min(fair.max_meetings, 8), "contact_email": row.get("email"), "contact_phone": row.get("telephone")})
            if key == "partner":
                data["name"] = name
            with db.session.begin_nested() as nested:
                register(fair, key, data, actor)
                if dry_run:
                    nested.rollback()
            report.append(ImportLine(number, name, "inscrit"))
        except Conflict:
            report.append(ImportLine(number, name, "déjà inscrit"))
        except ValidationError as error:
            fields = "; ".join(f"{field} : {' '.join(map(str, msgs))}" for field, msgs in error.messages.items())
            report.append(ImportLine(number, name, "erreur", fields))
        except DomainError as error:
            report.append(ImportLine(number, name, "erreur", error.message))
    return report


# --- confirmed participants and check-in --------------------------------------

def confirmed_participants(fair: Fair, with_sessions: bool = False) -> list[Participant]:
    query = confirmed_only(select(Participant), fair)
    if with_sessions:
        query = query.options(selectinload(Participant.sessions), selectinload(Participant.unavailable),
                              selectinload(Participant.table))
    return list(db.session.scalars(query))


def confirmed_only(statement, fair: Fair, ordered: bool = True):
    """`statement` narrowed to the fair's confirmed participants (by name unless `ordered` is False)."""
    statement = statement.where(Participant.fair_id == fair.id, Participant.status == ParticipantStatus.CONFIRMED)
    return statement.order_by(Participant.name) if ordered else statement


def check_in(participant: Participant, actor: User, present: bool = True) -> Participant:
    """The organiser records a participant's arrival at the entrance (or undoes it)."""
    ensure_organiser(participant.fair, actor)
    if participant.status != ParticipantStatus.CONFIRMED:
        raise DomainError(f"{participant.name} n'a pas d'inscription confirmée.")
    participant.checked_in_at = utcnow() if present else None
    db.session.flush()
    return participant


@payments_hooks.order_paid.connect
def confirm_paid_registration(order) -> None:
    """A paid ticket confirms the registration waiting for it."""
    if order.product != ProductCode.FAIR_TICKET or not order.participant_id:
        return
    participant = db.session.get(Participant, order.participant_id)
    if participant is not None and participant.status == ParticipantStatus.AWAITING_PAYMENT:
        participant.status = ParticipantStatus.CONFIRMED
