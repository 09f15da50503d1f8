"""The message thread between a buyer and a supplier about a need."""

from flask import Blueprint, flash, redirect, url_for
from flask_login import login_required

from marketplace.accounts.current import acting_user
from marketplace.errors import wants_json
from marketplace.extensions import db
from marketplace.forms import Form, form_response
from marketplace.messaging import schemas, services
from marketplace.needs.services import get_need
from marketplace.suppliers.services import get_supplier

bp = Blueprint("messaging", __name__)


def _as_json(message) -> dict:
    return {"id": message.id, "from_buyer": message.from_buyer, "author": message.author.full_name,
            "body": message.body, "created_at": message.created_at.isoformat()}


@bp.route("/besoins/<int:need_id>/messages/<int:supplier_id>", methods=["GET", "POST"])
@login_required
def thread(need_id: int, supplier_id: int):
    need, supplier = get_need(need_id), get_supplier(supplier_id, include_delisted=True)
    actor = acting_user()
    side = services.side_of(need, supplier, actor)
    form = Form(schemas.MessageSchema())
    if form.validate_on_submit():
        message = services.post_message(need, supplier, form.data["body"], actor)
        db.session.commit()
        if wants_json():
            return _as_json(message), 201
        flash("Message envoyé.", "success")
        return redirect(url_for("messaging.thread", need_id=need.id, supplier_id=supplier.id) + "#dernier")
    messages = services.thread(need, supplier, actor)
    if wants_json() and not form.errors:
        return {"messages": [_as_json(message) for message in messages]}
    return form_response(form, "messaging/thread.html", need=need, supplier=supplier, side=side, messages=messages)
