"""Needs: the buyer's list, form and page; the supplier's view of a need and its
opportunities; moderation; the links in the suppliers' mails."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from marketplace.accounts.current import acting_user
from marketplace.accounts.models import Role
from marketplace.errors import DomainError, NotFound, wants_json
from marketplace.extensions import db
from marketplace.forms import Form, form_response, submitted_rows
from marketplace.geography.services import all_departments, all_regions
from marketplace.needs import digest, hooks, matching, outreach, schemas, services
from marketplace.needs.models import AnswerMode, NeedArea, NeedKind, NeedStatus, NeedSupplier
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.taxonomy import SectorGroup, ServiceKind, SupplierKind
from marketplace.timeutil import utc_to_paris
from marketplace.validation import euros_text

bp = Blueprint("needs", __name__)

# A 1x1 transparent GIF: the "email opened" beacon.
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


def lot_rows(form: Form) -> list[dict]:
    """The lot rows to show: those submitted (or of the need), then two blank ones."""
    values = form.values
    if "lot_title" in values:
        rows = schemas.lots_from_form(values)
    else:
        rows = submitted_rows(values, "lots")
    return rows + [{"title": "", "description": "", "budget_min": "", "budget_max": "", "sectors": []}] * 2


def _form_context(**extra) -> dict:
    return {
        "kinds": [(k.value, k.label) for k in NeedKind], "areas": list(NeedArea),
        "answer_modes": [(mode.value, mode.label) for mode in AnswerMode],
        "groups": list(db.session.scalars(select(SectorGroup).order_by(SectorGroup.name))),
        "services_list": list(ServiceKind), "supplier_kinds": list(SupplierKind),
        "departments": all_departments(), "regions": all_regions(), **extra}


def _need_values(need) -> dict:
    """A need as its form shows it."""
    values = {field: getattr(need, field) for field in (
        "title", "description", "radius_km", "budget_visible", "social_clause", "insertion_hours",
        "answer_instructions", "show_contact", "is_public")}
    values.update(
        kind=need.kind.value, area=need.area.value, answer_mode=need.answer_mode.value,
        commune=need.commune_code or "", sectors=[str(s.id) for s in need.sectors],
        service_kinds=[k.slug for k in need.kinds_of_service], wanted_kinds=[k.value for k in need.supplier_kinds],
        departments=need.departments, regions=need.regions, budget_min=euros_text(need.budget_min_cents),
        budget_max=euros_text(need.budget_max_cents),
        deadline=utc_to_paris(need.deadline).strftime("%Y-%m-%dT%H:%M") if need.deadline else "",
        start_date=need.start_date.isoformat() if need.start_date else "",
        questions="\n".join(q.text for q in need.questions),
        lots=[{"title": lot.title, "description": lot.description or "",
               "budget_min": euros_text(lot.budget_min_cents), "budget_max": euros_text(lot.budget_max_cents),
               "sectors": [str(s.id) for s in lot.sectors]} for lot in need.lots])
    return values


def moderation_notice() -> str:
    """What happens after a need is submitted, said when it is (and on its page)."""
    config = current_app.config
    return (f"Votre besoin est envoyé à la modération : l'équipe vérifie qu'il est complet et clair (délai "
            f"habituel : {config['MODERATION_DELAY']}), puis le publie et prévient les structures qui "
            f"correspondent. Vous recevrez un e-mail à sa publication, ou s'il faut le préciser. Une question : "
            f"{config['MODERATION_EMAIL']}.")


def _after_save(need, action: str, created: bool = False):
    """Submit if asked; answer JSON or go to the need's page."""
    if action == "submit":
        services.submit_need(need, acting_user())
    db.session.commit()
    if wants_json():
        return schemas.NeedOut().dump(need), 201 if created else 200
    if need.status == NeedStatus.SUBMITTED:
        flash(moderation_notice(), "success")
    elif need.status == NeedStatus.PUBLISHED and action == "submit":
        flash("Votre besoin est publié : les structures qui correspondent sont prévenues.", "success")
    else:
        flash("Besoin enregistré.", "success")
    return redirect(url_for("needs.show", need_id=need.id))


@bp.route("/besoins")
@login_required
def index():
    actor = acting_user()
    if actor.is_admin:
        return redirect(url_for("needs.moderation"))
    if actor.role != Role.BUYER:
        return redirect(url_for("needs.opportunities"))
    organisation = services.organisation_of(actor)
    status = request.args.get("statut") or None
    if status not in {None, *(s.value for s in NeedStatus)}:
        flash("Ce statut n'existe pas : voici tous vos besoins.", "warning")
        status = None
    page = max(request.args.get("page", 1, type=int), 1)
    needs = services.needs_of_organisation(organisation, NeedStatus(status) if status else None, page)
    return render_template("needs/index.html", organisation=organisation, needs=needs, status=status,
                           counts=services.need_counts(organisation))


@bp.route("/besoins/nouveau", methods=["GET", "POST"])
@login_required
def create():
    services.organisation_of(acting_user())  # only buyers with an organisation get the form
    initial = {"kind": request.args.get("type", "consultation"), "area": "commune", "answer_mode": "platform",
               "show_contact": True, "lots": []}
    # Pre-filled from elsewhere (the inclusive potential of a purchase category): a title,
    # sectors and a department, shown for the buyer to check; nothing is trusted until sent.
    if request.args.get("titre"):
        initial["title"] = request.args.get("titre", "")[:200]
    if request.args.getlist("secteur"):
        initial["sectors"] = [value for value in request.args.getlist("secteur") if value.isdigit()][:10]
    if request.args.get("departement"):
        initial.update(area="zones", departments=[request.args.get("departement", "")[:3]])
    form = Form(schemas.NeedSchema(), initial=initial)
    if form.validate_on_submit():
        try:
            need = services.create_need(form.data, acting_user())
            action = form.values.get("action") or "draft"
            return _after_save(need, action, created=True)
        except DomainError as error:
            db.session.rollback()
            form.fail(error)
    return form_response(form, "needs/form.html", **_form_context(need=None, lots=lot_rows(form)))


def _quote_recipients() -> tuple[list[Supplier], str]:
    """The suppliers a quote request goes to (?structure= or ?liste=), and how to name them."""
    from marketplace.favourites.services import get_list
    from marketplace.suppliers.services import get_supplier

    if request.args.get("liste", type=int):
        favourite_list = get_list(request.args.get("liste", type=int), acting_user())
        return [item.supplier for item in favourite_list.items if item.supplier.is_listed], \
            f"les structures de la liste « {favourite_list.name} »"
    supplier = get_supplier(request.args.get("structure", type=int) or 0)
    return [supplier], supplier.display_name


@bp.route("/besoins/demande-de-devis", methods=["GET", "POST"])
@login_required
def request_quote():
    """A quote request straight to one supplier or to a favourite list."""
    services.organisation_of(acting_user())
    suppliers, recipients = _quote_recipients()
    form = Form(schemas.QuoteRequestSchema(), initial={"show_contact": True})
    if form.validate_on_submit():
        wanted = set(form.data["supplier_ids"])  # a subset of the list, if given
        chosen = [s for s in suppliers if s.id in wanted] if wanted else suppliers
        try:
            need = services.request_quotes(form.data, chosen, acting_user())
        except DomainError as error:
            db.session.rollback()
            form.fail(error)
        else:
            db.session.commit()
            if wants_json():
                return schemas.NeedOut().dump(need), 201
            flash(f"Demande de devis envoyée à {recipients}.", "success")
            return redirect(url_for("needs.show", need_id=need.id))
    return form_response(form, "needs/quote_request.html", suppliers=suppliers, recipients=recipients)


@bp.route("/besoins/<int:need_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(need_id: int):
    need = services.get_need(need_id)
    services.ensure_buyer_of(need, acting_user())
    form = Form(schemas.NeedSchema(), initial=_need_values(need))
    if form.validate_on_submit():
        try:
            services.update_need(need, form.data, acting_user())
            return _after_save(need, form.values.get("action") or "save")
        except DomainError as error:
            db.session.rollback()
            need = services.get_need(need_id)
            form.fail(error)
    return form_response(form, "needs/form.html", **_form_context(need=need, lots=lot_rows(form)))


def _supplier_page(need):
    """A need as a supplier sees it, with its answers panel."""
    actor = acting_user()
    answering = hooks.answering_suppliers(need, actor)
    chosen_id = request.args.get("structure", type=int)
    supplier = next((s for s in answering if s.id == chosen_id), answering[0] if answering else None)
    link = None
    if supplier is not None:
        link = outreach.link_between(need, supplier)
        if link is not None and link.told_at is not None:
            outreach.record_view(link)
            db.session.commit()
    return render_template(
        "needs/supplier_view.html", need=need, supplier=supplier, answering=answering, link=link,
        offers=hooks.offers_of_supplier(need, supplier) if supplier else {},
        explanation=matching.explain(need, supplier) if supplier else None,
        open=services.accepts_answers(need), attachments=hooks.attachments_of(need.id))


@bp.route("/besoins/<int:need_id>")
@login_required
def show(need_id: int):
    need = services.get_need(need_id)
    actor = acting_user()
    if services.is_buyer_of(need, actor):
        if services.close_if_due(need):
            db.session.commit()
        if wants_json():
            return schemas.NeedOut().dump(need)
        links = list(db.session.scalars(
            select(NeedSupplier).where(NeedSupplier.need_id == need.id, NeedSupplier.told_at.is_not(None))
            .order_by(NeedSupplier.told_at, NeedSupplier.rank).limit(500)))
        waiting = db.session.scalar(select(db.func.count()).select_from(NeedSupplier).where(
            NeedSupplier.need_id == need.id, NeedSupplier.told_at.is_(None)))
        return render_template("needs/buyer_view.html", need=need, links=links, waiting=waiting,
                               offers=hooks.offers_count(need), threads=hooks.threads_of_need(need),
                               attachments=hooks.attachments_of(need.id),
                               cancel_form=Form(schemas.CancellationSchema()))
    if not services.supplier_can_see(need, actor):
        raise NotFound("Ce besoin n'existe pas.")
    if wants_json():
        return schemas.NeedOut().dump(need)
    return _supplier_page(need)


@bp.route("/besoins/<int:need_id>/fournisseurs/<int:supplier_id>")
@login_required
def explain(need_id: int, supplier_id: int):
    """Why a supplier was (or was not) matched to the buyer's need."""
    need = services.get_need(need_id)
    services.ensure_buyer_of(need, acting_user())
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound("Cette structure n'existe pas.")
    explanation = matching.explain(need, supplier)
    if wants_json():
        return {"matched": explanation.matched, "reasons": explanation.reasons, "obstacles": explanation.obstacles}
    link = outreach.link_between(need, supplier)
    return render_template("needs/explain.html", need=need, supplier=supplier, explanation=explanation, link=link)


@bp.route("/besoins/<int:need_id>/soumettre", methods=["POST"])
@login_required
def submit(need_id: int):
    need = services.get_need(need_id)
    try:
        services.submit_need(need, acting_user())
    except DomainError as error:
        if error.field is None or wants_json():
            raise
        flash(f"{error.message} Complétez le besoin avant de le soumettre.", "danger")
        return redirect(url_for("needs.edit", need_id=need.id))
    return _after_save(need, "none")


@bp.route("/besoins/<int:need_id>/annuler", methods=["POST"])
@login_required
def cancel(need_id: int):
    need = services.get_need(need_id)
    form = Form(schemas.CancellationSchema())
    form.validate_on_submit()
    services.cancel_need(need, form.data.get("reason"), acting_user())
    db.session.commit()
    if wants_json():
        return schemas.NeedOut().dump(need)
    flash("Besoin annulé. Les structures prévenues en sont informées.", "success")
    return redirect(url_for("needs.show", need_id=need.id))


@bp.route("/besoins/moderation")
@login_required
def moderation():
    if not acting_user().is_admin:
        abort(403)
    return render_template("needs/moderation.html", needs=services.moderation_queue(),
                           form=Form(schemas.RejectionSchema()))


@bp.route("/besoins/<int:need_id>/valider", methods=["POST"])
@login_required
def approve(need_id: int):
    need = services.approve_need(services.get_need(need_id), acting_user())
    db.session.commit()
    if wants_json():
        return schemas.NeedOut().dump(need)
    flash(f"« {need.title} » est publié.", "success")
    return redirect(url_for("needs.moderation"))


@bp.route("/besoins/<int:need_id>/refuser", methods=["POST"])
@login_required
def reject(need_id: int):
    need = services.get_need(need_id)
    if not acting_user().is_admin:
        abort(403)
    form = Form(schemas.RejectionSchema())
    if form.validate_on_submit():
        services.reject_need(need, form.data["reason"], acting_user())
        db.session.commit()
        if wants_json():
            return schemas.NeedOut().dump(need)
        flash(f"« {need.title} » est refusé ; l'acheteur en est informé.", "success")
        return redirect(url_for("needs.moderation"))
    return form_response(form, "needs/moderation.html", needs=services.moderation_queue())


@bp.route("/opportunites")
@login_required
def opportunities():
    actor = acting_user()
    return render_template("needs/opportunities.html", rows=services.opportunities_of(actor),
                           public=services.public_needs())


@bp.route("/o/<token>")
def follow(token: str):
    """The link in a supplier's mail: counts the visit, then shows the need."""
    link = outreach.link_by_token(token)
    if link is None:
        raise NotFound("Ce lien n'est pas valide.")
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path))
    from marketplace.suppliers.services import is_member

    if is_member(acting_user(), link.supplier):
        outreach.record_view(link, from_email=True)
        db.session.commit()
    return redirect(url_for("needs.show", need_id=link.need_id, structure=link.supplier_id))


@bp.route("/o/<token>/pixel.gif")
def pixel(token: str):
    outreach.record_email_opened(token)
    db.session.commit()
    return Response(PIXEL, mimetype="image/gif", headers={"Cache-Control": "no-store"})


@bp.route("/lettre/desabonnement/<token>", methods=["GET", "POST"])
def unsubscribe_digest(token: str):
    """Stop the weekly digest: the page asks, a POST does it (mail scanners only GET)."""
    supplier = digest.supplier_from_opt_out_token(token)
    if request.method == "POST":
        digest.set_digest(supplier, wanted=request.form.get("wanted") == "1")
        db.session.commit()
        flash("Votre choix est enregistré.", "success")
    return render_template("needs/unsubscribe.html", supplier=supplier, token=token)

