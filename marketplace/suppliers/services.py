"""Supplier accounts and profiles: create, claim by SIRET, members, edit, activities,
references, completion score."""

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Role, User
from marketplace.errors import Conflict, DomainError, NotAllowed, NotFound
from marketplace.extensions import db
from marketplace.geography.services import commune_for
from marketplace.suppliers import notifications
from marketplace.suppliers.models import (
    ActivityReach,
    ActivityZone,
    GeoRange,
    MemberStatus,
    Supplier,
    SupplierActivity,
    SupplierLabel,
    SupplierMember,
    SupplierNetwork,
    SupplierReference,
    ZoneType,
)
from marketplace.suppliers.reach import refresh_reach, refresh_search_document
from marketplace.suppliers.taxonomy import Sector
from marketplace.timeutil import utcnow

PROFILE_FIELDS = (
    "name", "brand", "kind", "legal_form", "description", "address", "postcode", "city", "email", "phone",
    "website", "logo_url", "permanent_staff", "insertion_staff", "turnover_cents",
)


def get_supplier(supplier_id: int, include_delisted: bool = False) -> Supplier:
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None or not (supplier.is_listed or include_delisted):
        raise NotFound("Cette structure n'existe pas ou n'est plus référencée.")
    return supplier


def find_by_siret(siret: str) -> Supplier | None:
    return db.session.scalar(select(Supplier).where(Supplier.siret == siret))


def active_members(supplier: Supplier) -> list[User]:
    return list(db.session.scalars(
        select(User).join(SupplierMember, SupplierMember.user_id == User.id)
        .where(SupplierMember.supplier_id == supplier.id, SupplierMember.status == MemberStatus.ACTIVE,
               User.is_active.is_(True))
        .order_by(User.last_name)
    ))


def is_member(user: User, supplier: Supplier) -> bool:
    return db.session.scalar(
        select(SupplierMember.id).where(SupplierMember.supplier_id == supplier.id, SupplierMember.user_id == user.id,
                                        SupplierMember.status == MemberStatus.ACTIVE)
    ) is not None


def suppliers_of(user: User) -> list[Supplier]:
    """The suppliers a user acts for."""
    return list(db.session.scalars(
        select(Supplier).join(SupplierMember, SupplierMember.supplier_id == Supplier.id)
        .where(SupplierMember.user_id == user.id, SupplierMember.status == MemberStatus.ACTIVE)
        .order_by(Supplier.name)
    ))


def pending_claims(supplier: Supplier) -> list[SupplierMember]:
    return list(db.session.scalars(
        select(SupplierMember).where(SupplierMember.supplier_id == supplier.id,
                                     SupplierMember.status == MemberStatus.PENDING)
        .order_by(SupplierMember.requested_at)
    ))


def ensure_can_edit(supplier: Supplier, actor: User) -> None:
    if not (actor.is_admin or is_member(actor, supplier)):
        raise NotAllowed("Seuls les membres de cette structure peuvent la modifier.")


def _place(supplier: Supplier) -> None:
    """Locate the supplier from its postcode and city."""
    commune = commune_for(supplier.postcode or "", supplier.city or "")
    if commune is None:
        supplier.commune_code = supplier.department_code = supplier.region_code = None
        supplier.latitude = supplier.longitude = None
        return
    supplier.commune_code = commune.insee_code
    supplier.department_code = commune.department_code
    supplier.region_code = commune.region_code
    supplier.latitude, supplier.longitude = commune.latitude, commune.longitude
    supplier.city = supplier.city or commune.name


def _set_tags(supplier: Supplier, labels: list[str] | None, networks: list[str] | None) -> None:
    if labels is not None:
        supplier.label_rows = [SupplierLabel(label=label) for label in sorted(set(labels))]
    if networks is not None:
        supplier.network_rows = [SupplierNetwork(network=network) for network in sorted(set(networks))]


def _refresh(supplier: Supplier, created: bool = False) -> None:
    from marketplace.suppliers.changes import ChangeKind, record_change

    supplier.updated_at = utcnow()
    supplier.completion = completion(supplier)[0]
    refresh_reach(supplier)
    refresh_search_document(supplier)
    record_change(supplier, ChangeKind.CREATED if created else ChangeKind.UPDATED)


def create_supplier(data: dict, actor: User, imported: bool = False) -> Supplier:
    """List a new supplier; its creator becomes its first member (not so for an import)."""
    if actor.role not in (Role.SUPPLIER, Role.ADMIN) and not imported:
        raise NotAllowed("Seuls les comptes des structures inclusives peuvent référencer une structure.")
    if find_by_siret(data["siret"]):
        raise DomainError("Cette structure est déjà référencée : revendiquez-la plutôt.", "siret")
    supplier = Supplier(siret=data["siret"], siren=data["siret"][:9],
                        **{f: data.get(f) for f in PROFILE_FIELDS})
    _set_tags(supplier, data.get("labels"), data.get("networks"))
    _place(supplier)
    try:
        with db.session.begin_nested():
            db.session.add(supplier)
            db.session.flush()
    except IntegrityError as error:
        raise DomainError("Cette structure est déjà référencée : revendiquez-la plutôt.", "siret") from error
    if actor.role == Role.SUPPLIER and not imported:
        db.session.add(SupplierMember(supplier_id=supplier.id, user_id=actor.id, status=MemberStatus.ACTIVE,
                                      decided_at=utcnow(), decided_by_id=actor.id))
    _refresh(supplier, created=True)
    return supplier


def update_supplier(supplier: Supplier, data: dict, actor: User, imported: bool = False) -> Supplier:
    """Edit a profile; `imported` marks an import (whose rights the import checked)."""
    from marketplace.suppliers.changes import record_own_edits

    if not imported:
        ensure_can_edit(supplier, actor)
    changed = [field for field in PROFILE_FIELDS if field in data and getattr(supplier, field) != data[field]]
    if not imported and is_member(actor, supplier):  # the supplier's own edits outrank imports
        record_own_edits(supplier, changed)
    for field in PROFILE_FIELDS:
        if field in data:
            setattr(supplier, field, data[field])
    _set_tags(supplier, data.get("labels"), data.get("networks"))
    _place(supplier)
    _refresh(supplier)
    return supplier


def set_listed(supplier: Supplier, listed: bool, actor: User) -> Supplier:
    """Delist (or relist) a supplier: it leaves the directory, nothing is deleted."""
    from marketplace.suppliers.changes import ChangeKind, record_change

    ensure_can_edit(supplier, actor)
    if supplier.is_listed != listed:
        record_change(supplier, ChangeKind.RELISTED if listed else ChangeKind.DELISTED)
    supplier.is_listed = listed
    supplier.updated_at = utcnow()
    refresh_reach(supplier)
    refresh_search_document(supplier)
    return supplier


def claim_supplier(supplier: Supplier, actor: User) -> SupplierMember:
    """Ask to act for an existing listing; a current member, or an admin if none, decides."""
    if actor.role != Role.SUPPLIER:
        raise NotAllowed("Seuls les comptes des structures inclusives peuvent revendiquer une structure.")
    member = db.session.scalar(select(SupplierMember).where(SupplierMember.supplier_id == supplier.id,
                                                            SupplierMember.user_id == actor.id))
    if member is not None and member.status == MemberStatus.ACTIVE:
        raise Conflict("Vous êtes déjà membre de cette structure.")
    if member is not None and member.status == MemberStatus.PENDING:
        raise Conflict("Votre demande est déjà en attente de réponse.")
    if member is None:
        member = SupplierMember(supplier_id=supplier.id, user_id=actor.id)
        db.session.add(member)
    member.status, member.requested_at, member.decided_at, member.decided_by_id = (
        MemberStatus.PENDING, utcnow(), None, None)
    db.session.flush()
    deciders = active_members(supplier) or list(
        db.session.scalars(select(User).where(User.role == Role.ADMIN, User.is_active.is_(True))))
    notifications.notify_claim(member, deciders)
    return member


def get_claim(supplier: Supplier, member_id: int) -> SupplierMember:
    member = db.session.get(SupplierMember, member_id)
    if member is None or member.supplier_id != supplier.id:
        raise NotFound("Cette demande n'existe pas.")
    return member


def decide_claim(member: SupplierMember, actor: User, approve: bool) -> SupplierMember:
    ensure_can_edit(member.supplier, actor)
    if member.status != MemberStatus.PENDING:
        raise Conflict("Cette demande a déjà reçu une réponse.")
    member.status = MemberStatus.ACTIVE if approve else MemberStatus.REFUSED
    member.decided_at, member.decided_by_id = utcnow(), actor.id
    db.session.flush()
    notifications.notify_claim_decision(member)
    return member


def _sector(sector_id: int) -> Sector:
    sector = db.session.get(Sector, sector_id)
    if sector is None:
        raise DomainError("Secteur inconnu.", "sector_id")
    return sector


def save_activity(supplier: Supplier, data: dict, actor: User, activity: SupplierActivity | None = None):
    """Add an activity, or change one, then refresh where the supplier is found."""
    ensure_can_edit(supplier, actor)
    _sector(data["sector_id"])
    from marketplace.geography.services import communes_from_text

    communes = communes_from_text(data.pop("communes", ""), "communes")
    data["zones"] = list(data.get("zones", [])) + [(ZoneType.COMMUNE, commune.insee_code) for commune in communes]
    if activity is None:
        activity = SupplierActivity(supplier=supplier)
        db.session.add(activity)
    elif activity.supplier_id != supplier.id:
        raise NotFound("Cette activité n'existe pas.")
    activity.sector_id = data["sector_id"]
    activity.service_kinds = data["service_kinds"]
    activity.geo_range = data["geo_range"]
    activity.radius_km = data.get("radius_km") if data["geo_range"] == GeoRange.RADIUS else None
    activity.zones = [ActivityZone(zone_type=t, code=c) for t, c in data.get("zones", [])] \
        if data["geo_range"] == GeoRange.ZONES else []
    db.session.flush()
    db.session.refresh(activity)
    _refresh(supplier)
    return activity


def get_activity(supplier: Supplier, activity_id: int) -> SupplierActivity:
    activity = db.session.get(SupplierActivity, activity_id)
    if activity is None or activity.supplier_id != supplier.id:
        raise NotFound("Cette activité n'existe pas.")
    return activity


def delete_activity(supplier: Supplier, activity: SupplierActivity, actor: User) -> None:
    ensure_can_edit(supplier, actor)
    # Its derived reach rows go first: they reference it (PostgreSQL refused the delete).
    db.session.execute(delete(ActivityReach).where(ActivityReach.activity_id == activity.id))
    supplier.activities.remove(activity)
    db.session.flush()
    _refresh(supplier)


def add_reference(supplier: Supplier, data: dict, actor: User) -> SupplierReference:
    ensure_can_edit(supplier, actor)
    reference = SupplierReference(supplier=supplier, **data)
    db.session.add(reference)
    db.session.flush()
    _refresh(supplier)
    return reference


def delete_reference(supplier: Supplier, reference_id: int, actor: User) -> None:
    ensure_can_edit(supplier, actor)
    reference = db.session.get(SupplierReference, reference_id)
    if reference is None or reference.supplier_id != supplier.id:
        raise NotFound("Cette référence n'existe pas.")
    supplier.references.remove(reference)
    db.session.flush()
    _refresh(supplier)


# What a complete profile has, with the weight of each item (they add up to 100).
COMPLETION_ITEMS = (
    ("description", "Une description de la structure (50 caractères au moins)", 20,
     lambda s: len(s.description or "") >= 50),
    ("activities", "Au moins une activité (secteur, prestations, zone)", 25, lambda s: bool(s.activities)),
    ("contact", "Une adresse e-mail de contact", 15, lambda s: bool(s.email)),
    ("phone", "Un numéro de téléphone", 5, lambda s: bool(s.phone)),
    ("website", "Un site internet", 5, lambda s: bool(s.website)),
    ("place", "Une adresse localisée (code postal et commune)", 10, lambda s: s.commune_code is not None),
    ("headcount", "Les effectifs (permanents et en insertion)", 5,
     lambda s: s.permanent_staff is not None and s.insertion_staff is not None),
    ("references", "Au moins une référence client", 10, lambda s: bool(s.references)),
    ("labels", "Vos labels, certifications ou réseaux", 5, lambda s: bool(s.label_rows or s.network_rows)),
)


def completion(supplier: Supplier) -> tuple[int, list[str]]:
    """The completion score (percent) and what is missing to reach 100."""
    score, missing = 0, []
    for _key, label, weight, done in COMPLETION_ITEMS:
        if done(supplier):
            score += weight
        else:
            missing.append(label)
    return score, missing
