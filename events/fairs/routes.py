"""Fairs: the list and history, a fair's page, creating and editing it, registering,
the participant catalogue, check-in at the entrance, and the organiser's results."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from events.fairs import hooks, registration, schemas, services
from events.fairs.models import FairMode, Participant, ParticipantRole, ParticipantStatus, Stand, Talk
from marketplace.accounts.current import acting_user
from marketplace.errors import DomainError, wants_json
from marketplace.extensions import db
from marketplace.forms import Form, csv_import, csv_import_json, form_response, perform, perform_form, submitted_rows
from marketplace.geography.services import all_regions
from marketplace.paging import ListPage
from marketplace.payments.services import ticket_order_of
from marketplace.suppliers.taxonomy import SectorGroup, SupplierKind
from marketplace.timeutil import utc_to_paris, utcnow
from marketplace.validation import euros_text

bp = Blueprint("fairs", __name__)
CHECKIN_PAGE = 50  # participants a page at the check-in desk


def _groups():
    return list(db.session.scalars(select(SectorGroup).order_by(SectorGroup.name)))


def _fair_values(fair) -> dict:
    """A fair as its form shows it."""
    values = {key: getattr(fair, key) for key in ("name", "venue", "city", "address", "description",
                                                   "max_participants", "max_requests", "max_meetings",
                                                   "max_in_a_row", "hold_accepted", "reminder_minutes",
                                                   "auto_wishes_below")}
    values.update(
        starts_on=fair.starts_on.isoformat(), ends_on=fair.ends_on.isoformat(), mode=fair.mode.value,
        registration_opens_at=utc_to_paris(fair.registration_opens_at).strftime("%Y-%m-%dT%H:%M"),
        registration_closes_at=utc_to_paris(fair.registration_closes_at).strftime("%Y-%m-%dT%H:%M"),
        cancellation_deadline=utc_to_paris(fair.cancellation_deadline).strftime("%Y-%m-%dT%H:%M")
        if fair.cancellation_deadline else "",
        roles=[role.value for role in fair.allowed_roles], table_count=len(fair.tables),
        table_names="\n".join(t.name for t in fair.tables),
        sessions=[{"name": s.name, "day": s.day.isoformat(), "starts": s.starts.strftime("%H:%M"),
                   "ends": s.ends.strftime("%H:%M"), "slot_minutes": s.slot_minutes,
                   "pause_minutes": s.pause_minutes, "online": "1" if s.online else "",
                   "breaks": "; ".join(f"{b.starts:%H:%M}-{b.ends:%H:%M} {b.label}" for b in s.breaks)}
                  for s in fair.sessions],
        **{f"fee_{role.value}": euros_text(fair.fee_cents(role)) for role in ParticipantRole})
    return values


def session_rows(form: Form) -> list[dict]:
    """The session rows to show: those submitted (or of the fair), then one blank."""
    values = form.values
    if "session_day" in values:
        rows = schemas.form_rows(values, "session", ("name", "day", "starts", "ends", "slot_minutes",
                                                          "pause_minutes", "breaks", "online"))
    else:
        rows = submitted_rows(values, "sessions")
    blank = {"name": "", "day": "", "starts": "", "ends": "", "slot_minutes": "", "pause_minutes": "", "breaks": "",
             "online": ""}
    return rows + [blank]


def _form_page(form: Form, fair=None):
    return form_response(form, "fairs/form.html", fair=fair, sessions=session_rows(form), roles=list(ParticipantRole),
                         modes=list(FairMode))


@bp.route("/salons")
def index():
    user = current_user if current_user.is_authenticated else None
    past = services.past_fairs()
    return render_template(
        "fairs/index.html", upcoming=services.upcoming_fairs(), past=past,
        organised=services.fairs_organised_by(user) if user else [],
        summaries={fair.id: hooks.past_fair_summary(fair) for fair in past})


@bp.route("/salons/nouveau", methods=["GET", "POST"])
@login_required
def create():
    services.ensure_can_create(acting_user())
    form = Form(schemas.FairSchema(), initial={"roles": [r.value for r in ParticipantRole], "mode": "requests",
                                               "max_requests": 15, "max_meetings": 10, "table_count": 20,
                                               "reminder_minutes": 30})
    if form.validate_on_submit():
        try:
            fair = services.create_fair(form.data, acting_user())
            db.session.commit()
            if wants_json():
                return schemas.FairOut().dump(fair), 201
            flash("Salon créé. Les participants peuvent s'inscrire dès l'ouverture des inscriptions.", "success")
            return redirect(url_for("fairs.show", fair_id=fair.id))
        except DomainError as error:
            db.session.rollback()
            form.fail(error)
    return _form_page(form)


@bp.route("/salons/<int:fair_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(fair_id: int):
    fair = services.get_fair(fair_id)
    services.ensure_organiser(fair, acting_user())
    form = Form(schemas.FairSchema(), initial=_fair_values(fair))
    if form.validate_on_submit():
        try:
            services.update_fair(fair, form.data, acting_user())
            db.session.commit()
            if wants_json():
                return schemas.FairOut().dump(fair)
            flash("Salon mis à jour.", "success")
            return redirect(url_for("fairs.show", fair_id=fair.id))
        except DomainError as error:
            db.session.rollback()
            form.fail(error)
    return _form_page(form, fair)


@bp.route("/salons/<int:fair_id>")
def show(fair_id: int):
    fair = services.get_fair(fair_id)
    user = acting_user() if current_user.is_authenticated else None
    if wants_json():
        return schemas.FairOut().dump(fair)
    organiser = services.is_organiser(fair, user)
    mine = registration.participants_of(fair, user)
    return render_template(
        "fairs/show.html", fair=fair, organiser=organiser, mine=mine,
        identities=registration.identities_of(user) if user else [], is_open=services.registration_open(fair),
        slots=services.slots_of(fair), summary=hooks.past_fair_summary(fair),
        fees={role: registration.fee_due_cents(fair, role) for role in fair.allowed_roles},
        tickets={p.id: ticket_order_of(p) for p in mine}, suggestions=_suggestions(fair, mine),
        talk_form=Form(schemas.TalkSchema()), stand_form=Form(schemas.StandSchema()),
        organiser_form=Form(schemas.OrganiserSchema()), now=utcnow(), today=utcnow().date())


def _suggestions(fair, mine) -> dict:
    """participant -> whom they should meet, while requests can still be sent."""
    if fair.ends_on < utcnow().date():
        return {}
    return {p.id: hooks.suggestions_for(p) for p in mine if p.is_confirmed}


def _registration_context(fair, **extra) -> dict:
    return {"fair": fair, "groups": _groups(), **extra}


@bp.route("/salons/<int:fair_id>/inscription", methods=["GET", "POST"])
@login_required
def register(fair_id: int):
    """Register one of my organisations, or update my registration."""
    fair = services.get_fair(fair_id)
    actor = acting_user()
    mine = registration.participants_of(fair, actor)
    participant = next((p for p in mine if p.id == request.args.get("participant", type=int)), None) or (
        mine[0] if mine and not request.args.get("nouvelle") else None)
    identities = [i for i in registration.identities_of(actor)
                  if i[0] not in {_key_of(p) for p in mine}]
    schema = schemas.PartnerRegistrationSchema() if (
        request.values.get("identity") == "partner" or (participant and participant.role == ParticipantRole.PARTNER)
    ) else schemas.RegistrationSchema()
    initial = _registration_values(participant) if participant else {
        "contact_email": actor.email, "max_meetings": min(8, fair.max_meetings),
        "sessions": [str(s.id) for s in fair.sessions], "attendee_name": actor.full_name,
        "attendee_email": actor.email, "attendee_job_title": actor.job_title or ""}
    form = Form(schema, initial=initial)
    if form.validate_on_submit():
        try:
            if participant:
                registration.update_registration(participant, form.data, actor)
            else:
                participant = registration.register(fair, request.values.get("identity", ""), form.data, actor)
            db.session.commit()
            if wants_json():
                return schemas.ParticipantOut().dump(participant), 201
            if participant.status == ParticipantStatus.AWAITING_PAYMENT:
                flash("Inscription enregistrée : elle sera confirmée au paiement.", "success")
                return redirect(url_for("payments.order", order_id=ticket_order_of(participant).id))
            flash("Inscription enregistrée.", "success")
            return redirect(url_for("fairs.show", fair_id=fair.id))
        except DomainError as error:
            db.session.rollback()
            form.fail(error)
    return form_response(form, "fairs/register.html", **_registration_context(
        fair, participant=participant, identities=identities, is_open=services.registration_open(fair),
        can_be_partner=any(key == "partner" for key, _, _ in identities),
        attendees=_attendee_rows(form)))


def _key_of(participant) -> str:
    if participant.buyer_organisation_id:
        return f"buyer:{participant.buyer_organisation_id}"
    if participant.supplier_id:
        return f"supplier:{participant.supplier_id}"
    return "partner"


def _registration_values(participant) -> dict:
    values = {"pitch": participant.pitch, "max_meetings": participant.max_meetings,
              "contact_email": participant.contact_email, "contact_phone": participant.contact_phone or "",
              "sessions": [str(s.id) for s in participant.sessions],
              "sectors": [str(s.id) for s in participant.sectors], "name": participant.name,
              "max_in_a_row": participant.max_in_a_row,
              "unavailable": [str(slot.id) for slot in participant.unavailable]}
    values["attendees"] = [{"name": a.name, "email": a.email or "", "job_title": a.job_title or ""}
                           for a in participant.attendees]
    return values


def _attendee_rows(form: Form) -> list[dict]:
    values = form.values
    if "attendee_name" in values:
        rows = schemas.form_rows(values, "attendee", ("name", "email", "job_title"))
    else:
        rows = submitted_rows(values, "attendees")
    return rows + [{"name": "", "email": "", "job_title": ""}] * 2


@bp.route("/salons/<int:fair_id>/participants/<int:participant_id>/annuler", methods=["POST"])
@login_required
def cancel_registration(fair_id: int, participant_id: int):
    fair = services.get_fair(fair_id)
    participant = registration.get_participant(fair, participant_id)
    return perform(lambda: registration.cancel_registration(participant, acting_user()),
                   url_for("fairs.show", fair_id=fair.id), "Inscription annulée ; vos rendez-vous sont libérés.")


@bp.route("/salons/<int:fair_id>/participants")
@login_required
def catalogue(fair_id: int):
    fair = services.get_fair(fair_id)
    actor = acting_user()
    mine = registration.participants_of(fair, actor)
    if not (mine or services.is_organiser(fair, actor)):
        flash("Inscrivez-vous au salon pour consulter les participants.", "warning")
        return redirect(url_for("fairs.show", fair_id=fair.id))
    form = Form(schemas.ParticipantSearchSchema())
    filters = schemas.ParticipantSearchSchema().load(request.args.to_dict(), unknown="exclude") \
        if _valid_filters() else {"page": 1}
    participants, total = registration.search_catalogue(fair, filters)
    if wants_json():
        return {"total": total, "items": schemas.ParticipantOut(many=True).dump(participants)}
    return render_template("fairs/catalogue.html", fair=fair, participants=participants, total=total, form=form,
                           filters=filters, mine=mine, suggestions=_suggestions(fair, mine) if filters.get(
                               "page", 1) == 1 else {}, roles=list(ParticipantRole), regions=all_regions(),
                           kinds=list(SupplierKind), groups=_groups(), page_size=registration.CATALOGUE_PAGE)


def _valid_filters() -> bool:
    errors = schemas.ParticipantSearchSchema().validate(request.args.to_dict())
    if errors:
        flash("Certains filtres étaient invalides : ils ont été ignorés.", "warning")
    return not errors


@bp.route("/salons/<int:fair_id>/participants/inscrire", methods=["GET", "POST"])
@login_required
def register_for(fair_id: int):
    """An organiser registers a participant on its behalf, found by SIRET."""
    fair = services.get_fair(fair_id)
    actor = acting_user()
    services.ensure_organiser(fair, actor)
    form = Form(schemas.PartnerRegistrationSchema() if request.values.get("role") == "partenaire"
                else schemas.RegistrationSchema(),
                initial={"sessions": [str(s.id) for s in fair.sessions], "max_meetings": min(8, fair.max_meetings)})
    if form.validate_on_submit():
        try:
            key, _ = registration.identity_from_row(fair, {"role": request.values.get("role"),
                                                     "siret": request.values.get("siret"),
                                                     "nom": request.values.get("name")}, actor)
            participant = registration.register(fair, key, form.data, actor)
            db.session.commit()
            flash(f"{participant.name} est inscrit.", "success")
            return redirect(url_for("fairs.checkin", fair_id=fair.id))
        except DomainError as error:
            db.session.rollback()
            form.errors.setdefault(error.field or "siret", []).append(error.message)
    return form_response(form, "fairs/register_for.html", **_registration_context(
        fair, attendees=_attendee_rows(form)))


@bp.route("/salons/<int:fair_id>/participants/import", methods=["GET", "POST"])
@login_required
def import_participants(fair_id: int):
    fair = services.get_fair(fair_id)
    actor = acting_user()
    services.ensure_organiser(fair, actor)
    report, error = None, None
    if request.method == "POST":
        report, error = csv_import(lambda content, dry_run: registration.import_participants(
            fair, content, actor, dry_run=dry_run))
        if wants_json():
            return csv_import_json(report, error, dry_run=bool(request.form.get("dry_run")))
    return render_template("fairs/import.html", fair=fair, report=report, error=error,
                           columns=registration.IMPORT_COLUMNS), 422 if error else 200


@bp.route("/salons/<int:fair_id>/accueil")
@login_required
def checkin(fair_id: int):
    fair = services.get_fair(fair_id)
    services.ensure_organiser(fair, acting_user())
    query = (request.args.get("q") or "").strip().lower()
    everyone = registration.confirmed_participants(fair)
    participants = [p for p in everyone if query in p.name.lower()]
    page = ListPage.of(len(participants), CHECKIN_PAGE, request.args.get("page", type=int))
    cancelled = [(p, ticket_order_of(p)) for p in db.session.scalars(select(Participant).where(
        Participant.fair_id == fair.id, Participant.status == ParticipantStatus.CANCELLED))]
    return render_template("fairs/checkin.html", fair=fair, participants=page.take(participants), query=query,
                           pagination=page, found=len(participants),
                           present=sum(1 for p in everyone if p.checked_in_at),
                           total=len(everyone), desk=hooks.day_at_the_desk(fair, utcnow()),
                           refundable=[(p, order) for p, order in cancelled if order and order.refundable_cents])


@bp.route("/salons/<int:fair_id>/participants/<int:participant_id>/rembourser", methods=["POST"])
@login_required
def refund(fair_id: int, participant_id: int):
    from marketplace.payments.schemas import RefundSchema

    fair = services.get_fair(fair_id)
    participant = registration.get_participant(fair, participant_id)
    return perform_form(RefundSchema(), url_for("fairs.checkin", fair_id=fair.id),
                        lambda data: registration.refund_registration(participant, data["amount_cents"], acting_user()),
                        f"Inscription de {participant.name} remboursée.")


@bp.route("/salons/<int:fair_id>/participants/<int:participant_id>/accueil", methods=["POST"])
@login_required
def check_in(fair_id: int, participant_id: int):
    fair = services.get_fair(fair_id)
    participant = registration.get_participant(fair, participant_id)
    present = request.form.get("present", "1") == "1"
    return perform(lambda: registration.check_in(participant, acting_user(), present),
                   url_for("fairs.checkin", fair_id=fair.id, q=request.args.get("q", "")),
                   f"{participant.name} : {'arrivée enregistrée' if present else 'arrivée annulée'}.")


@bp.route("/salons/<int:fair_id>/organisateurs", methods=["POST"])
@login_required
def add_organiser(fair_id: int):
    fair = services.get_fair(fair_id)
    return perform_form(schemas.OrganiserSchema(), url_for("fairs.show", fair_id=fair.id),
                        lambda data: services.add_organiser(fair, data["email"], acting_user()),
                        "Co-organisateur ajouté.")


def _add_item(fair_id: int, schema, add, label: str):
    fair = services.get_fair(fair_id)
    return perform_form(schema, url_for("fairs.show", fair_id=fair.id) + "#programme",
                        lambda data: add(fair, data, acting_user()), f"{label} ajouté(e).")


@bp.route("/salons/<int:fair_id>/interventions", methods=["POST"])
@login_required
def add_talk(fair_id: int):
    return _add_item(fair_id, schemas.TalkSchema(), services.add_talk, "Intervention")


@bp.route("/salons/<int:fair_id>/stands", methods=["POST"])
@login_required
def add_stand(fair_id: int):
    return _add_item(fair_id, schemas.StandSchema(), services.add_stand, "Stand")


@bp.route("/salons/<int:fair_id>/<any(interventions, stands):kind>/<int:item_id>/supprimer", methods=["POST"])
@login_required
def remove_item(fair_id: int, kind: str, item_id: int):
    fair = services.get_fair(fair_id)
    model = Talk if kind == "interventions" else Stand
    return perform(lambda: services.remove_item(fair, model, item_id, acting_user()),
                   url_for("fairs.show", fair_id=fair.id) + "#programme", "Supprimé.")
