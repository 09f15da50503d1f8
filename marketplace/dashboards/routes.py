"""Dashboards: the buyer's (needs, offers, inclusive purchasing) and the supplier's."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from marketplace.accounts.current import acting_user
from marketplace.accounts.models import Role
from marketplace.dashboards import schemas, services
from marketplace.errors import DomainError, problem, wants_json
from marketplace.exports import csv_download
from marketplace.extensions import db
from marketplace.forms import Form, form_response
from marketplace.needs.services import organisation_of

bp = Blueprint("dashboards", __name__, url_prefix="/tableau-de-bord")


def _buyer_page(form: Form | None = None):
    organisation = organisation_of(acting_user())
    year = request.args.get("annee", type=int) or services.current_year()
    figures = services.buyer_figures(organisation, year)
    if wants_json() and not (form and form.errors):
        return {"year": year, "needs_by_status": {k.value: v for k, v in figures.needs_by_status.items()},
                "offers_received": figures.offers_received, "awarded_cents": figures.awarded_cents,
                "insertion_hours": figures.insertion_hours, "purchases_cents": figures.purchases_cents,
                "inclusive_share": figures.inclusive_share, "purchases_below_awards": figures.purchases_below_awards}
    form = form or Form(schemas.PurchaseTotalSchema(), initial={"year": year})
    return form_response(form, "dashboards/buyer.html", organisation=organisation, figures=figures,
                         totals=services.purchase_totals(organisation))


@bp.route("")
@login_required
def show():
    actor = acting_user()
    if actor.role == Role.BUYER:
        return _buyer_page()
    figures = services.supplier_figures(actor)
    if wants_json():
        return {**figures.__dict__, "response_rate": figures.response_rate}
    return render_template("dashboards/supplier.html", figures=figures)


@bp.route("/rapport.csv")
@login_required
def report():
    """The inclusive-purchasing report: one of the buyer plan's tools."""
    from marketplace.payments.plans import has_plan

    organisation = organisation_of(acting_user())
    if not has_plan(organisation):
        flash("Le rapport d'achats inclusifs fait partie de l'abonnement acheteur.", "warning")
        return redirect(url_for("payments.plan"))
    year = request.args.get("annee", type=int) or services.current_year()
    return csv_download(services.purchasing_report_rows(organisation, year), f"rapport-achats-inclusifs-{year}.csv")


@bp.route("/achats", methods=["POST"])
@login_required
def set_purchases():
    organisation = organisation_of(acting_user())
    form = Form(schemas.PurchaseTotalSchema())
    if not form.validate_on_submit():
        return _buyer_page(form)
    try:
        services.set_purchase_total(organisation, form.data["year"], form.data["amount_cents"], acting_user())
    except DomainError as error:
        db.session.rollback()
        form.fail(error)
        return _buyer_page(form)
    db.session.commit()
    if wants_json():
        return {"year": form.data["year"], "amount_cents": form.data["amount_cents"]}
    flash(f"Achats {form.data['year']} enregistrés.", "success")
    return redirect(url_for("dashboards.show", annee=form.data["year"]))


@bp.route("/achats/import", methods=["POST"])
@login_required
def import_purchases():
    organisation = organisation_of(acting_user())
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise DomainError("Choisissez un fichier CSV.", "file")
        count = services.import_purchase_totals(organisation, upload.read(256 * 1024), acting_user())
    except DomainError as error:
        db.session.rollback()
        if wants_json():
            return problem(422, error.message, {"file": [error.message]})
        flash(error.message, "danger")
        return redirect(url_for("dashboards.show"))
    db.session.commit()
    if wants_json():
        return {"imported": count}
    flash(f"{count} {'année importée' if count == 1 else 'années importées'}.", "success")
    return redirect(url_for("dashboards.show"))
