"""Meetings at a fair: a participant's requests and agenda (page, ICS, PDF) and
feedback; the organiser's programme (runs, manual changes, publication), table plan,
table signs and the day's no-shows."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required

from events.fairs import registration
from events.fairs.models import FairMode, Participant
from events.fairs.services import ensure_organiser, get_fair, slots_of
from events.meetings import agendas, day, hooks, programme, requests, results, runs, schemas
from events.meetings.models import PRIORITY_LABELS, RunStatus
from marketplace.accounts.current import acting_user
from marketplace.errors import DomainError, NotAllowed, NotFound, wants_json
from marketplace.exports import csv_download
from marketplace.extensions import db
from marketplace.forms import Form, form_response, perform, perform_form
from marketplace.paging import ListPage

bp = Blueprint("meetings", __name__)
SLOTS_PER_PAGE = 8  # the programme page shows the meetings of this many slots at a time,
MEETING_ROWS_PER_PAGE = 400  # fewer when the fair has many tables
LEFT_OUT_PAGE = 100  # requests a run left out, per page of their list
PARTICIPANTS_LISTED = 100  # the least served participants, in the programme page's count table
PARTICIPANT_SELECT_MAX = 200  # past this, the page's participant fields are typed into, with suggestions


def my_participant(fair) -> Participant:
    """The registration the current user acts for (?participant= when they have several)."""
    mine = registration.participants_of(fair, acting_user())
    wanted = request.args.get("participant", type=int)
    chosen = next((p for p in mine if p.id == wanted), None) if wanted else (mine[0] if mine else None)
    if chosen is None:
        raise NotFound("Vous n'êtes pas inscrit à ce salon.")
    return chosen


# --- requests -----------------------------------------------------------------------

@bp.route("/salons/<int:fair_id>/demandes", endpoint="requests")
@login_required
def requests_page(fair_id: int):
    fair = get_fair(fair_id)
    participant = my_participant(fair)
    sent, received = requests.requests_of(participant)
    if wants_json():
        return {"sent": schemas.MeetingRequestOut(many=True).dump(sent),
                "received": schemas.MeetingRequestOut(many=True).dump(received)}
    mutual = {r.requester_id for r in received} & {r.recipient_id for r in sent}
    return render_template("meetings/requests.html", fair=fair, participant=participant, sent=sent,
                           received=received, mutual=mutual, wishes=fair.mode == FairMode.WISHES)


@bp.route("/salons/<int:fair_id>/participants/<int:participant_id>/demander", methods=["GET", "POST"])
@login_required
def ask(fair_id: int, participant_id: int):
    fair = get_fair(fair_id)
    me = my_participant(fair)
    recipient = registration.get_participant(fair, participant_id)
    form = Form(schemas.MeetingRequestSchema(), initial={"priority": "2"})
    if form.validate_on_submit():
        try:
            made = requests.ask_meeting(me, recipient, form.data, acting_user())
            db.session.commit()
            if wants_json():
                return schemas.MeetingRequestOut().dump(made), 201
            flash(f"Demande envoyée à {recipient.name}." if fair.mode == FairMode.REQUESTS else
                  f"Souhait enregistré : {recipient.name}.", "success")
            return redirect(url_for("meetings.requests", fair_id=fair.id))
        except DomainError as error:
            db.session.rollback()
            form.refuse(error)
    return form_response(form, "meetings/ask.html", fair=fair, me=me, recipient=recipient,
                         priorities=PRIORITY_LABELS)


def _answer(fair_id: int, request_id: int, accept: bool):
    fair = get_fair(fair_id)
    made = requests.get_request(fair, request_id)
    return perform(lambda: requests.answer_request(made, accept, acting_user()),
                   url_for("meetings.requests", fair_id=fair.id),
                   "Demande acceptée." if accept else "Demande déclinée.", schemas.MeetingRequestOut().dump)


@bp.route("/salons/<int:fair_id>/demandes/<int:request_id>/accepter", methods=["POST"])
@login_required
def accept(fair_id: int, request_id: int):
    return _answer(fair_id, request_id, True)


@bp.route("/salons/<int:fair_id>/demandes/<int:request_id>/refuser", methods=["POST"])
@login_required
def decline(fair_id: int, request_id: int):
    return _answer(fair_id, request_id, False)


@bp.route("/salons/<int:fair_id>/demandes/<int:request_id>/retirer", methods=["POST"])
@login_required
def withdraw(fair_id: int, request_id: int):
    fair = get_fair(fair_id)
    made = requests.get_request(fair, request_id)
    return perform(lambda: programme.withdraw_request(made, acting_user()),
                   url_for("meetings.requests", fair_id=fair.id), "Demande retirée.",
                   schemas.MeetingRequestOut().dump)


# --- agenda -------------------------------------------------------------------------

def _agenda(fair):
    participant = my_participant(fair)
    return participant, programme.meetings_of(participant, published_only=True)


@bp.route("/salons/<int:fair_id>/mon-agenda")
@login_required
def agenda(fair_id: int):
    fair = get_fair(fair_id)
    participant, meetings = _agenda(fair)
    if wants_json():
        return {"published": fair.programme_published_at is not None,
                "meetings": schemas.MeetingOut(many=True).dump(meetings)}
    return render_template("meetings/agenda.html", fair=fair, participant=participant, meetings=meetings,
                           feedback={m.id: day.feedback_of(m, participant) for m in meetings})


@bp.route("/salons/<int:fair_id>/mon-agenda.ics")
@login_required
def agenda_ics(fair_id: int):
    fair = get_fair(fair_id)
    participant, meetings = _agenda(fair)
    return Response(agendas.agenda_ics(participant, meetings, request.host.split(":")[0]),
                    mimetype="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=agenda-salon-{fair.id}.ics"})


@bp.route("/salons/<int:fair_id>/mon-agenda.pdf")
@login_required
def agenda_pdf(fair_id: int):
    fair = get_fair(fair_id)
    participant, meetings = _agenda(fair)
    return Response(agendas.agenda_pdf(participant, meetings), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=agenda-salon-{fair.id}.pdf"})


@bp.route("/salons/<int:fair_id>/rendez-vous/<int:meeting_id>/avis", methods=["GET", "POST"])
@login_required
def feedback(fair_id: int, meeting_id: int):
    fair = get_fair(fair_id)
    participant = my_participant(fair)
    meeting = programme.get_meeting(fair, meeting_id)
    if not meeting.involves(participant.id):
        raise NotAllowed("Ce rendez-vous n'est pas le vôtre.")
    other = meeting.other(participant)
    form = Form(schemas.FeedbackSchema(), initial={
        "quote_title": f"Demande de devis suite au salon {fair.name}",
        "quote_description": f"Suite à notre rendez-vous au salon {fair.name}, ..."})
    if form.validate_on_submit():
        try:
            given = day.give_feedback(meeting, participant, form.data, acting_user())
            db.session.commit()
            if wants_json():
                return {"id": given.id, "need_id": given.need_id}, 201
            flash("Merci pour votre avis." + (" Votre demande de devis est envoyée." if given.need_id else ""),
                  "success")
            return redirect(url_for("needs.show", need_id=given.need_id) if given.need_id
                            else url_for("meetings.agenda", fair_id=fair.id))
        except DomainError as error:
            db.session.rollback()
            form.refuse(error)
    can_ask_quote = participant.role.value == "buyer" and other.supplier is not None
    return form_response(form, "meetings/feedback.html", fair=fair, meeting=meeting, participant=participant,
                         other=other, can_ask_quote=can_ask_quote, given=day.feedback_of(meeting, participant))


# --- the organiser's programme ------------------------------------------------------------

@bp.route("/salons/<int:fair_id>/programme", endpoint="programme")
@login_required
def programme_page(fair_id: int):
    fair = get_fair(fair_id)
    ensure_organiser(fair, acting_user())
    run = runs.latest_run(fair)
    if wants_json():
        return {"meetings": schemas.MeetingOut(many=True).dump(programme.meetings_of_fair(fair)),
                "run": _run_json(run) if run else None,
                "left_out": _left_out_json(runs.left_out_requests(runs.left_out_items(run)))}
    # A few slots' meetings a page (one slot fills 250 rows at 250 tables); counts from SQL.
    slots = slots_of(fair)
    per_page = max(1, min(SLOTS_PER_PAGE, MEETING_ROWS_PER_PAGE // max(1, len(fair.tables))))
    slot_page = ListPage.of(len(slots), per_page, request.args.get("creneaux", type=int))
    shown_slots = slot_page.take(slots)
    meetings = programme.meeting_rows(fair, [slot.id for slot in shown_slots])
    total, unpublished = programme.programme_counts(fair)
    confirmed, without, least_served = programme.participants_served(fair, PARTICIPANTS_LISTED)
    # A small fair's participant fields list them all; a big fair's ask the catalogue (fairs.js).
    choices = programme.confirmed_participant_rows(fair) if confirmed <= PARTICIPANT_SELECT_MAX else None
    return render_template("meetings/programme.html", fair=fair, meetings=meetings, by_slot=_by(meetings, "slot_id"),
                           slots=slots, shown_slots=shown_slots, slot_page=slot_page, choices=choices,
                           confirmed=confirmed, without=without, least_served=least_served, run=run, total=total,
                           unpublished=unpublished, left_out_total=runs.left_out_count(run),
                           stats=json.loads(run.stats) if run and run.stats else None,
                           wanted=requests.wanted_count(fair))


@bp.route("/salons/<int:fair_id>/programme/non-places")
@login_required
def left_out(fair_id: int):
    """The requests the last run could not place, with why, a page at a time (a big fair
    leaves tens of thousands of wishes out), for everyone or one participant."""
    fair = get_fair(fair_id)
    ensure_organiser(fair, acting_user())
    run = runs.latest_run(fair)
    asked = request.args.get("participant", type=int)
    participant = registration.find_participant(fair, asked) if asked else None
    items = runs.left_out_items(run, participant.id if participant else None)
    page = ListPage.of(len(items), LEFT_OUT_PAGE, request.args.get("page", type=int))
    rows = runs.left_out_requests(page.take(items))
    if wants_json():
        return {"total": len(items), "page": page.page, "pages": page.pages, "items": _left_out_json(rows)}
    return render_template("meetings/left_out.html", fair=fair, run=run, rows=rows, total=len(items),
                           pagination=page, participant=participant, unknown=asked and not participant,
                           reasons=runs.left_out_reasons(items))


def _left_out_json(rows) -> list[dict]:
    return [{"request_id": row.request_id, "from": row.requester_id, "to": row.recipient_id, "reason": row.reason}
            for row in rows]


def _run_json(run) -> dict:
    return {"id": run.id, "status": run.status.value, "progress": run.progress, "step": run.step,
            "error": run.error, "stats": json.loads(run.stats) if run.stats else None}


@bp.route("/salons/<int:fair_id>/programme/calculer", methods=["POST"])
@login_required
def start_run(fair_id: int):
    fair = get_fair(fair_id)
    back = url_for("meetings.programme", fair_id=fair.id)
    try:
        run = runs.start_run(fair, acting_user())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if wants_json() or isinstance(error, NotAllowed | NotFound):
            raise
        flash(error.message, "danger")
        return redirect(back)
    hooks.compute_run_later(run.id)
    if wants_json():
        db.session.refresh(run)
        return _run_json(run), 202
    return redirect(url_for("meetings.run_status", fair_id=fair.id, run_id=run.id))


@bp.route("/salons/<int:fair_id>/programme/calculs/<int:run_id>")
@login_required
def run_status(fair_id: int, run_id: int):
    fair = get_fair(fair_id)
    ensure_organiser(fair, acting_user())
    run = runs.get_run(fair, run_id)
    if wants_json():
        return _run_json(run)
    if run.status in (RunStatus.DONE, RunStatus.FAILED):
        if run.status == RunStatus.FAILED:
            flash(f"Le calcul a échoué : {run.error}", "danger")
        else:
            flash("Programme calculé : vérifiez-le, ajustez-le puis publiez-le.", "success")
        return redirect(url_for("meetings.programme", fair_id=fair.id))
    return render_template("meetings/run.html", fair=fair, run=run)


@bp.route("/salons/<int:fair_id>/programme/publier", methods=["POST"])
@login_required
def publish(fair_id: int):
    fair = get_fair(fair_id)
    return perform(lambda: programme.publish_programme(fair, acting_user()),
                   url_for("meetings.programme", fair_id=fair.id),
                   "Programme publié : chaque participant concerné reçoit son agenda par e-mail.",
                   lambda told: {"told": told})


def _pair(fair, data) -> tuple[Participant, Participant]:
    return registration.get_participant(fair, data["a"]), registration.get_participant(fair, data["b"])


def _programme_form(fair_id: int, schema, action, success: str):
    """A programme change from a small form; refusals come back on the programme."""
    fair = get_fair(fair_id)
    return perform_form(schema, url_for("meetings.programme", fair_id=fair.id), lambda data: action(fair, data),
                        success, lambda result: schemas.MeetingOut().dump(result) if hasattr(result, "slot")
                        else {"status": "ok"})


@bp.route("/salons/<int:fair_id>/rendez-vous", methods=["POST"])
@login_required
def add_meeting(fair_id: int):
    return _programme_form(fair_id, schemas.ManualMeetingSchema(), lambda fair, data: programme.add_meeting(
        fair, *_pair(fair, data), data["slot"], data["table"], acting_user()), "Rendez-vous ajouté.")


@bp.route("/salons/<int:fair_id>/incontournables", methods=["POST"])
@login_required
def must_meet(fair_id: int):
    return _programme_form(fair_id, schemas.PairSchema(), lambda fair, data: requests.add_must_meet(
        fair, *_pair(fair, data), acting_user()), "Rencontre incontournable ajoutée : le prochain calcul la place "
                                                  "en priorité.")


@bp.route("/salons/<int:fair_id>/rendez-vous/<int:meeting_id>/deplacer", methods=["POST"])
@login_required
def move(fair_id: int, meeting_id: int):
    return _programme_form(fair_id, schemas.PlaceSchema(), lambda fair, data: programme.move_meeting(
        programme.get_meeting(fair, meeting_id), data["slot"], data["table"], acting_user()),
        "Rendez-vous déplacé.")


@bp.route("/salons/<int:fair_id>/rendez-vous/<int:meeting_id>/verrouiller", methods=["POST"])
@login_required
def lock(fair_id: int, meeting_id: int):
    return _programme_form(fair_id, schemas.LockSchema(), lambda fair, data: programme.set_locked(
        programme.get_meeting(fair, meeting_id), data["locked"], acting_user()), "C'est noté.")


@bp.route("/salons/<int:fair_id>/rendez-vous/<int:meeting_id>/annuler", methods=["POST"])
@login_required
def cancel(fair_id: int, meeting_id: int):
    fair = get_fair(fair_id)
    meeting = programme.get_meeting(fair, meeting_id)
    return perform(lambda: programme.cancel_meeting(meeting, acting_user()),
                   url_for("meetings.programme", fair_id=fair.id), "Rendez-vous annulé.", schemas.MeetingOut().dump)


@bp.route("/salons/<int:fair_id>/rendez-vous/<int:meeting_id>/tenu", methods=["POST"])
@login_required
def held(fair_id: int, meeting_id: int):
    fair = get_fair(fair_id)
    meeting = programme.get_meeting(fair, meeting_id)
    return perform(lambda: day.mark_held(meeting, acting_user()), _day_back(fair), "Rendez-vous tenu.",
                   schemas.MeetingOut().dump)


def _day_back(fair) -> str:
    return request.form.get("back") if (request.form.get("back") or "").startswith("/") else url_for(
        "meetings.programme", fair_id=fair.id)


@bp.route("/salons/<int:fair_id>/rendez-vous/<int:meeting_id>/absence", methods=["POST"])
@login_required
def no_show(fair_id: int, meeting_id: int):
    fair = get_fair(fair_id)
    meeting = programme.get_meeting(fair, meeting_id)
    form = Form(schemas.NoShowSchema())
    if not form.validate_on_submit():
        raise DomainError("Indiquez qui est absent.", "absent")
    absent = registration.get_participant(fair, form.data["absent"])
    outcome = {}

    def act():
        outcome["replacement"] = day.mark_no_show(meeting, absent, acting_user())
        return outcome["replacement"]

    response = perform(act, _day_back(fair), None, lambda replacement: {
        "replacement": schemas.MeetingOut().dump(replacement) if replacement else None})
    if not wants_json() and "replacement" in outcome:
        replacement = outcome["replacement"]
        flash(f"Absence notée. Rendez-vous de dernière minute : {replacement.a.name} et {replacement.b.name}, "
              f"{replacement.table.name}. Tous deux sont prévenus." if replacement else
              "Absence notée. Aucune demande en attente ne peut reprendre ce créneau.", "success")
    return response


# --- printouts for the day -----------------------------------------------------------------

@bp.route("/salons/<int:fair_id>/plan-de-tables")
@login_required
def table_plan(fair_id: int):
    fair = get_fair(fair_id)
    ensure_organiser(fair, acting_user())
    return render_template("meetings/table_plan.html", fair=fair, slots=slots_of(fair),
                           by_slot=_by(programme.meetings_of_fair(fair), "slot_id"))


@bp.route("/salons/<int:fair_id>/panneaux")
@login_required
def table_signs(fair_id: int):
    fair = get_fair(fair_id)
    ensure_organiser(fair, acting_user())
    return render_template("meetings/signs.html", fair=fair, by_table=_by(programme.meetings_of_fair(fair), "table_id"))


def _by(meetings, key: str) -> dict[int, list]:
    """Meetings grouped by one of their ids (slot_id, table_id), in their order."""
    grouped: dict[int, list] = {}
    for meeting in meetings:
        grouped.setdefault(getattr(meeting, key), []).append(meeting)
    return grouped


@bp.route("/salons/<int:fair_id>/resultats")
@login_required
def dashboard(fair_id: int):
    fair = get_fair(fair_id)
    ensure_organiser(fair, acting_user())
    figures = results.fair_results(fair)
    if request.args.get("format") == "csv":
        return csv_download(results.results_table(figures), f"resultats-salon-{fair.id}.csv")
    if wants_json():
        return {"figures": dict(figures.figures())}
    return render_template("fairs/results.html", fair=fair, results=figures,
                           registration_bars=[(role.label, count) for role, count in figures.registrations.items()])
