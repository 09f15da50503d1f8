"""Supplier accounts: my suppliers, create, claim by SIRET, edit the profile, activities,
references, claims to decide, consortiums."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from marketplace.accounts.current import acting_user
from marketplace.errors import DomainError, wants_json
from marketplace.extensions import db
from marketplace.forms import Form, form_response
from marketplace.geography.services import all_departments, all_regions
from marketplace.suppliers import consortiums, hooks, schemas, services
from marketplace.suppliers.models import MemberStatus, Supplier
from marketplace.suppliers.taxonomy import LABELS, NETWORKS, SectorGroup, ServiceKind, SupplierKind

bp = Blueprint("suppliers", __name__, url_prefix="/structures")



def _profile_context(**extra) -> dict:
    kinds = [k for k in SupplierKind if k != SupplierKind.CONSORTIUM]
    return {"kind_choices": [(k.value, k.label) for k in kinds], "labels": LABELS, "networks": NETWORKS, **extra}


def _profile_values(supplier: Supplier) -> dict:
    values = {f: getattr(supplier, f) for f in services.PROFILE_FIELDS}
    values.update(siret=supplier.siret, labels=supplier.labels, networks=supplier.networks,
                  turnover_euros=None if supplier.turnover_cents is None else supplier.turnover_cents // 100)
    return values


@bp.route("/mes-structures")
@login_required
def mine():
    actor = acting_user()
    suppliers = services.suppliers_of(actor)
    from marketplace.suppliers.models import SupplierMember

    pending = list(db.session.scalars(select(SupplierMember).where(
        SupplierMember.user_id == actor.id, SupplierMember.status == MemberStatus.PENDING)))
    return render_template("suppliers/mine.html", suppliers=suppliers, pending=pending)


@bp.route("/nouvelle", methods=["GET", "POST"])
@login_required
def create():
    form = Form(schemas.SupplierSchema())
    if form.validate_on_submit():
        try:
            supplier = services.create_supplier(form.data, acting_user())
        except DomainError as error:
            form.fail(error)
        else:
            db.session.commit()
            if wants_json():
                return schemas.SupplierOut().dump(supplier), 201
            flash(f"« {supplier.name} » est référencée. Complétez maintenant ses activités.", "success")
            return redirect(url_for("suppliers.manage", supplier_id=supplier.id))
    return form_response(form, "suppliers/form.html", **_profile_context(creating=True))


@bp.route("/revendiquer", methods=["GET", "POST"])
@login_required
def claim():
    form = Form(schemas.SiretSchema(), initial={"siret": request.args.get("siret", "")})
    found = None
    if form.validate_on_submit():
        found = services.find_by_siret(form.data["siret"])
        if found is None:
            form.fail(DomainError("Aucune structure n'est référencée avec ce SIRET : créez sa fiche.", "siret"))
        elif request.form.get("confirm"):
            services.claim_supplier(found, acting_user())
            db.session.commit()
            flash(f"Votre demande pour gérer « {found.name} » est envoyée. Vous serez prévenu par e-mail.", "success")
            return redirect(url_for("suppliers.mine"))
    return form_response(form, "suppliers/claim.html", found=found)


@bp.route("/<int:supplier_id>")
@login_required
def manage(supplier_id: int):
    supplier = services.get_supplier(supplier_id, include_delisted=True)
    services.ensure_can_edit(supplier, acting_user())
    return _manage_page(supplier)


@bp.route("/<int:supplier_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(supplier_id: int):
    supplier = services.get_supplier(supplier_id, include_delisted=True)
    services.ensure_can_edit(supplier, acting_user())
    form = Form(schemas.SupplierUpdateSchema(), initial=_profile_values(supplier))
    if supplier.is_consortium:
        form.schema = schemas.ConsortiumSchema(exclude=("siret",))
    if form.validate_on_submit():
        services.update_supplier(supplier, form.data, acting_user())
        db.session.commit()
        if wants_json():
            return schemas.SupplierOut().dump(supplier)
        flash("Fiche mise à jour.", "success")
        return redirect(url_for("suppliers.manage", supplier_id=supplier.id))
    return form_response(form, "suppliers/form.html", **_profile_context(supplier=supplier, creating=False))


def _manage_page(supplier: Supplier, **failed_forms):
    """The management page; a form that failed is shown again with its errors (422)."""
    score, missing = services.completion(supplier)
    forms = {"activity_form": Form(schemas.ActivitySchema()), "reference_form": Form(schemas.ReferenceSchema()),
             "invite_form": Form(schemas.SiretSchema()), **failed_forms}
    status = 422 if any(f.errors for f in forms.values()) else 200
    if status == 422 and wants_json():
        failed = next(f for f in forms.values() if f.errors)
        return form_response(failed, "suppliers/manage.html")
    boost = hooks.boost_panel(supplier)
    return render_template(
        "suppliers/manage.html", supplier=supplier, score=score, missing=missing, boosted_until=boost["boosted_until"],
        boost_price=boost["price"],
        claims=services.pending_claims(supplier), members=services.active_members(supplier),
        groups=list(db.session.scalars(select(SectorGroup).order_by(SectorGroup.id))),
        services_list=list(ServiceKind), departments=all_departments(), regions=all_regions(),
        consortium_members=consortiums.memberships(supplier, status=None) if supplier.is_consortium else [],
        invitations=consortiums.consortiums_of(supplier), **forms,
    ), status


@bp.route("/<int:supplier_id>/<any(retirer, remettre):action>", methods=["POST"])
@login_required
def set_listed(supplier_id: int, action: str):
    supplier = services.get_supplier(supplier_id, include_delisted=True)
    services.set_listed(supplier, action == "remettre", acting_user())
    db.session.commit()
    flash("La structure est de nouveau dans l'annuaire." if action == "remettre"
          else "La structure est retirée de l'annuaire ; rien n'est supprimé.", "info")
    return redirect(url_for("suppliers.manage", supplier_id=supplier.id))


@bp.route("/<int:supplier_id>/activites", methods=["POST"])
@bp.route("/<int:supplier_id>/activites/<int:activity_id>", methods=["POST"])
@login_required
def save_activity(supplier_id: int, activity_id: int | None = None):
    supplier = services.get_supplier(supplier_id, include_delisted=True)
    services.ensure_can_edit(supplier, acting_user())
    activity = services.get_activity(supplier, activity_id) if activity_id else None
    form = Form(schemas.ActivitySchema())
    if not form.validate_on_submit():
        return _manage_page(supplier, activity_form=form)
    try:
        services.save_activity(supplier, form.data, acting_user(), activity)
    except DomainError as error:
        form.fail(error)
        return _manage_page(supplier, activity_form=form)
    db.session.commit()
    flash("Activité enregistrée.", "success")
    return redirect(url_for("suppliers.manage", supplier_id=supplier.id) + "#activites")


@bp.route("/<int:supplier_id>/activites/<int:activity_id>/supprimer", methods=["POST"])
@login_required
def delete_activity(supplier_id: int, activity_id: int):
    supplier = services.get_supplier(supplier_id, include_delisted=True)
    services.ensure_can_edit(supplier, acting_user())
    services.delete_activity(supplier, services.get_activity(supplier, activity_id), acting_user())
    db.session.commit()
    flash("Activité supprimée.", "info")
    return redirect(url_for("suppliers.manage", supplier_id=supplier.id) + "#activites")


@bp.route("/<int:supplier_id>/references", methods=["POST"])
@login_required
def add_reference(supplier_id: int):
    supplier = services.get_supplier(supplier_id, include_delisted=True)
    services.ensure_can_edit(supplier, acting_user())
    form = Form(schemas.ReferenceSchema())
    if not form.validate_on_submit():
        return _manage_page(supplier, reference_form=form)
    services.add_reference(supplier, form.data, acting_user())
    db.session.commit()
    flash("Référence ajoutée.", "success")
    return redirect(url_for("suppliers.manage", supplier_id=supplier.id) + "#references")


@bp.route("/<int:supplier_id>/references/<int:reference_id>/supprimer", methods=["POST"])
@login_required
def delete_reference(supplier_id: int, reference_id: int):
    supplier = services.get_supplier(supplier_id, include_delisted=True)
    services.delete_reference(supplier, reference_id, acting_user())
    db.session.commit()
    flash("Référence supprimée.", "info")
    return redirect(url_for("suppliers.manage", supplier_id=supplier.id) + "#references")


@bp.route("/<int:supplier_id>/revendications/<int:member_id>/<any(accepter, refuser):decision>", methods=["POST"])
@login_required
def decide_claim(supplier_id: int, member_id: int, decision: str):
    supplier = services.get_supplier(supplier_id, include_delisted=True)
    member = services.get_claim(supplier, member_id)
    services.decide_claim(member, acting_user(), decision == "accepter")
    db.session.commit()
    flash("Demande acceptée." if decision == "accepter" else "Demande refusée.", "success")
    return redirect(url_for("suppliers.manage", supplier_id=supplier.id))


@bp.route("/<int:supplier_id>/groupement", methods=["GET", "POST"])
@login_required
def create_consortium(supplier_id: int):
    lead = services.get_supplier(supplier_id)
    services.ensure_can_edit(lead, acting_user())
    form = Form(schemas.ConsortiumSchema())
    if form.validate_on_submit():
        try:
            consortium = consortiums.create_consortium(form.data, lead, acting_user())
        except DomainError as error:
            form.fail(error)
        else:
            db.session.commit()
            flash(f"Le groupement « {consortium.name} » est créé. Invitez maintenant ses membres.", "success")
            return redirect(url_for("suppliers.manage", supplier_id=consortium.id))
    return form_response(form, "suppliers/form.html", **_profile_context(lead=lead, creating=True))


@bp.route("/<int:supplier_id>/groupement/inviter", methods=["POST"])
@login_required
def invite(supplier_id: int):
    consortium = services.get_supplier(supplier_id)
    form = Form(schemas.SiretSchema())
    if form.validate_on_submit():
        member = services.find_by_siret(form.data["siret"])
        if member is None:
            form.fail(DomainError("Aucune structure n'est référencée avec ce SIRET.", "siret"))
        else:
            try:
                consortiums.invite_member(consortium, member, acting_user())
            except DomainError as error:
                form.fail(error)
            else:
                db.session.commit()
                flash(f"« {member.name} » est invitée à rejoindre le groupement.", "success")
                return redirect(url_for("suppliers.manage", supplier_id=consortium.id) + "#groupement")
    services.ensure_can_edit(consortium, acting_user())
    return _manage_page(consortium, invite_form=form)


@bp.route("/<int:supplier_id>/invitations/<int:membership_id>/<any(accepter, refuser):decision>", methods=["POST"])
@login_required
def answer_invitation(supplier_id: int, membership_id: int, decision: str):
    member = services.get_supplier(supplier_id)
    membership = consortiums.get_invitation(member, membership_id)
    consortiums.answer_invitation(membership, acting_user(), decision == "accepter")
    db.session.commit()
    flash("Vous avez rejoint le groupement." if decision == "accepter" else "Invitation déclinée.", "success")
    return redirect(url_for("suppliers.manage", supplier_id=member.id))
