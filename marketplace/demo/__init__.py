"""Realistic French demo data: idempotent, and scalable to national size.

Every record is derived from its index with a fixed seed, so running the command
twice adds nothing the second time, and a larger size adds only what is missing.
"""

from sqlalchemy import func, select, text

from marketplace.accounts.models import Role, User
from marketplace.demo.buyers import load_buyer_organisations
from marketplace.demo.common import DEMO_DOMAIN, DEMO_PASSWORD, demo_siret
from marketplace.demo.fairs import load_demo_fairs
from marketplace.demo.needs import load_demo_needs
from marketplace.demo.purchases import load_demo_purchases
from marketplace.demo.suppliers import load_suppliers
from marketplace.extensions import db
from marketplace.organisations.models import BuyerOrganisation, Membership, MembershipStatus
from marketplace.suppliers import search_index
from marketplace.suppliers.models import MemberStatus, Supplier, SupplierMember
from marketplace.timeutil import utcnow

# (first name, last name, email local part, role)
DEMO_USERS = [
    ("Inès", "Benali", "admin", Role.ADMIN),
    ("Claire", "Martin", "acheteur", Role.BUYER),
    ("Julien", "Roux", "acheteur2", Role.BUYER),
    ("Sophie", "Garcia", "fournisseur", Role.SUPPLIER),
    ("Karim", "Haddad", "organisateur", Role.ORGANISER),
]

__all__ = ["DEMO_PASSWORD", "demo_siret", "load_demo_data", "demo_logins", "database_is_empty"]


def load_demo_users() -> dict[str, User]:
    users = {}
    for first_name, last_name, local, role in DEMO_USERS:
        email = f"{local}@{DEMO_DOMAIN}"
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, first_name=first_name, last_name=last_name, role=role,
                        email_confirmed_at=utcnow())
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
        users[local] = user
    db.session.flush()
    return users


def load_demo_memberships(users: dict[str, User]) -> None:
    """The demo buyer belongs to the first organisation, the second buyer asks to join
    it, and the demo supplier user manages the first demo supplier."""
    organisation = db.session.scalar(select(BuyerOrganisation).where(BuyerOrganisation.siret == demo_siret(0)))
    for local, status in (("acheteur", MembershipStatus.ACTIVE), ("acheteur2", MembershipStatus.PENDING)):
        user = users[local]
        if db.session.scalar(select(Membership.id).where(Membership.user_id == user.id)) is None:
            db.session.add(Membership(
                organisation=organisation, user_id=user.id, status=status,
                message="Je rejoins le service achats." if status == MembershipStatus.PENDING else None,
                decided_at=utcnow() if status == MembershipStatus.ACTIVE else None,
            ))
    supplier = db.session.scalar(select(Supplier).where(Supplier.siret == demo_siret(0, series=5)))
    user = users["fournisseur"]
    if supplier is not None and db.session.scalar(
            select(SupplierMember.id).where(SupplierMember.user_id == user.id)) is None:
        db.session.add(SupplierMember(supplier_id=supplier.id, user_id=user.id, status=MemberStatus.ACTIVE,
                                      decided_at=utcnow()))
    db.session.flush()


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(User)) == 0


def load_demo_data(size: int, suppliers: int) -> dict[str, int]:
    """Fill the database; returns how many records of each kind were created."""
    organisations = load_buyer_organisations(max(size, 1))
    created_suppliers = load_suppliers(suppliers)
    users = load_demo_users()
    load_demo_memberships(users)
    needs = load_demo_needs(users["acheteur"], users["fournisseur"])
    load_demo_purchases(users["acheteur"])
    db.session.commit()
    fairs = load_demo_fairs(users["organisateur"])
    db.session.commit()
    # Fresh statistics, so that the query planner knows the shape of the new data (and,
    # on PostgreSQL, a vacuumed visibility map, so that counts can read indexes alone;
    # on SQLite, the full-text index merged into one segment after the bulk load).
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        search_index.optimize()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return {"organisations": organisations, "suppliers": created_suppliers, "needs": needs, "fairs": fairs}


def demo_logins() -> list[tuple[str, str, str]]:
    return [(role.label, f"{local}@{DEMO_DOMAIN}", DEMO_PASSWORD) for _f, _l, local, role in DEMO_USERS]
