"""The buyer's inclusive-purchasing report (on screen, PDF, XLSX, CSV) with its purchase
ledger import and OETH estimate; the EA and ESAT attestations."""

import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from marketplace.accounts.current import acting_user
from marketplace.errors import DomainError, problem, wants_json
from marketplace.exports import XLSX_TYPE, csv_download, download, xlsx_bytes
from marketplace.extensions import db
from marketplace.forms import Form, form_response, perform_form
from marketplace.impact import attestations, ledger, oeth, potential, report_pdf, schemas
from marketplace.impact.report import BREAKDOWN_TITLES, report_rows, year_report
from marketplace.organisations.services import organisation_of
from marketplace.suppliers.services import get_supplier, suppliers_of
from marketplace.suppliers.taxonomy import DISABILITY_KINDS
from marketplace.timeutil import utcnow

bp = Blueprint("impact", __name__, url_prefix="/achats-inclusifs")
UPLOAD_LIMIT = ledger.MAX_BYTES


def _year() -> int:
    year = request.args.get("annee", type=int) or utcnow().year
    return min(max(year, 2000), 2100)


@bp.route("")
@login_required
def report_page():
    organisation = organisation_of(acting_user())
    year = _year()
    report = year_report(organisation, year)
    estimate = oeth.estimate(report)
    if wants_json():
        return {"year": year, "total_cents": report.total_cents, "inclusive_cents": report.inclusive_cents,
                "share": report.share, "change_points": report.change_points,
                "suppliers_used": report.suppliers_used, "insertion_hours": report.insertion_hours,
                "by": {key: [{"label": row.label, "total_cents": row.total_cents,
                              "inclusive_cents": row.inclusive_cents, "share": row.share} for row in rows]
                       for key, rows in report.by.items()},
                "oeth": {"attested_cents": estimate.attested_cents, "at_most_cents": estimate.at_most_cents,
                         "deductible_cents": estimate.deductible_cents}}
    inputs = estimate.inputs
    oeth_form = Form(schemas.OethInputsSchema(), initial={
        "year": year, "gross_contribution": f"{inputs.gross_contribution_cents / 100:.2f}".replace(".", ",")
        if inputs and inputs.gross_contribution_cents is not None else "",
        "direct_rate": f"{inputs.direct_rate / 100:g}".replace(".", ",") if inputs and inputs.direct_rate is not None
        else ""})
    return render_template("impact/report.html", organisation=organisation, report=report, estimate=estimate,
                           potential=potential.inclusive_potential(report), titles=BREAKDOWN_TITLES,
                           imports=ledger.imports_of(organisation), oeth_form=oeth_form)


@bp.route("/rapport.<any(csv, xlsx, pdf):kind>")
@login_required
def export(kind: str):
    """The report as a file a CSR team can attach (one of the buyer plan's tools)."""
    from marketplace.payments.plans import has_plan

    organisation = organisation_of(acting_user())
    if not has_plan(organisation):
        flash("Le rapport d'achats inclusifs fait partie de l'abonnement acheteur.", "warning")
        return redirect(url_for("payments.plan"))
    year = _year()
    report = year_report(organisation, year)
    name = f"rapport-achats-inclusifs-{year}"
    if kind == "csv":
        return csv_download(report_rows(report), f"{name}.csv")
    if kind == "xlsx":
        return download(xlsx_bytes(report_rows(report), title=f"Achats inclusifs {year}"), f"{name}.xlsx", XLSX_TYPE)
    return download(report_pdf.report_pdf(report, oeth.estimate(report)), f"{name}.pdf", "application/pdf")


@bp.route("/import", methods=["GET", "POST"])
@login_required
def upload():
    """Step 1: the file (CSV or XLSX from the accounting)."""
    organisation = organisation_of(acting_user())
    error = None
    if request.method == "POST":
        file = request.files.get("file")
        try:
            if file is None or not file.filename:
                raise DomainError("Choisissez un fichier CSV ou XLSX.", "file")
            kept = ledger.upload_file(organisation, file.filename, file.read(UPLOAD_LIMIT + 1), acting_user())
            db.session.commit()
            return redirect(url_for("impact.mapping", import_id=kept.id))
        except DomainError as failure:
            db.session.rollback()
            if wants_json():
                return problem(422, failure.message, {"file": [failure.message]})
            error = failure.message
    return render_template("impact/upload.html", organisation=organisation, error=error,
                           fields=ledger.FIELDS), 422 if error else 200


@bp.route("/import/<int:import_id>", methods=["GET", "POST"])
@login_required
def mapping(import_id: int):
    """Step 2: which column holds what, a dry run, then the import."""
    organisation = organisation_of(acting_user())
    kept = ledger.get_upload(organisation, import_id)
    if kept.content is None:
        flash("Ce fichier est déjà importé.", "info")
        return redirect(url_for("impact.report_page"))
    table = ledger.read_table(kept.filename, kept.content)
    form = Form(schemas.MappingSchema(), initial={**ledger.guess_mapping(table.headers), "dry_run": True})
    result = None
    if form.validate_on_submit():
        chosen = {key: form.data.get(key) for key in ledger.FIELDS if form.data.get(key)}
        try:
            result = ledger.run_import(kept, chosen, acting_user(), dry_run=form.data["dry_run"])
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.fail(error)
        if result is not None and wants_json():
            return {"dry_run": result.dry_run, "added": result.count("ajoutée"),
                    "duplicates": result.count("déjà importée"), "errors": result.count("erreur"),
                    "lines": [{"line": line.number, "outcome": line.outcome, "match": line.match and line.match.value,
                               "message": line.message} for line in result.shown]}
        if result is not None and not result.dry_run:
            flash(f"Import terminé : {result.count('ajoutée')} achats ajoutés, {result.count('déjà importée')} déjà "
                  f"présents, {result.count('erreur')} lignes en erreur.", "success")
    return form_response(form, "impact/mapping.html", organisation=organisation, upload=kept, table=table,
                         fields=ledger.FIELDS, result=result, sample=table.rows[:5],
                         mapping_json=json.dumps(ledger.guess_mapping(table.headers)))


@bp.route("/oeth", methods=["POST"])
@login_required
def oeth_inputs():
    organisation = organisation_of(acting_user())
    back = url_for("impact.report_page", annee=request.form.get("year", type=int) or None) + "#oeth"
    return perform_form(schemas.OethInputsSchema(), back, lambda data: oeth.set_inputs(
        organisation, data["year"], data.get("gross_contribution_cents"), data.get("direct_rate")),
        "Contribution et taux d'emploi enregistrés.", lambda inputs: {"year": inputs.year})


# --- EA and ESAT: contracts declared and attestations ------------------------------------

@bp.route("/attestations", methods=["GET", "POST"])
@login_required
def declarations():
    actor = acting_user()
    mine = [s for s in suppliers_of(actor) if s.kind in DISABILITY_KINDS]
    if not mine:
        return render_template("impact/declarations.html", supplier=None, mine=[], form=None, rows=[])
    supplier = next((s for s in mine if s.id == request.args.get("structure", type=int)), mine[0])
    form = Form(schemas.DeclarationSchema(), initial={"year": utcnow().year - 1})
    if form.validate_on_submit():
        try:
            attestations.declare(supplier, form.data, actor)
            db.session.commit()
            if wants_json():
                return {"status": "ok"}, 201
            flash("Contrat déclaré : l'attestation du client est à jour.", "success")
            return redirect(url_for("impact.declarations", structure=supplier.id))
        except DomainError as error:
            db.session.rollback()
            form.fail(error)
    rows = attestations.declarations_of(supplier)
    return form_response(form, "impact/declarations.html", supplier=supplier, mine=mine, rows=rows,
                         deduction=oeth.deduction_cents)


@bp.route("/attestations/<int:supplier_id>/<int:year>/<client_siret>.pdf")
@login_required
def attestation(supplier_id: int, year: int, client_siret: str):
    supplier = get_supplier(supplier_id, include_delisted=True)
    attestations.ensure_can_attest(supplier, acting_user())
    pdf = attestations.attestation_pdf(supplier, client_siret, year)
    return download(pdf, f"attestation-oeth-{year}-{client_siret}.pdf", "application/pdf")
