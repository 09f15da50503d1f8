"""Payments: a user's orders and receipts, the payment page, the Stripe webhook, and the
admins' payments, refunds and catalogue."""

import logging

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from marketplace.accounts.current import acting_user, admin_required
from marketplace.errors import NotFound, problem, wants_json
from marketplace.exports import csv_download
from marketplace.extensions import csrf, db
from marketplace.forms import Form, form_response, json_object, perform, perform_form
from marketplace.http_headers import payment_page_policy
from marketplace.payments import boosts, gateway, invoices, schemas, services, webhooks
from marketplace.payments.models import Order, OrderStatus, Product, ProductCode
from marketplace.validation import euros_decimal

log = logging.getLogger(__name__)
bp = Blueprint("payments", __name__)


@bp.route("/paiements/commandes")
@login_required
def orders():
    mine = services.orders_of(acting_user())
    if wants_json():
        return {"items": schemas.OrderOut(many=True).dump(mine)}
    return render_template("payments/orders.html", orders=mine)


@bp.route("/paiements/commandes/<int:order_id>")
@login_required
def order(order_id: int):
    found = services.get_order(order_id, acting_user())
    if wants_json():
        return schemas.OrderOut().dump(found)
    return _stripe_page("payments/order.html", order=found)


def _stripe_page(template: str, **context) -> Response:
    """A page with Stripe.js's card field: its script and its API are allowed there only."""
    config = current_app.config
    response = Response(render_template(template, enabled=gateway.payments_enabled(),
                                        publishable_key=config.get("STRIPE_PUBLISHABLE_KEY"),
                                        stripe_js=config["STRIPE_JS_URL"], **context))
    response.headers["Content-Security-Policy"] = payment_page_policy(config["STRIPE_JS_URL"])
    return response


@bp.route("/paiements/commandes/<int:order_id>/payer", methods=["POST"])
@login_required
def pay(order_id: int):
    """The card id from Stripe.js; answers JSON for the page's script."""
    found = services.get_order(order_id, acting_user())
    form = Form(schemas.CardSchema())
    if not form.validate_on_submit():
        return problem(422, "Carte manquante.", form.errors)
    return services.pay_order(found, form.data["card"], acting_user())


@bp.route("/paiements/commandes/<int:order_id>/statut")
@login_required
def status(order_id: int):
    found = services.get_order(order_id, acting_user())
    return {"status": found.status.value, "label": found.status.label, "paid": found.is_settled,
            "message": found.failure_message}


@bp.route("/paiements/commandes/<int:order_id>/facture.pdf", endpoint="receipt")
@login_required
def receipt_pdf(order_id: int):
    found = services.get_order(order_id, acting_user())
    if not found.invoice_number:
        raise NotFound("Cette commande n'a pas encore de facture : elle n'est pas payée.")
    return Response(invoices.invoice_pdf(found), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=facture-{found.invoice_number}.pdf"})


@bp.route("/paiements/webhook", methods=["POST"])
@csrf.exempt
def webhook():
    """Stripe's calls. A bad or missing signature gives 400 and changes nothing."""
    if not current_app.config.get("STRIPE_WEBHOOK_SECRET"):
        return problem(404, "Les paiements ne sont pas activés.")
    try:
        outcome = webhooks.handle(request.get_data(), request.headers.get("Stripe-Signature"))
    except webhooks.BadSignature as error:
        db.session.rollback()
        log.warning("Stripe webhook refused: %s", error)
        return problem(400, "Signature invalide.")
    except webhooks.NotYetKnown as error:
        db.session.rollback()  # nothing recorded: the next delivery is handled afresh
        log.info("Stripe webhook for something not committed yet, to be delivered again: %s", error)
        response = problem(409, "Évènement en avance sur la base : il sera traité à sa prochaine livraison.")
        response.headers["Retry-After"] = "60"
        return response
    db.session.commit()
    log.info("Stripe webhook: %s", outcome)
    return {"received": True, "outcome": outcome}


@bp.route("/structures/<int:supplier_id>/mise-en-avant", methods=["POST"])
@login_required
def buy_boost(supplier_id: int):
    from marketplace.suppliers.services import get_supplier

    supplier = get_supplier(supplier_id, include_delisted=True)
    order_made = boosts.buy_boost(supplier, acting_user())
    db.session.commit()
    if wants_json():
        return schemas.OrderOut().dump(order_made), 201
    return redirect(url_for("payments.order", order_id=order_made.id))


# --- administration ---------------------------------------------------------------------

@bp.route("/admin/paiements")
@admin_required
def admin_orders():
    wanted = request.args.get("statut")
    query = select(Order).order_by(Order.id.desc())
    if wanted in {s.value for s in OrderStatus}:
        query = query.where(Order.status == wanted)
    rows = list(db.session.scalars(query.limit(2000)))
    if request.args.get("format") == "csv":
        return csv_download(_orders_table(rows), "paiements.csv")
    return render_template("payments/admin_orders.html", orders=rows, statuses=list(OrderStatus), wanted=wanted)


def _orders_table(rows: list[Order]) -> list[list]:
    table = [["Commande", "Facture", "Date de paiement", "Client", "SIRET", "Produit", "HT (€)", "TVA (€)",
              "TTC (€)", "Remboursé (€)", "Statut", "PaymentIntent"]]
    for o in rows:
        table.append([o.id, o.invoice_number or "", o.paid_at.strftime("%Y-%m-%d %H:%M") if o.paid_at else "",
                      o.billing_name, o.billing_siret or "", o.lines[0].description if o.lines else o.product.value,
                      *(euros_decimal(cents) for cents in (
                          o.total_excl_cents, o.vat_cents, o.total_incl_cents, o.refunded_cents)),
                      o.status.label, o.stripe_payment_intent_id or ""])
    return table


@bp.route("/admin/paiements/<int:order_id>/rembourser", methods=["POST"])
@admin_required
def admin_refund(order_id: int):
    found = db.session.get(Order, order_id)
    if found is None:
        raise NotFound("Cette commande n'existe pas.")
    return perform_form(schemas.RefundSchema(), url_for("payments.admin_orders"),
                        lambda data: services.refund_order(found, data["amount_cents"], acting_user()),
                        f"Commande {found.id} remboursée.", schemas.OrderOut().dump)


@bp.route("/admin/catalogue", methods=["GET", "POST"])
@admin_required
def catalogue():
    products = list(db.session.scalars(select(Product).order_by(Product.id)))
    form = Form(schemas.ProductSchema())
    if request.method == "POST":
        found = db.session.get(Product, request.form.get("product_id", type=int) or 0)
        if found is None:
            raise NotFound("Produit inconnu.")
        if form.validate_on_submit():
            services.update_product(found, form.data, acting_user())
            db.session.commit()
            flash(f"« {found.name} » mis à jour.", "success")
            return redirect(url_for("payments.catalogue"))
    return form_response(form, "payments/catalogue.html", products=products)


@bp.route("/tarifs")
def pricing():
    """The public price list, read from the catalogue; everything is free when payments are off."""
    enabled = gateway.payments_enabled()
    products = {product.code: product for product in db.session.scalars(select(Product))} if enabled else {}
    rows = [(products[code], unit, products[code].amount_cents + services.vat_of(products[code].amount_cents,
                                                                                   products[code].vat_rate))
            for code, unit in ((ProductCode.PLAN_MONTHLY, "par mois"), (ProductCode.PLAN_YEARLY, "par an"),
                               (ProductCode.BOOST, "")) if code in products]
    return render_template("payments/pricing.html", enabled=enabled, rows=rows)


# --- the buyer plan -------------------------------------------------------------------------

@bp.route("/organisations/offre", methods=["GET", "POST"])
@login_required
def plan():
    """The buyer plan of my organisation: subscribe (JSON from the page's script) or see it."""
    from marketplace.organisations.services import organisation_of
    from marketplace.payments import plans
    from marketplace.payments.models import ProductCode

    organisation = organisation_of(acting_user())
    if request.method == "POST":
        body = json_object()
        try:
            code = ProductCode(body.get("plan"))
        except ValueError:
            return problem(422, "Choisissez une offre.", {"plan": ["Choisissez une offre."]})
        subscription = plans.subscribe(organisation, code, body.get("token"), acting_user())
        db.session.commit()
        return {"status": subscription.status.value}, 201
    current = plans.current_plan(organisation)
    return _stripe_page("payments/plan.html", organisation=organisation, current=current,
                        has_plan=plans.has_plan(organisation), offers=[services.product(code) for code in plans.PLANS])


@bp.route("/organisations/offre/resilier", methods=["POST"])
@login_required
def cancel_plan():
    from marketplace.organisations.services import organisation_of
    from marketplace.payments import plans

    current = plans.current_plan(organisation_of(acting_user()))
    if current is None:
        raise NotFound("Votre organisation n'a pas d'offre en cours.")
    return perform(lambda: plans.cancel_at_period_end(current, acting_user()), url_for("payments.plan"),
                   "Résiliation enregistrée : les outils avancés restent actifs jusqu'à la fin de la période payée.")
