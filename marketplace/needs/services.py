"""Needs: who may see and change them, drafting, and the status workflow.

DRAFT -> SUBMITTED (moderation) -> PUBLISHED -> CLOSED (deadline) -> AWARDED | UNSUCCESSFUL;
CANCELLED from any open status; REJECTED by moderation, with a reason (editing it
makes it a draft again).
"""

from flask import current_app
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.errors import DomainError, NotAllowed, NotFound
from marketplace.extensions import db
from marketplace.geography.models import Department, Region
from marketplace.geography.services import resolve_commune
from marketplace.needs import editing, hooks, notifications, outreach
from marketplace.needs.models import (
    VISIBLE_STATUSES,
    Need,
    NeedArea,
    NeedDeadlineChange,
    NeedKind,
    NeedLot,
    NeedQuestion,
    NeedStatus,
    NeedSupplier,
)
from marketplace.organisations.models import BuyerOrganisation
from marketplace.organisations.services import is_member as is_organisation_member
from marketplace.organisations.services import organisation_of
from marketplace.suppliers.schemas import SERVICE_SLUGS
from marketplace.suppliers.services import suppliers_of
from marketplace.suppliers.taxonomy import Sector, SupplierKind
from marketplace.timeutil import utcnow

EDITABLE = (NeedStatus.DRAFT, NeedStatus.REJECTED, NeedStatus.SUBMITTED, NeedStatus.PUBLISHED)
OPEN = (NeedStatus.DRAFT, NeedStatus.SUBMITTED, NeedStatus.PUBLISHED, NeedStatus.CLOSED, NeedStatus.REJECTED)


# --- Access -------------------------------------------------------------------------------

def get_need(need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None:
        raise NotFound("Ce besoin n'existe pas.")
    return need


def is_buyer_of(need: Need, actor: User) -> bool:
    return actor.is_authenticated and (actor.is_admin or is_organisation_member(actor, need.organisation))


def ensure_buyer_of(need: Need, actor: User) -> None:
    if not is_buyer_of(need, actor):
        raise NotFound("Ce besoin n'existe pas.")  # not even its existence is told


def link_of(need: Need, actor: User) -> NeedSupplier | None:
    """The actor's supplier's link to the need (told, or found public), if any."""
    supplier_ids = [supplier.id for supplier in suppliers_of(actor)]
    if not supplier_ids:
        return None
    return db.session.scalar(select(NeedSupplier).where(
        NeedSupplier.need_id == need.id, NeedSupplier.supplier_id.in_(supplier_ids),
        NeedSupplier.told_at.is_not(None)).order_by(NeedSupplier.id))


def supplier_can_see(need: Need, actor: User) -> bool:
    if need.status not in VISIBLE_STATUSES or actor.role != Role.SUPPLIER:
        return False
    return need.is_public or link_of(need, actor) is not None


NEEDS_PER_PAGE = 25


def needs_of_organisation(organisation: BuyerOrganisation, status: NeedStatus | None = None, page: int = 1):
    """One page (a Flask-SQLAlchemy Pagination) of the organisation's needs, the last updated first."""
    statement = select(Need).where(Need.organisation_id == organisation.id)
    if status is not None:
        statement = statement.where(Need.status == status)
    return db.paginate(statement.order_by(Need.updated_at.desc(), Need.id.desc()), page=page,
                       per_page=NEEDS_PER_PAGE, error_out=False)


def need_counts(organisation: BuyerOrganisation) -> dict[NeedStatus, int]:
    """How many of the organisation's needs are in each status (every status, 0 included)."""
    counted = dict(db.session.execute(select(Need.status, func.count()).where(
        Need.organisation_id == organisation.id).group_by(Need.status)).all())
    return {status: counted.get(status, 0) for status in NeedStatus}


def opportunities_of(actor: User, only_open: bool = False) -> list[tuple[Need, NeedSupplier]]:
    """The needs the actor's suppliers were told, newest first, with their link."""
    supplier_ids = [supplier.id for supplier in suppliers_of(actor)]
    statement = (select(Need, NeedSupplier).join(NeedSupplier, NeedSupplier.need_id == Need.id)
                 .where(NeedSupplier.supplier_id.in_(supplier_ids or [-1]), NeedSupplier.told_at.is_not(None),
                        Need.status.in_([NeedStatus.PUBLISHED] if only_open else VISIBLE_STATUSES))
                 .order_by(NeedSupplier.told_at.desc()))
    return [tuple(row) for row in db.session.execute(statement)]


def public_needs(limit: int = 50) -> list[Need]:
    return list(db.session.scalars(
        select(Need).where(Need.is_public.is_(True), Need.status == NeedStatus.PUBLISHED)
        .order_by(Need.published_at.desc()).limit(limit)))


def moderation_queue() -> list[Need]:
    return list(db.session.scalars(select(Need).where(Need.status == NeedStatus.SUBMITTED)
                                   .order_by(Need.submitted_at)))


# --- Drafting -----------------------------------------------------------------------------

def _sectors(ids: list[int], field: str) -> list[Sector]:
    sectors = list(db.session.scalars(select(Sector).where(Sector.id.in_(ids or [-1]))))
    if len(sectors) != len(set(ids)):
        raise DomainError("Secteur inconnu.", field)
    return sectors


def _codes(model, codes: list[str], field: str) -> str:
    known = set(db.session.scalars(select(model.code).where(model.code.in_(codes or ["-"]))))
    unknown = sorted(set(codes) - known)
    if unknown:
        raise DomainError(f"Code inconnu : {', '.join(unknown)}.", field)
    return ",".join(sorted(known))


def _apply_place(need: Need, data: dict) -> None:
    need.area = data["area"]
    need.commune_code = need.radius_km = None
    need.department_codes = need.region_codes = ""
    if need.area == NeedArea.COMMUNE:
        commune = resolve_commune(data.get("commune"))
        if commune is None:
            raise DomainError("Commune introuvable : essayez son code postal.", "commune")
        need.commune_code, need.commune = commune.insee_code, commune
        need.radius_km = data.get("radius_km") or 0
    elif need.area == NeedArea.ZONES:
        need.department_codes = _codes(Department, data.get("departments") or [], "departments")
        need.region_codes = _codes(Region, data.get("regions") or [], "regions")


def _apply_lots(need: Need, lots: list[dict]) -> None:
    """Lots by position: existing lots keep their id (and offers); a lot with offers stays."""
    if not lots:  # a need without lots is answered as a whole: one lot
        lots = [{"title": need.title, "description": None, "budget_min_cents": need.budget_min_cents,
                 "budget_max_cents": need.budget_max_cents, "sector_ids": []}]
    existing = list(need.lots)
    for position, data in enumerate(lots, start=1):
        lot = existing[position - 1] if position <= len(existing) else None
        if lot is None:
            lot = NeedLot(position=position)
            need.lots.append(lot)
        lot.title, lot.description = data["title"], data.get("description")
        lot.budget_min_cents, lot.budget_max_cents = data.get("budget_min_cents"), data.get("budget_max_cents")
        lot.sectors = _sectors(data.get("sector_ids") or [], "lots")
    for lot in existing[len(lots):]:
        if lot.id and hooks.lot_has_offers(lot.id):
            raise DomainError(f"Le lot « {lot.title} » a déjà reçu des offres : il ne peut pas être retiré.", "lots")
        need.lots.remove(lot)


def _apply(need: Need, data: dict) -> None:
    for field in ("title", "description", "budget_min_cents", "budget_max_cents", "budget_visible", "deadline",
                  "start_date", "social_clause", "answer_mode", "answer_instructions", "show_contact"):
        setattr(need, field, data.get(field))
    if "kind" in data:
        need.kind = data["kind"]
    if "is_public" in data:
        need.is_public = data["is_public"]
    need.insertion_hours = data.get("insertion_hours") if data.get("social_clause") else None
    mask = 0
    for slug in data.get("service_kinds") or []:
        mask |= SERVICE_SLUGS[slug]
    need.service_kinds = int(mask)
    need.wanted_kinds = ",".join(sorted({SupplierKind(kind).value for kind in data.get("wanted_kinds") or []}))
    need.sectors = _sectors(data.get("sector_ids") or [], "sectors")
    _apply_place(need, data)
    _apply_lots(need, data.get("lots") or [])
    texts = [text for text in data.get("questions") or [] if text]
    for question in list(need.questions):
        if question.position > len(texts):
            need.questions.remove(question)
    db.session.flush()
    for position, text in enumerate(texts, start=1):
        question = next((q for q in need.questions if q.position == position), None)
        if question is None:
            need.questions.append(NeedQuestion(position=position, text=text))
        else:
            question.text = text
    need.updated_at = utcnow()


def create_need(data: dict, actor: User) -> Need:
    """A new draft need of the actor's organisation."""
    organisation = organisation_of(actor)
    need = Need(organisation_id=organisation.id, organisation=organisation, author_id=actor.id,
                status=NeedStatus.DRAFT, kind=data["kind"], title=data["title"], description=data["description"],
                area=data["area"])
    db.session.add(need)
    _apply(need, data)
    db.session.flush()
    return need


def update_need(need: Need, data: dict, actor: User) -> Need:
    """Change a need. A rejected one becomes a draft again; a published one tells the
    suppliers already told, and suppliers that now match join the next batch."""
    ensure_buyer_of(need, actor)
    if need.status not in EDITABLE:
        raise DomainError("Ce besoin ne peut plus être modifié.")
    if need.status == NeedStatus.PUBLISHED and data.get("kind", need.kind) != need.kind:
        raise DomainError("Le type d'un besoin publié ne change pas.", "kind")
    previous_deadline = need.deadline
    if editing.same_minute(data.get("deadline"), previous_deadline):
        data = {**data, "deadline": previous_deadline}  # the form shows minutes: an unchanged deadline stays as is
    if need.status == NeedStatus.PUBLISHED:
        editing.keep_answered_questions(need, [text for text in data.get("questions") or [] if text])
        editing.keep_deadline_fair(need, data.get("deadline"))
    _apply(need, data)
    if need.status == NeedStatus.REJECTED:
        need.status = NeedStatus.DRAFT
    if need.status == NeedStatus.PUBLISHED:
        _ensure_publishable(need)
        if need.deadline != previous_deadline:
            db.session.add(NeedDeadlineChange(need_id=need.id, previous=previous_deadline, deadline=need.deadline,
                                              changed_by_id=actor.id))
        notifications.notify_need_changed(need, previous_deadline)
        outreach.store_matches(need)
    db.session.flush()
    return need


# --- Workflow -----------------------------------------------------------------------------

def _ensure_publishable(need: Need) -> None:
    if not need.all_sectors:
        raise DomainError("Choisissez au moins un secteur d'activité.", "sectors")
    if need.deadline is None:
        raise DomainError("Indiquez la date limite de réponse.", "deadline")
    if need.deadline <= utcnow():
        raise DomainError("La date limite de réponse doit être dans le futur.", "deadline")


def submit_need(need: Need, actor: User) -> Need:
    """Send a draft to moderation, or publish it at once when moderation is off."""
    ensure_buyer_of(need, actor)
    if need.status not in (NeedStatus.DRAFT, NeedStatus.REJECTED):
        raise DomainError("Seul un brouillon peut être soumis.")
    _ensure_publishable(need)
    need.submitted_at = utcnow()
    need.rejection_reason = None
    if not current_app.config["NEEDS_MODERATION"]:
        return publish_need(need)
    need.status = NeedStatus.SUBMITTED
    notifications.notify_moderators(need)
    db.session.flush()
    return need


def publish_need(need: Need) -> Need:
    """Publish: store the matching suppliers and tell the first batch."""
    _ensure_publishable(need)
    need.status = NeedStatus.PUBLISHED
    need.published_at = utcnow()
    outreach.store_matches(need)
    outreach.tell_next_batch(need)
    notifications.notify_published(need)
    hooks.need_published.send(need)
    db.session.flush()
    return need


def _ensure_moderator(actor: User) -> None:
    if not actor.is_admin:
        raise NotAllowed("Seuls les administrateurs modèrent les besoins.")


def approve_need(need: Need, actor: User) -> Need:
    _ensure_moderator(actor)
    if need.status != NeedStatus.SUBMITTED:
        raise DomainError("Ce besoin n'attend pas de validation.")
    return publish_need(need)


def reject_need(need: Need, reason: str, actor: User) -> Need:
    _ensure_moderator(actor)
    if need.status != NeedStatus.SUBMITTED:
        raise DomainError("Ce besoin n'attend pas de validation.")
    need.status = NeedStatus.REJECTED
    need.rejection_reason = reason
    notifications.notify_rejected(need)
    db.session.flush()
    return need


def cancel_need(need: Need, reason: str | None, actor: User) -> Need:
    ensure_buyer_of(need, actor)
    if need.status not in OPEN:
        raise DomainError("Ce besoin est déjà terminé.")
    was_published = need.status in (NeedStatus.PUBLISHED, NeedStatus.CLOSED)
    need.status = NeedStatus.CANCELLED
    need.decided_at = utcnow()
    if was_published:
        notifications.notify_cancelled(need, reason)
    db.session.flush()
    return need


def request_quotes(data: dict, suppliers: list, actor: User) -> Need:
    """A quote request sent at once to chosen suppliers: no matching, no moderation
    (the buyer picked them); it is published for them alone."""
    organisation = organisation_of(actor)
    need = Need(organisation_id=organisation.id, organisation=organisation, author_id=actor.id,
                kind=NeedKind.QUOTE, status=NeedStatus.DRAFT, title=data["title"], description=data["description"],
                area=NeedArea.FRANCE)
    db.session.add(need)
    _apply(need, {**data, "kind": NeedKind.QUOTE, "area": NeedArea.FRANCE, "is_public": False})
    need.status, need.submitted_at, need.published_at = NeedStatus.PUBLISHED, utcnow(), utcnow()
    db.session.flush()
    if outreach.tell_directly(need, suppliers) == 0:
        raise DomainError("Aucune de ces structures n'a d'adresse e-mail de contact.", "suppliers")
    notifications.notify_published(need)
    return need


def close_if_due(need: Need) -> bool:
    if need.status == NeedStatus.PUBLISHED and need.deadline is not None and need.deadline <= utcnow():
        need.status = NeedStatus.CLOSED
        need.closed_at = utcnow()
        notifications.notify_closed(need)
        return True
    return False


def close_due_needs() -> int:
    """Close every published need whose deadline has passed; returns how many."""
    due = db.session.scalars(select(Need).where(Need.status == NeedStatus.PUBLISHED, Need.deadline <= utcnow())
                             .with_for_update(skip_locked=True))
    closed = sum(close_if_due(need) for need in due)
    db.session.flush()
    return closed


def accepts_answers(need: Need) -> bool:
    """Offers and interest can change until the deadline."""
    return need.status == NeedStatus.PUBLISHED and need.deadline is not None and need.deadline > utcnow()



def run_schedule() -> dict:
    """The periodic work on needs, each step committed on its own."""
    closed = close_due_needs()
    db.session.commit()
    matched = outreach.match_changed_suppliers()
    db.session.commit()
    told = outreach.send_due_batches()
    db.session.commit()
    reminded = outreach.send_reminders()
    db.session.commit()
    return {"closed": closed, "matched": matched, "told": told, "reminded": reminded}
