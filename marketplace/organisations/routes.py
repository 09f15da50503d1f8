"""Pages (and JSON) for buyer organisations: create, find and join, decide on requests."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from marketplace.accounts.current import acting_user
from marketplace.errors import DomainError, wants_json
from marketplace.extensions import db
from marketplace.forms import Form, form_response
from marketplace.organisations import schemas, services
from marketplace.organisations.models import MembershipStatus

bp = Blueprint("organisations", __name__, url_prefix="/organisations")



@bp.route("/mienne")
@login_required
def mine():
    """The user's organisation, or the choice between creating and joining one."""
    membership = services.membership_of(acting_user())
    if membership is not None and membership.status == MembershipStatus.ACTIVE:
        return redirect(url_for("organisations.show", organisation_id=membership.organisation_id))
    return render_template("organisations/start.html", membership=membership)


@bp.route("/nouvelle", methods=["GET", "POST"])
@login_required
def create():
    form = Form(schemas.OrganisationSchema())
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(form.data, acting_user())
        except DomainError as error:
            form.fail(error)
        else:
            db.session.commit()
            if wants_json():
                return schemas.OrganisationOut().dump(organisation), 201
            flash(f"L'organisation « {organisation.name} » est créée.", "success")
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return form_response(form, "organisations/create.html")


@bp.route("/rejoindre")
@login_required
def find():
    query = request.args.get("q", "")
    results = services.search_organisations(query)
    if wants_json():
        return {"items": schemas.OrganisationOut(many=True).dump(results)}
    return render_template(
        "organisations/find.html",
        query=query,
        results=results,
        membership=services.membership_of(acting_user()),
    )


@bp.route("/<int:organisation_id>")
@login_required
def show(organisation_id: int):
    organisation = services.get_organisation(organisation_id)
    actor = acting_user()
    can_manage = actor.is_admin or services.is_member(actor, organisation)
    if wants_json():
        return schemas.OrganisationOut().dump(organisation)
    return render_template(
        "organisations/show.html",
        organisation=organisation,
        can_manage=can_manage,
        members=services.active_members(organisation) if can_manage else [],
        pending=services.pending_requests(organisation, actor) if can_manage else [],
        membership=services.membership_of(actor),
        join_form=Form(schemas.JoinRequestSchema()),
    )


@bp.route("/<int:organisation_id>/rejoindre", methods=["POST"])
@login_required
def request_to_join(organisation_id: int):
    organisation = services.get_organisation(organisation_id)
    form = Form(schemas.JoinRequestSchema())
    if not form.validate_on_submit():
        if wants_json():
            return form_response(form, "organisations/show.html")
        flash(form.error("message") or "Demande invalide.", "danger")
        return redirect(url_for("organisations.show", organisation_id=organisation.id))
    membership = services.request_to_join(organisation, acting_user(), form.data.get("message"))
    db.session.commit()
    if wants_json():
        return schemas.MembershipOut().dump(membership), 201
    flash(
        f"Votre demande pour rejoindre « {organisation.name} » est envoyée. "
        "Vous recevrez un e-mail dès qu'un membre y aura répondu.",
        "success",
    )
    return redirect(url_for("organisations.mine"))


@bp.route(
    "/<int:organisation_id>/demandes/<int:membership_id>/<any(accepter, refuser):decision>",
    methods=["POST"],
)
@login_required
def decide(organisation_id: int, membership_id: int, decision: str):
    organisation = services.get_organisation(organisation_id)
    membership = services.get_join_request(organisation, membership_id)
    approve = decision == "accepter"
    services.decide_join_request(membership, acting_user(), approve)
    db.session.commit()
    if wants_json():
        return schemas.MembershipOut().dump(membership)
    who = membership.user.full_name
    flash(
        f"{who} fait maintenant partie de l'organisation." if approve else f"La demande de {who} est refusée.",
        "success" if approve else "info",
    )
    return redirect(url_for("organisations.show", organisation_id=organisation.id))
