"""Storing and serving attachments.

The type is read from the file's content (its magic numbers, with `filetype`), never
from its name or the browser's word; the size is capped by ATTACHMENT_MAX_BYTES.
Files live under UPLOAD_FOLDER (in instance/, outside the web root) under a random
name, and are served only through a route that checks who asks.
"""

import hashlib
import secrets
from pathlib import Path

import filetype
from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from marketplace.accounts.models import User
from marketplace.attachments.models import Attachment
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.needs import hooks as needs_hooks

ACCEPTED = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
}
ACCEPTED_LABEL = "PDF, image (PNG, JPEG), Word, Excel, PowerPoint ou LibreOffice"
MAX_PER_OWNER = 20


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(upload: FileStorage | None, need_id: int, offer_id: int | None, actor: User) -> Attachment:
    """Check and store one uploaded file; field errors name the field "file"."""
    if upload is None or not upload.filename:
        raise DomainError("Choisissez un fichier.", "file")
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise DomainError(f"Fichier trop volumineux : {limit // (1024 * 1024)} Mo au plus.", "file")
    if not content:
        raise DomainError("Ce fichier est vide.", "file")
    kind = filetype.guess(content)
    if kind is None or kind.extension not in ACCEPTED:
        raise DomainError(f"Type de fichier refusé. Formats acceptés : {ACCEPTED_LABEL}.", "file")
    count = db.session.query(Attachment).filter_by(need_id=need_id, offer_id=offer_id).count()
    if count >= MAX_PER_OWNER:
        raise DomainError(f"{MAX_PER_OWNER} pièces jointes au plus.", "file")
    stem = Path(secure_filename(upload.filename)).stem[:150] or "piece-jointe"
    storage_name = f"{secrets.token_hex(16)}.{kind.extension}"
    (_folder() / storage_name).write_bytes(content)
    attachment = Attachment(need_id=need_id, offer_id=offer_id, filename=f"{stem}.{kind.extension}",
                            content_type=ACCEPTED[kind.extension], size_bytes=len(content),
                            storage_name=storage_name, sha256=hashlib.sha256(content).hexdigest(),
                            uploaded_by_id=actor.id)
    db.session.add(attachment)
    db.session.flush()
    return attachment


@needs_hooks.attachments_of.answer
def attachments_of(need_id: int, offer_id: int | None = None) -> list[Attachment]:
    return list(db.session.query(Attachment).filter_by(need_id=need_id, offer_id=offer_id)
                .order_by(Attachment.created_at, Attachment.id))


def get_attachment(attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("Ce fichier n'existe pas.")
    return attachment


def path_of(attachment: Attachment) -> Path:
    path = _folder() / attachment.storage_name
    if not path.is_file():
        raise NotFound("Ce fichier n'est plus disponible.")
    return path


def delete_attachment(attachment: Attachment) -> None:
    db.session.delete(attachment)
    db.session.flush()
    (_folder() / attachment.storage_name).unlink(missing_ok=True)


def ensure_can_read(attachment: Attachment, actor: User) -> None:
    """A need's files: its buyer and the suppliers who see the need. An offer's files:
    those who may read the offer."""
    from marketplace.needs.services import get_need, is_buyer_of, supplier_can_see
    from marketplace.offers.services import can_read_offer, get_offer

    if attachment.offer_id is not None:
        allowed = can_read_offer(get_offer(attachment.offer_id), actor)
    else:
        need = get_need(attachment.need_id)
        allowed = is_buyer_of(need, actor) or supplier_can_see(need, actor)
    if not allowed:
        raise NotFound("Ce fichier n'existe pas.")


def ensure_can_change(need_id: int, offer_id: int | None, actor: User) -> None:
    """The buyer changes a need's files while the need can be edited; the offering
    supplier changes its offer's files until the deadline."""
    from marketplace.needs.services import EDITABLE, accepts_answers, ensure_buyer_of, get_need
    from marketplace.offers.services import get_offer
    from marketplace.suppliers.services import is_member

    need = get_need(need_id)
    if offer_id is None:
        ensure_buyer_of(need, actor)
        if need.status not in EDITABLE:
            raise DomainError("Ce besoin ne peut plus être modifié.")
        return
    offer = get_offer(offer_id)
    if offer.need_id != need_id or not is_member(actor, offer.supplier):
        raise NotFound("Cette offre n'existe pas.")
    if not accepts_answers(need):
        raise DomainError("La date limite de réponse est passée : les réponses sont figées.")
