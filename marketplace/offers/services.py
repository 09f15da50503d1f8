"""Answering a need (interest, offers per lot, consortium offers) and the buyer's side
(comparison, shortlist, award, the outcome told to every supplier).

Confidentiality: a supplier only ever reads its own offers (or those of a consortium
it takes part in); a buyer only the offers on its organisation's needs.
"""

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.audit.models import AuditAction
from marketplace.audit.services import record
from marketplace.errors import Conflict, DomainError, NotAllowed, NotFound
from marketplace.extensions import db
from marketplace.needs import hooks as needs_hooks
from marketplace.needs import outreach
from marketplace.needs.models import Need, NeedLot, NeedSource, NeedStatus, NeedSupplier
from marketplace.needs.services import accepts_answers, close_if_due, ensure_buyer_of
from marketplace.offers import notifications
from marketplace.offers.models import LIVE_STATUSES, Offer, OfferAnswer, OfferParticipant, OfferStatus
from marketplace.suppliers import consortiums
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.services import is_member, suppliers_of
from marketplace.timeutil import utcnow

# --- The supplier's side -----------------------------------------------------------------

def _source(need: Need, supplier: Supplier) -> NeedSupplier | NeedSource | None:
    """How the supplier may answer: its told link, or the source of a link to create
    (a public need; a consortium one of whose members was told); None if it may not."""
    link = outreach.told_link(need, supplier)
    if link is not None:
        return link
    if need.is_public:
        return NeedSource.PUBLIC
    if supplier.is_consortium and any(outreach.told_link(need, m.member) for m in consortiums.memberships(supplier)):
        return NeedSource.CONSORTIUM
    return None


def answering_link(need: Need, supplier: Supplier, actor: User) -> NeedSupplier:
    """The supplier's link to the need, if the actor may answer for it."""
    if not (actor.is_authenticated and is_member(actor, supplier)):
        raise NotAllowed("Vous n'agissez pas pour cette structure.")
    source = _source(need, supplier)
    if source is None:
        raise NotFound("Ce besoin n'existe pas.")
    return source if isinstance(source, NeedSupplier) else outreach.link_for(need, supplier, source)


@needs_hooks.answering_suppliers.answer
def answering_suppliers(need: Need, actor: User) -> list[Supplier]:
    """The suppliers the actor may answer this need for."""
    return [supplier for supplier in suppliers_of(actor) if _source(need, supplier) is not None]


def _ensure_open(need: Need) -> None:
    if not accepts_answers(need):
        raise DomainError("La date limite de réponse est passée : les réponses sont figées.")


def express_interest(need: Need, supplier: Supplier, actor: User) -> NeedSupplier:
    """Interested: the buyer's contact details are shown (if the buyer allowed it)."""
    link = answering_link(need, supplier, actor)
    _ensure_open(need)
    link.interested_at = link.interested_at or utcnow()
    link.not_interested_at = link.not_interested_reason = None
    outreach.record_view(link)
    db.session.flush()
    return link


def decline_interest(need: Need, supplier: Supplier, reason: str, actor: User) -> NeedSupplier:
    link = answering_link(need, supplier, actor)
    _ensure_open(need)
    if link.offer_submitted_at is not None:
        raise DomainError("Retirez d'abord vos offres.", "reason")
    link.not_interested_at, link.not_interested_reason = utcnow(), reason
    link.interested_at = None
    db.session.flush()
    return link


def get_lot(need: Need, lot_id: int) -> NeedLot:
    lot = db.session.get(NeedLot, lot_id)
    if lot is None or lot.need_id != need.id:
        raise NotFound("Ce lot n'existe pas.")
    return lot


def offer_of(lot: NeedLot, supplier: Supplier) -> Offer | None:
    return db.session.scalar(select(Offer).where(Offer.lot_id == lot.id, Offer.supplier_id == supplier.id))


def _participants(supplier: Supplier, ids: list[int], actor: User) -> list[int]:
    """A consortium offer's members: the lead, who alone submits, and the members chosen."""
    lead = consortiums.lead_of(supplier)
    if lead is None or not is_member(actor, lead):
        raise NotAllowed("Seul le chef de file du groupement dépose ses offres.")
    members = {m.member_id for m in consortiums.memberships(supplier)}
    chosen = set(ids) | {lead.id}
    if not chosen <= members:
        raise DomainError("Choisissez parmi les membres du groupement.", "participants")
    return sorted(chosen)


def save_offer(lot: NeedLot, supplier: Supplier, data: dict, actor: User) -> Offer:
    """Submit, or change, the supplier's offer on a lot (until the deadline)."""
    need = lot.need
    link = answering_link(need, supplier, actor)
    _ensure_open(need)
    if not need.takes_offers_here:
        raise DomainError("Ce besoin ne reçoit pas d'offres sur la plateforme.")
    if data["valid_until"] < date.today():
        raise DomainError("La date de validité doit être dans le futur.", "valid_until")
    answers = data.get("answers") or {}
    for question in need.questions:
        if not (answers.get(question.id) or "").strip():
            raise DomainError(f"Répondez à la question : « {question.text} ».", f"answer_{question.id}")
    participants = _participants(supplier, data.get("participant_ids") or [], actor) if supplier.is_consortium else []
    offer = offer_of(lot, supplier)
    if offer is None:
        offer = Offer(need_id=need.id, lot_id=lot.id, supplier_id=supplier.id, submitted_by_id=actor.id)
        db.session.add(offer)
    elif offer.status not in (OfferStatus.SUBMITTED, OfferStatus.WITHDRAWN):
        raise Conflict("Cette offre a déjà reçu une décision.")
    for field in ("amount_cents", "vat_rate", "lead_time_days", "description", "insertion_hours", "valid_until"):
        setattr(offer, field, data[field])
    first_time = offer.id is None or offer.status == OfferStatus.WITHDRAWN
    offer.status, offer.submitted_by_id, offer.updated_at = OfferStatus.SUBMITTED, actor.id, utcnow()
    offer.answers = [OfferAnswer(question_id=q.id, text=answers[q.id].strip()) for q in need.questions]
    offer.participants = [OfferParticipant(member_id=member_id) for member_id in participants]
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # the same offer sent twice at once
        raise Conflict("Une offre de votre structure existe déjà sur ce lot : rechargez la page.") from error
    link.offer_submitted_at = link.offer_submitted_at or utcnow()
    link.interested_at = link.interested_at or utcnow()
    link.not_interested_at = link.not_interested_reason = None
    notifications.notify_offer_received(offer, first_time)
    db.session.flush()
    return offer


def get_offer(offer_id: int) -> Offer:
    offer = db.session.get(Offer, offer_id)
    if offer is None:
        raise NotFound("Cette offre n'existe pas.")
    return offer


def can_read_offer(offer: Offer, actor: User) -> bool:
    """The offering supplier's people, a consortium member taking part, or the buyer."""
    if not actor.is_authenticated:
        return False
    supplier_ids = {supplier.id for supplier in suppliers_of(actor)}
    if offer.supplier_id in supplier_ids or supplier_ids & {p.member_id for p in offer.participants}:
        return True
    from marketplace.needs.services import is_buyer_of

    return is_buyer_of(offer.need, actor) and offer.status != OfferStatus.WITHDRAWN


def withdraw_offer(offer: Offer, actor: User) -> Offer:
    if not is_member(actor, offer.supplier):
        raise NotFound("Cette offre n'existe pas.")
    if offer.supplier.is_consortium:
        _participants(offer.supplier, [], actor)  # only the lead withdraws
    _ensure_open(offer.need)
    if offer.status != OfferStatus.SUBMITTED:
        raise DomainError("Cette offre n'est plus modifiable.")
    offer.status, offer.updated_at = OfferStatus.WITHDRAWN, utcnow()
    db.session.flush()
    still = db.session.scalar(select(func.count()).select_from(Offer).where(
        Offer.need_id == offer.need_id, Offer.supplier_id == offer.supplier_id, Offer.status == OfferStatus.SUBMITTED))
    if not still:
        link = outreach.told_link(offer.need, offer.supplier)
        if link is not None:
            link.offer_submitted_at = None
    return offer


@needs_hooks.offers_of_supplier.answer
def offers_of_supplier(need: Need, supplier: Supplier) -> dict[int, Offer]:
    """The supplier's offers on the need, by lot id."""
    return {offer.lot_id: offer for offer in db.session.scalars(
        select(Offer).where(Offer.need_id == need.id, Offer.supplier_id == supplier.id))}


def offers_for_user(actor: User) -> list[Offer]:
    """Every offer the actor's suppliers made or take part in, newest first."""
    ids = [supplier.id for supplier in suppliers_of(actor)] or [-1]
    taking_part = select(OfferParticipant.offer_id).where(OfferParticipant.member_id.in_(ids))
    return list(db.session.scalars(select(Offer).where(or_(Offer.supplier_id.in_(ids), Offer.id.in_(taking_part)))
                                   .order_by(Offer.updated_at.desc())))


# --- The buyer's side ---------------------------------------------------------------------

@needs_hooks.offers_count.answer
def offers_count(need: Need) -> int:
    return db.session.scalar(select(func.count()).select_from(Offer).where(
        Offer.need_id == need.id, Offer.status.in_(LIVE_STATUSES))) or 0


@needs_hooks.has_live_offers.answer
def has_live_offers(need: Need) -> bool:
    return db.session.scalar(select(Offer.id).where(Offer.need_id == need.id, Offer.status.in_(LIVE_STATUSES))
                             .limit(1)) is not None


@needs_hooks.lot_has_offers.answer
def lot_has_offers(lot_id: int) -> bool:
    return db.session.scalar(select(Offer.id).where(Offer.lot_id == lot_id).limit(1)) is not None


@needs_hooks.answered_question_ids.answer
def answered_question_ids(question_ids: list[int]) -> set[int]:
    return set(db.session.scalars(select(OfferAnswer.question_id).where(OfferAnswer.question_id.in_(question_ids))))


def offers_by_lot(need: Need, actor: User) -> dict[int, list[Offer]]:
    """The offers on the need, per lot, cheapest first (withdrawn ones are gone)."""
    ensure_buyer_of(need, actor)
    by_lot: dict[int, list[Offer]] = {lot.id: [] for lot in need.lots}
    for offer in db.session.scalars(select(Offer).where(Offer.need_id == need.id, Offer.status.in_(LIVE_STATUSES))
                                    .order_by(Offer.amount_cents, Offer.id)):
        by_lot[offer.lot_id].append(offer)
    return by_lot


def _buyer_offer(offer: Offer, actor: User) -> Offer:
    if offer.status == OfferStatus.WITHDRAWN:
        raise NotFound("Cette offre n'existe pas.")
    ensure_buyer_of(offer.need, actor)
    return offer


def set_shortlisted(offer: Offer, shortlisted: bool, actor: User) -> Offer:
    _buyer_offer(offer, actor).shortlisted = shortlisted
    db.session.flush()
    return offer


def award_offer(offer: Offer, actor: User) -> Offer:
    """Choose this offer for its lot (another choice on the lot is undone). Suppliers
    hear of it when the buyer concludes."""
    _buyer_offer(offer, actor)
    need = offer.need
    close_if_due(need)
    if need.status != NeedStatus.CLOSED:
        raise DomainError("Les offres s'attribuent après la date limite de réponse.")
    for other in db.session.scalars(select(Offer).where(Offer.lot_id == offer.lot_id,
                                                        Offer.status == OfferStatus.AWARDED, Offer.id != offer.id)):
        other.status, other.decided_at = OfferStatus.SUBMITTED, None
    db.session.flush()
    offer.status, offer.decided_at = OfferStatus.AWARDED, utcnow()
    record(AuditAction.OFFER_AWARDED, actor.id, f"offer:{offer.id}", f"besoin {need.id}, lot {offer.lot_id}")
    db.session.flush()
    return offer


def conclude_need(need: Need, actor: User) -> Need:
    """Decline every offer not awarded, settle the need, and tell every offering supplier."""
    ensure_buyer_of(need, actor)
    close_if_due(need)
    if need.status != NeedStatus.CLOSED:
        raise DomainError("Un besoin se conclut après sa date limite de réponse.")
    now = utcnow()
    offers = list(db.session.scalars(select(Offer).where(Offer.need_id == need.id, Offer.status.in_(LIVE_STATUSES))))
    for offer in offers:
        if offer.status == OfferStatus.SUBMITTED:
            offer.status, offer.decided_at = OfferStatus.DECLINED, now
    awarded = any(offer.status == OfferStatus.AWARDED for offer in offers)
    need.status = NeedStatus.AWARDED if awarded else NeedStatus.UNSUCCESSFUL
    need.decided_at = now
    by_supplier: dict[int, list[Offer]] = {}
    for offer in offers:
        by_supplier.setdefault(offer.supplier_id, []).append(offer)
    for supplier_offers in by_supplier.values():
        notifications.notify_outcome(need, supplier_offers)
    db.session.flush()
    return need
