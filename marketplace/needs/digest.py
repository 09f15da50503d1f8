"""The weekly digest: each supplier gets the open needs that match it and that it has not
answered yet, with a link to stop the digest in every mail.

It reads the matches stored at publication (NeedSupplier rows), so it costs one
query whatever the size of the directory, and the mails are inserted in bulk.
"""

from flask import current_app, render_template
from itsdangerous import BadSignature, Signer, URLSafeSerializer
from markupsafe import Markup
from sqlalchemy import Text, cast, func, or_, select

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.needs.models import Need, NeedStatus, NeedSupplier
from marketplace.organisations.models import BuyerOrganisation
from marketplace.outbox.services import external_url, mass_renderer, queue_rendered
from marketplace.suppliers.models import Supplier
from marketplace.timeutil import utcnow

OPT_OUT_SALT = "needs.digest-opt-out"


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt=OPT_OUT_SALT)


def opt_out_token(supplier_id: int) -> str:
    """A signed supplier id (one HMAC: built for each of a digest's hundred thousand mails)."""
    return _signer().sign(str(supplier_id)).decode()


def supplier_from_opt_out_token(token: str) -> Supplier:
    try:
        supplier_id = int(_signer().unsign(token))
    except (BadSignature, ValueError):
        try:  # the links of the digests sent before signed ids
            supplier_id = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=OPT_OUT_SALT).loads(token)
        except BadSignature as error:
            raise DomainError("Ce lien n'est pas valide.") from error
    supplier = db.session.get(Supplier, supplier_id) if isinstance(supplier_id, int) else None
    if supplier is None:
        raise DomainError("Ce lien n'est pas valide.")
    return supplier


def set_digest(supplier: Supplier, wanted: bool) -> None:
    supplier.digest_opt_out = not wanted


def open_needs() -> dict[int, Need]:
    now = utcnow()
    return {need.id: need for need in db.session.scalars(
        select(Need).where(Need.status == NeedStatus.PUBLISHED, Need.deadline > now))}


def digest_rows(need_ids: list[int], public_ids: list[int] = ()) -> dict[int, list[int]]:
    """Per supplier, the needs among `need_ids` that it may open and has not answered:
    those it was told of (within the need's batches), and the public ones (`public_ids`)
    that match it. The database groups the millions of stored matches into one row per
    supplier (the need ids joined by commas): far cheaper than one Python row per match."""
    if db.engine.dialect.name == "postgresql":
        joined = func.string_agg(cast(NeedSupplier.need_id, Text), ",")
    else:
        joined = func.group_concat(NeedSupplier.need_id)
    statement = select(NeedSupplier.supplier_id, joined).where(
        NeedSupplier.need_id.in_(need_ids or [-1]), NeedSupplier.not_interested_at.is_(None),
        NeedSupplier.offer_submitted_at.is_(None),
        or_(NeedSupplier.told_at.is_not(None), NeedSupplier.need_id.in_(list(public_ids) or [-1]))) \
        .group_by(NeedSupplier.supplier_id)
    return {supplier_id: [int(need_id) for need_id in ids.split(",")]
            for supplier_id, ids in db.session.execute(statement)}


def digest_recipients() -> dict[int, str]:
    """The contact address of every listed supplier that wants the digest."""
    return dict(db.session.execute(select(Supplier.id, Supplier.email).where(
        Supplier.digest_opt_out.is_(False), Supplier.is_listed.is_(True), Supplier.email.is_not(None),
        Supplier.email != "")).all())


def _need_lines(need: dict) -> dict:
    """A need's entry in the digest, rendered once for all the mails that list it."""
    return {"text": render_template("email/_digest_need.txt", need=need).rstrip("\n"),
            # Safe HTML (B704): an autoescaped .html template's output, kept from being escaped twice
            "html": Markup(render_template("email/_digest_need.html", need=need))}  # nosec B704


def build_digests() -> int:
    """Queue this week's digest for every supplier with matching open needs; returns how many mails."""
    limit = current_app.config["DIGEST_MAX_NEEDS"]
    needs = open_needs()
    newest_first = {need_id: position for position, need_id in enumerate(
        sorted(needs, key=lambda i: (needs[i].published_at or utcnow(), i), reverse=True))}
    buyers = dict(db.session.execute(select(BuyerOrganisation.id, BuyerOrganisation.name).where(
        BuyerOrganisation.id.in_({need.organisation_id for need in needs.values()} or {-1}))).all())
    listed = {need_id: _need_lines({"title": need.title, "kind": need.kind.label, "deadline": need.deadline,
                                    "buyer": buyers[need.organisation_id],
                                    "link": external_url("needs.show", need_id=need_id)})
              for need_id, need in needs.items()}
    recipients = digest_recipients()
    base_link = external_url("needs.opportunities")
    unsubscribe_base = external_url("needs.unsubscribe_digest", token="TOKEN")
    messages, render = [], mass_renderer("weekly_digest")
    public = [need_id for need_id, need in needs.items() if need.is_public]
    for supplier_id, ids in digest_rows(list(needs), public).items():
        email = recipients.get(supplier_id)
        if email is None:
            continue
        ids.sort(key=newest_first.__getitem__)
        mail = render(needs=[listed[i] for i in ids[:limit]], more=max(0, len(ids) - limit), link=base_link,
                      unsubscribe=unsubscribe_base.replace("TOKEN", opt_out_token(supplier_id)))
        messages.append({"recipient": email, "category": "needs.digest", **mail})
    return queue_rendered(messages)
