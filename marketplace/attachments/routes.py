"""Uploading attachments to needs and offers, and downloading them."""

from flask import Blueprint, flash, redirect, request, send_file, url_for
from flask_login import login_required

from marketplace.accounts.current import acting_user
from marketplace.attachments import services
from marketplace.errors import DomainError, problem, wants_json
from marketplace.extensions import db
from marketplace.offers.services import get_offer

bp = Blueprint("attachments", __name__)


def _as_json(attachment) -> dict:
    return {"id": attachment.id, "filename": attachment.filename, "content_type": attachment.content_type,
            "size_bytes": attachment.size_bytes}


def _upload(need_id: int, offer_id: int | None, back: str):
    actor = acting_user()
    services.ensure_can_change(need_id, offer_id, actor)
    try:
        attachment = services.store_upload(request.files.get("file"), need_id, offer_id, actor)
    except DomainError as error:
        if wants_json():
            return problem(422, error.message, {error.field or "file": [error.message]})
        flash(error.message, "danger")
        return redirect(back)
    db.session.commit()
    if wants_json():
        return _as_json(attachment), 201
    flash(f"« {attachment.filename} » est joint.", "success")
    return redirect(back)


@bp.route("/besoins/<int:need_id>/pieces-jointes", methods=["POST"])
@login_required
def upload_to_need(need_id: int):
    return _upload(need_id, None, url_for("needs.show", need_id=need_id))


@bp.route("/offres/<int:offer_id>/pieces-jointes", methods=["POST"])
@login_required
def upload_to_offer(offer_id: int):
    offer = get_offer(offer_id)
    back = url_for("offers.edit", need_id=offer.need_id, lot_id=offer.lot_id, structure=offer.supplier_id)
    return _upload(offer.need_id, offer.id, back)


@bp.route("/pieces-jointes/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    attachment = services.get_attachment(attachment_id)
    services.ensure_can_read(attachment, acting_user())
    return send_file(services.path_of(attachment), mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename, max_age=0)


@bp.route("/pieces-jointes/<int:attachment_id>/supprimer", methods=["POST"])
@login_required
def delete(attachment_id: int):
    attachment = services.get_attachment(attachment_id)
    services.ensure_can_read(attachment, acting_user())
    services.ensure_can_change(attachment.need_id, attachment.offer_id, acting_user())
    services.delete_attachment(attachment)
    db.session.commit()
    if wants_json():
        return {"deleted": attachment_id}
    flash("Pièce jointe supprimée.", "success")
    if attachment.offer_id is not None:
        offer = get_offer(attachment.offer_id)
        return redirect(url_for("offers.edit", need_id=offer.need_id, lot_id=offer.lot_id, structure=offer.supplier_id))
    return redirect(url_for("needs.show", need_id=attachment.need_id))
