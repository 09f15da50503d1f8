"""Offers: the supplier's interest and offer per lot; the buyer's comparison, shortlist,
award and conclusion."""

from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from marketplace.accounts.current import acting_user
from marketplace.errors import DomainError, NotFound, wants_json
from marketplace.extensions import db
from marketplace.forms import Form, form_response
from marketplace.needs import hooks as needs_hooks
from marketplace.needs.services import get_need
from marketplace.offers import schemas, services
from marketplace.offers.models import VAT_RATES, OfferStatus
from marketplace.suppliers import consortiums
from marketplace.suppliers.services import get_supplier
from marketplace.validation import euros_text

bp = Blueprint("offers", __name__)


def _acting_supplier():
    """The supplier named by ?structure= (the services check the actor acts for it)."""
    supplier_id = request.args.get("structure", type=int)
    if supplier_id is None:
        raise NotFound("Précisez la structure.")
    return get_supplier(supplier_id, include_delisted=True)


def _back_to_need(need, supplier):
    return redirect(url_for("needs.show", need_id=need.id, structure=supplier.id))


@bp.route("/besoins/<int:need_id>/interet", methods=["POST"])
@login_required
def interest(need_id: int):
    need, supplier = get_need(need_id), _acting_supplier()
    link = services.express_interest(need, supplier, acting_user())
    db.session.commit()
    if wants_json():
        return {"interested": True, "step": link.step}
    flash("C'est noté : vous êtes intéressé.", "success")
    return _back_to_need(need, supplier)


@bp.route("/besoins/<int:need_id>/pas-interesse", methods=["POST"])
@login_required
def not_interested(need_id: int):
    need, supplier = get_need(need_id), _acting_supplier()
    form = Form(schemas.NotInterestedSchema())
    if not form.validate_on_submit():
        if wants_json():
            return form_response(form, "needs/supplier_view.html")
        flash("Indiquez la raison pour laquelle vous n'êtes pas intéressé.", "danger")
        return _back_to_need(need, supplier)
    link = services.decline_interest(need, supplier, form.data["reason"], acting_user())
    db.session.commit()
    if wants_json():
        return {"interested": False, "step": link.step}
    flash("C'est noté. Merci d'avoir répondu.", "success")
    return _back_to_need(need, supplier)


def _offer_values(offer) -> dict:
    if offer is None or offer.status == OfferStatus.WITHDRAWN:
        return {"vat_rate": "2000", "valid_until": (date.today() + timedelta(days=90)).isoformat(),
                "insertion_hours": "0"}
    values = {"amount": euros_text(offer.amount_cents),
              "vat_rate": str(offer.vat_rate), "lead_time_days": offer.lead_time_days,
              "description": offer.description, "insertion_hours": offer.insertion_hours,
              "valid_until": offer.valid_until.isoformat(),
              "participants": [str(p.member_id) for p in offer.participants]}
    values.update({f"answer_{answer.question_id}": answer.text for answer in offer.answers})
    return values


@bp.route("/besoins/<int:need_id>/lots/<int:lot_id>/offre", methods=["GET", "POST"])
@login_required
def edit(need_id: int, lot_id: int):
    need, supplier = get_need(need_id), _acting_supplier()
    lot = services.get_lot(need, lot_id)
    services.answering_link(need, supplier, acting_user())  # 404 for whoever may not answer
    offer = services.offer_of(lot, supplier)
    form = Form(schemas.OfferSchema(), initial=_offer_values(offer))
    if form.validate_on_submit():
        try:
            offer = services.save_offer(lot, supplier, form.data, acting_user())
        except DomainError as error:
            db.session.rollback()
            form.fail(error)
        else:
            db.session.commit()
            if wants_json():
                return schemas.OfferOut().dump(offer), 201
            flash(f"Offre enregistrée pour « {lot.title} ». Vous pouvez la modifier jusqu'à la date limite.", "success")
            return _back_to_need(need, supplier)
    members = consortiums.memberships(supplier) if supplier.is_consortium else []
    return form_response(form, "offers/form.html", need=need, lot=lot, supplier=supplier, offer=offer,
                         vat_rates=[(str(rate), label) for rate, label in VAT_RATES.items()], members=members,
                         attachments=needs_hooks.attachments_of(need.id, offer.id) if offer else [])


@bp.route("/offres/<int:offer_id>/retirer", methods=["POST"])
@login_required
def withdraw(offer_id: int):
    offer = services.withdraw_offer(services.get_offer(offer_id), acting_user())
    db.session.commit()
    if wants_json():
        return schemas.OfferOut().dump(offer)
    flash("Offre retirée.", "success")
    return redirect(url_for("needs.show", need_id=offer.need_id, structure=offer.supplier_id))


@bp.route("/mes-offres")
@login_required
def mine():
    return render_template("offers/mine.html", offers=services.offers_for_user(acting_user()))


@bp.route("/offres/<int:offer_id>")
@login_required
def show(offer_id: int):
    offer = services.get_offer(offer_id)
    if not services.can_read_offer(offer, acting_user()):
        raise NotFound("Cette offre n'existe pas.")
    if wants_json():
        return schemas.OfferOut().dump(offer)
    return render_template("offers/show.html", offer=offer,
                           attachments=needs_hooks.attachments_of(offer.need_id, offer.id))


# --- The buyer's side ---------------------------------------------------------------------

@bp.route("/besoins/<int:need_id>/offres")
@login_required
def compare(need_id: int):
    need = get_need(need_id)
    by_lot = services.offers_by_lot(need, acting_user())
    if wants_json():
        return {"lots": [{"id": lot.id, "title": lot.title,
                          "offers": schemas.OfferOut(many=True).dump(by_lot[lot.id])} for lot in need.lots]}
    from marketplace.needs.services import close_if_due

    if close_if_due(need):
        db.session.commit()
    return render_template("offers/compare.html", need=need, by_lot=by_lot)


def _back_to_comparison(offer):
    return redirect(url_for("offers.compare", need_id=offer.need_id) + f"#lot-{offer.lot_id}")


@bp.route("/offres/<int:offer_id>/preselection", methods=["POST"])
@login_required
def shortlist(offer_id: int):
    form = Form(schemas.ShortlistSchema())
    form.validate_on_submit()
    offer = services.set_shortlisted(services.get_offer(offer_id), form.data.get("shortlisted", False),
                                     acting_user())
    db.session.commit()
    return schemas.OfferOut().dump(offer) if wants_json() else _back_to_comparison(offer)


@bp.route("/offres/<int:offer_id>/attribuer", methods=["POST"])
@login_required
def award(offer_id: int):
    offer = services.award_offer(services.get_offer(offer_id), acting_user())
    db.session.commit()
    if wants_json():
        return schemas.OfferOut().dump(offer)
    flash(f"Lot « {offer.lot.title} » attribué à {offer.supplier.display_name}. "
          "Concluez quand chaque lot est décidé : toutes les structures seront informées.", "success")
    return _back_to_comparison(offer)


@bp.route("/besoins/<int:need_id>/conclure", methods=["POST"])
@login_required
def conclude(need_id: int):
    need = services.conclude_need(get_need(need_id), acting_user())
    db.session.commit()
    if wants_json():
        return {"status": need.status.value}
    flash("Besoin conclu : chaque structure qui a fait une offre est informée du résultat.", "success")
    return redirect(url_for("needs.show", need_id=need.id))
