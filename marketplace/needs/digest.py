"""The weekly digest: each supplier gets the open needs that match it and that it has not
answered yet, with a link to stop the digest in every mail.

It reads the matches stored at publication (NeedSupplier rows), so it costs one
query whatever the size of the directory, and the mails are inserted in bulk.
"""

from collections import defaultdict

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.needs.models import Need, NeedStatus, NeedSupplier
from marketplace.organisations.models import BuyerOrganisation
from marketplace.outbox.services import external_url, queue_rendered, render_email
from marketplace.suppliers.models import Supplier
from marketplace.timeutil import utcnow

OPT_OUT_SALT = "needs.digest-opt-out"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=OPT_OUT_SALT)


def opt_out_token(supplier_id: int) -> str:
    return _serializer().dumps(supplier_id)


def supplier_from_opt_out_token(token: str) -> Supplier:
    try:
        supplier_id = _serializer().loads(token)
    except BadSignature as error:
        raise DomainError("Ce lien n'est pas valide.") from error
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        raise DomainError("Ce lien n'est pas valide.")
    return supplier


def set_digest(supplier: Supplier, wanted: bool) -> None:
    supplier.digest_opt_out = not wanted


def digest_rows() -> dict[tuple[int, str], list[int]]:
    """Per supplier that wants the digest (id, email), the open needs that match it and
    that it has not answered (newest first)."""
    now = utcnow()
    statement = (
        select(NeedSupplier.supplier_id, Supplier.email, NeedSupplier.need_id)
        .join(Need, Need.id == NeedSupplier.need_id)
        .join(Supplier, Supplier.id == NeedSupplier.supplier_id)
        .where(Need.status == NeedStatus.PUBLISHED, Need.deadline > now,
               NeedSupplier.not_interested_at.is_(None), NeedSupplier.offer_submitted_at.is_(None),
               Supplier.digest_opt_out.is_(False), Supplier.is_listed.is_(True), Supplier.email.is_not(None))
        .order_by(NeedSupplier.supplier_id, Need.published_at.desc(), Need.id.desc())
    )
    needs_by_supplier: dict[tuple[int, str], list[int]] = defaultdict(list)
    for supplier_id, email, need_id in db.session.execute(statement):
        needs_by_supplier[supplier_id, email].append(need_id)
    return needs_by_supplier


def build_digests() -> int:
    """Queue this week's digest for every supplier with matching open needs; returns how many mails."""
    limit = current_app.config["DIGEST_MAX_NEEDS"]
    needs_by_supplier = digest_rows()
    need_ids = {need_id for ids in needs_by_supplier.values() for need_id in ids[:limit]}
    needs = {}
    for row in db.session.execute(
            select(Need.id, Need.title, Need.kind, Need.deadline, BuyerOrganisation.name)
            .join(BuyerOrganisation, BuyerOrganisation.id == Need.organisation_id)
            .where(Need.id.in_(need_ids or [-1]))):
        needs[row.id] = {"title": row.title, "kind": row.kind.label, "deadline": row.deadline,
                         "buyer": row.name, "link": external_url("needs.show", need_id=row.id)}
    base_link = external_url("needs.opportunities")
    unsubscribe_base = external_url("needs.unsubscribe_digest", token="TOKEN")
    messages = []
    for (supplier_id, email), ids in needs_by_supplier.items():
        mail = render_email("weekly_digest", needs=[needs[i] for i in ids[:limit]], more=max(0, len(ids) - limit),
                            link=base_link, unsubscribe=unsubscribe_base.replace("TOKEN", opt_out_token(supplier_id)))
        messages.append({"recipient": email, "category": "needs.digest", **mail})
    return queue_rendered(messages)
