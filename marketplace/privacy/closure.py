"""Closing an account: the person goes, the business records others rely on stay.

Erased or anonymised: the account's name, e-mail, phone and job title (the account row
stays, anonymised, so that what it did still has an author), its password, its
memberships of organisations and structures, its own favourite lists and API keys, the
people it registered as attending fairs under its name, and every other copy of its full
name, e-mail address and phone number in the database (a message signed with the name,
a sent mail's recipient, a fair contact): replaced by « [données supprimées] ».

Kept, without the person: invoices and orders (ten years, Code de commerce L123-22),
needs and the offers of tenders (the other parties' records, and public procurement's),
messages (the other side's thread), fair meetings, the audit log. The privacy policy
says so (templates/legal/privacy.html).
"""

import secrets

from sqlalchemy import Enum, String, Text, delete, update

from marketplace.accounts.models import User
from marketplace.api.models import ApiKey
from marketplace.audit.models import AuditAction
from marketplace.audit.services import record
from marketplace.extensions import db
from marketplace.favourites.models import FavouriteList
from marketplace.organisations.models import Membership
from marketplace.suppliers.models import SupplierMember
from marketplace.timeutil import utcnow

MASK = "[données supprimées]"
NEVER_SCRUBBED = {("users", "password_hash")}


def close_account(user: User, actor: User | None, reason: str) -> None:
    """Close `user`'s account (by themselves, an administrator, or the inactivity job)."""
    traces = [value for value in (user.full_name, user.email, user.phone) if value and len(value) >= 5]
    user.first_name, user.last_name = "Compte", "clôturé"
    user.email = f"compte-{user.id}-{secrets.token_hex(4)}@cloture.invalid"
    user.phone = user.job_title = None
    user.set_password(secrets.token_urlsafe(32))
    user.is_active = False
    user.closed_at = user.deactivated_at = utcnow()
    for model, column in ((Membership, Membership.user_id), (SupplierMember, SupplierMember.user_id),
                          (FavouriteList, FavouriteList.owner_id), (ApiKey, ApiKey.user_id)):
        for row in db.session.scalars(db.select(model).where(column == user.id)):
            db.session.delete(row)  # through the ORM: a list's items go with it
    db.session.flush()
    _scrub(traces)
    record(AuditAction.ACCOUNT_CLOSED, actor.id if actor else None, f"user:{user.id}", reason)
    db.session.flush()


def _scrub(traces: list[str]) -> None:
    """Every other copy of the person's name, e-mail and phone: every mention in free
    text, and every short field that holds exactly one of them."""
    from events.fairs.models import Attendee

    for trace in traces:
        db.session.execute(delete(Attendee).where((Attendee.email == trace) | (Attendee.name == trace)))
    dialect = db.session.get_bind().dialect
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            stored = column.type.dialect_impl(dialect)  # a search vector on PostgreSQL is text elsewhere
            if not isinstance(stored, String) or isinstance(column.type, Enum):
                continue  # text only (an enum is a String to SQLAlchemy)
            if (table.name, column.name) in NEVER_SCRUBBED:
                continue
            if column.primary_key or column.foreign_keys:
                continue
            for trace in traces:
                if isinstance(column.type, Text):  # free text (as declared): every mention goes
                    where, value = column.contains(trace, autoescape=True), db.func.replace(column, trace, MASK)
                else:  # a short field (an address, a name): only when it is the person's, whole, so
                    # that x.acheteuse@ville.fr is not touched when acheteuse@ville.fr closes
                    where, value = column == trace, MASK[:column.type.length or len(MASK)]
                db.session.execute(update(table).where(where).values({column: value})
                                   .execution_options(synchronize_session=False))
