"""Fairs: who manages them, creating and editing them (sessions, slots, tables, fees),
talks and stands, and the lists of upcoming and past fairs."""

from sqlalchemy import select

from events.fairs import hooks
from events.fairs.models import (
    Fair,
    FairFee,
    FairOrganiser,
    FairSession,
    FairTable,
    Participant,
    ParticipantRole,
    SessionBreak,
    Slot,
    Stand,
    Talk,
)
from events.fairs.slots import session_slots
from marketplace.accounts.models import Role, User
from marketplace.errors import DomainError, NotAllowed, NotFound
from marketplace.extensions import db
from marketplace.timeutil import utcnow


def get_fair(fair_id: int) -> Fair:
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        raise NotFound("Ce salon n'existe pas.")
    return fair


def is_organiser(fair: Fair, user: User | None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return user.is_admin or any(o.user_id == user.id for o in fair.organisers)


def ensure_organiser(fair: Fair, actor: User) -> None:
    if not is_organiser(fair, actor):
        raise NotAllowed("Seuls les organisateurs de ce salon peuvent faire cela.")


def ensure_can_create(actor: User) -> None:
    if actor.role not in (Role.ORGANISER, Role.ADMIN):
        raise NotAllowed("Seuls les comptes organisateurs créent des salons.")


def slots_of(fair: Fair) -> list[Slot]:
    return list(db.session.scalars(select(Slot).where(Slot.fair_id == fair.id).order_by(Slot.starts_at)))


FAIR_FIELDS = ("name", "venue", "city", "address", "description", "starts_on", "ends_on", "registration_opens_at",
               "registration_closes_at", "cancellation_deadline", "mode", "max_participants", "max_requests",
               "max_meetings", "max_in_a_row", "hold_accepted", "reminder_minutes", "auto_wishes_below")


def _apply_fees(fair: Fair, data: dict) -> None:
    amounts = {role: data.get(f"fee_{role.value}") or 0 for role in ParticipantRole}
    existing = {fee.role: fee for fee in fair.fees}
    for role, cents in amounts.items():
        if role in existing:
            existing[role].amount_cents = cents
        elif cents:
            fair.fees.append(FairFee(role=role, amount_cents=cents))


def _apply_tables(fair: Fair, count: int, names: list[str]) -> None:
    """Tables 1..count, named as given or "Table n"; tables holding meetings stay."""
    by_number = {table.number: table for table in fair.tables}
    for number in range(1, count + 1):
        name = names[number - 1] if number <= len(names) else f"Table {number}"
        if number in by_number:
            by_number[number].name = name
        else:
            fair.tables.append(FairTable(number=number, name=name))
    for number, table in by_number.items():
        if number > count:
            if table.id and hooks.table_holds_meetings(table.id):
                raise DomainError(f"La table {number} accueille déjà des rendez-vous : elle ne peut pas être retirée.",
                                  "table_count")
            holder = db.session.scalar(select(Participant).where(Participant.table_id == table.id)) \
                if table.id else None
            if holder is not None:
                raise DomainError(f"La table {number} est la table attitrée de {holder.name} : retirez-la "
                                  "d'abord, elle ne peut pas être supprimée.", "table_count")
            fair.tables.remove(table)


def _apply_sessions(fair: Fair, sessions: list[dict]) -> None:
    """Sessions in the given order (existing ones edited in place, so that participants
    keep their availability), and their slots computed again."""
    if fair.id and hooks.fair_has_meetings(fair):
        current = [(s.day, s.starts, s.ends, s.slot_minutes, s.pause_minutes, s.online,
                    [(b.starts, b.ends) for b in s.breaks]) for s in fair.sessions]
        wanted = [(s["day"], s["starts"], s["ends"], s["slot_minutes"], s["pause_minutes"], s.get("online", False),
                   [(b["starts"], b["ends"]) for b in s["breaks"]]) for s in sessions]
        if current != wanted:
            raise DomainError("Des rendez-vous sont déjà placés : les sessions et leurs créneaux ne peuvent plus "
                              "changer. Annulez d'abord les rendez-vous.", "sessions")
        for session, data in zip(fair.sessions, sessions, strict=True):
            session.name = data.get("name") or session.name
        return
    existing = list(fair.sessions)
    for index, data in enumerate(sessions):
        session = existing[index] if index < len(existing) else FairSession()
        session.name = data.get("name") or f"Session {index + 1}"
        for key in ("day", "starts", "ends", "slot_minutes", "pause_minutes"):
            setattr(session, key, data[key])
        session.online = data.get("online", False)
        session.breaks = [SessionBreak(starts=b["starts"], ends=b["ends"], label=b.get("label") or "Pause")
                          for b in data["breaks"]]
        if session not in existing:
            fair.sessions.append(session)
    for session in existing[len(sessions):]:
        fair.sessions.remove(session)
    db.session.flush()
    for slot in slots_of(fair):
        db.session.delete(slot)
    db.session.flush()
    for session in fair.sessions:
        times = session_slots(session)
        if not times:
            raise DomainError(f"La session « {session.name} » ne contient aucun créneau : allongez-la ou "
                              "raccourcissez les créneaux.", "sessions")
        for slot in times:
            db.session.add(Slot(fair_id=fair.id, session=session, starts_at=slot.starts_at, ends_at=slot.ends_at))
    db.session.flush()


def _apply(fair: Fair, data: dict) -> None:
    for key in FAIR_FIELDS:
        setattr(fair, key, data.get(key))
    fair.roles = ",".join(role.value for role in data["roles"])
    _apply_fees(fair, data)
    _apply_tables(fair, data["table_count"], data.get("table_names") or [])


def create_fair(data: dict, actor: User) -> Fair:
    ensure_can_create(actor)
    fair = Fair(created_by_id=actor.id)
    _apply(fair, data)
    fair.organisers.append(FairOrganiser(user_id=actor.id))
    db.session.add(fair)
    db.session.flush()
    _apply_sessions(fair, data["sessions"])
    return fair


def update_fair(fair: Fair, data: dict, actor: User) -> Fair:
    ensure_organiser(fair, actor)
    _apply(fair, data)
    db.session.flush()
    _apply_sessions(fair, data["sessions"])
    return fair


def add_organiser(fair: Fair, email: str, actor: User) -> FairOrganiser:
    ensure_organiser(fair, actor)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or user.role not in (Role.ORGANISER, Role.ADMIN):
        raise DomainError("Aucun compte organisateur n'a cette adresse.", "email")
    if any(o.user_id == user.id for o in fair.organisers):
        raise DomainError("Cette personne organise déjà ce salon.", "email")
    organiser = FairOrganiser(fair=fair, user_id=user.id)
    db.session.add(organiser)
    db.session.flush()
    return organiser


def add_talk(fair: Fair, data: dict, actor: User) -> Talk:
    ensure_organiser(fair, actor)
    talk = Talk(fair_id=fair.id, **data)
    db.session.add(talk)
    db.session.flush()
    return talk


def add_stand(fair: Fair, data: dict, actor: User) -> Stand:
    ensure_organiser(fair, actor)
    stand = Stand(fair_id=fair.id, **data)
    db.session.add(stand)
    db.session.flush()
    return stand


def remove_item(fair: Fair, model, item_id: int, actor: User) -> None:
    """Remove one of the fair's talks or stands."""
    ensure_organiser(fair, actor)
    item = db.session.get(model, item_id)
    if item is None or item.fair_id != fair.id:
        raise NotFound("Élément introuvable.")
    db.session.delete(item)
    db.session.flush()


def registration_open(fair: Fair) -> bool:
    now = utcnow()
    return fair.registration_opens_at <= now < fair.registration_closes_at


def upcoming_fairs() -> list[Fair]:
    today = utcnow().date()
    return list(db.session.scalars(select(Fair).where(Fair.ends_on >= today, Fair.is_visible)
                                   .order_by(Fair.starts_on)))


def past_fairs() -> list[Fair]:
    today = utcnow().date()
    return list(db.session.scalars(select(Fair).where(Fair.ends_on < today, Fair.is_visible)
                                   .order_by(Fair.starts_on.desc())))


def fairs_organised_by(user: User) -> list[Fair]:
    return list(db.session.scalars(select(Fair).join(FairOrganiser).where(FairOrganiser.user_id == user.id)
                                   .order_by(Fair.starts_on.desc())))
