"""Everything held about a person, as JSON files in a ZIP: their account, memberships,
needs, offers, messages, fair registrations, orders, favourite lists, API keys (never
their secret) and the audit entries about them. Nobody else's records: a thread's
messages are only theirs, a need's offers are not included."""

import io
import json
import zipfile
from datetime import date, datetime

from sqlalchemy import or_, select

from events.fairs.models import Participant
from marketplace.accounts.models import User
from marketplace.api.models import ApiKey
from marketplace.audit.models import AuditEvent
from marketplace.extensions import db
from marketplace.favourites.models import FavouriteList
from marketplace.messaging.models import Message
from marketplace.needs.models import Need
from marketplace.offers.models import Offer
from marketplace.organisations.models import Membership
from marketplace.payments.models import Order
from marketplace.suppliers.models import SupplierMember
from marketplace.timeutil import utcnow


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):  # an enum
        return value.value
    return value


def _rows(records, fields: tuple[str, ...]) -> list[dict]:
    return [{name: _plain(getattr(record, name)) for name in fields} for record in records]


def personal_data(user: User) -> dict[str, list[dict] | dict]:
    """Section name -> the records, as plain data."""
    scalars = db.session.scalars
    return {
        "compte": {name: _plain(getattr(user, name)) for name in (
            "id", "email", "first_name", "last_name", "phone", "job_title", "role", "email_confirmed_at",
            "created_at", "last_login_at", "is_active")},
        "organisations": [{"organisation": m.organisation.name, "statut": m.status.value,
                           "demandee_le": _plain(m.requested_at)}
                          for m in scalars(select(Membership).where(Membership.user_id == user.id))],
        "structures": [{"structure": m.supplier.name, "statut": m.status.value, "demandee_le": _plain(m.requested_at)}
                       for m in scalars(select(SupplierMember).where(SupplierMember.user_id == user.id))],
        "besoins": _rows(scalars(select(Need).where(Need.author_id == user.id).order_by(Need.id)),
                         ("id", "title", "kind", "status", "created_at", "published_at", "deadline")),
        "offres": _rows(scalars(select(Offer).where(Offer.submitted_by_id == user.id).order_by(Offer.id)),
                        ("id", "need_id", "lot_id", "amount_cents", "status", "created_at", "decided_at")),
        "messages": _rows(scalars(select(Message).where(Message.author_id == user.id).order_by(Message.id)),
                          ("id", "need_id", "supplier_id", "body", "created_at")),
        "salons": _rows(scalars(select(Participant).where(or_(
            Participant.registered_by_id == user.id, Participant.user_id == user.id)).order_by(Participant.id)),
                        ("id", "fair_id", "name", "role", "status", "contact_email", "contact_phone", "registered_at")),
        "commandes": _rows(scalars(select(Order).where(Order.user_id == user.id).order_by(Order.id)),
                           ("id", "product", "status", "billing_name", "total_incl_cents", "invoice_number",
                            "created_at", "paid_at")),
        "listes_favorites": _rows(scalars(select(FavouriteList).where(FavouriteList.owner_id == user.id)),
                                  ("id", "name", "shared", "created_at")),
        "cles_api": _rows(scalars(select(ApiKey).where(ApiKey.user_id == user.id)),
                          ("id", "name", "prefix", "scopes", "created_at")),
        "journal": _rows(scalars(select(AuditEvent).where(or_(
            AuditEvent.actor_id == user.id, AuditEvent.target == f"user:{user.id}")).order_by(AuditEvent.at)),
                         ("at", "action", "target", "details")),
    }


def export_zip(user: User) -> bytes:
    data = personal_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LISEZMOI.txt", (
            f"Vos données sur le Marché de l'achat inclusif, au {utcnow():%d/%m/%Y}.\n"
            "Un fichier JSON par sujet : compte, organisations, structures, besoins, offres, messages, salons, "
            "commandes, listes favorites, clés d'API (sans leur secret) et journal des actions sensibles.\n"))
        for section, records in data.items():
            archive.writestr(f"{section}.json", json.dumps(records, ensure_ascii=False, indent=1, default=str))
    return buffer.getvalue()
