"""Meetings at a fair, as its organiser runs them: the programme (scheduler runs,
manual changes, publication), the table plan and signs, the day's no-shows, and the
results."""

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import login_required

from events.fairs import registration
from events.fairs.models import Participant
from events.fairs.services import ensure_organiser, get_fair, slots_of
from events.meetings import agendas, auto_wishes, day, hooks, programme, requests, results, runs, schemas, stands
from events.meetings.blueprint import bp
from events.meetings.models import RunStatus
from marketplace.accounts.current import acting_user
from marketplace.errors import DomainError, NotAllowed, NotFound, wants_json
from marketplace.exports import csv_download
from marketplace.extensions import db
from marketplace.forms import Form, csv_import, csv_import_json, perform, perform_form
from marketplace.french import count
from marketplace.paging import ListPage

SLOTS_PER_PAGE = 8  # the programme page shows the meetings of this many slots at a time,
MEETING_ROWS_PER_PAGE = 400  # fewer when the fair has many tables
LEFT_OUT_PAGE = 100  # requests a run left out, per page of their list
PARTICIPANTS_LISTED = 100  # the least served participants, in the programme page's count table
GRID_TABLES = 10  # tables across the grid at a time
PARTICIPANT_SELECT_MAX = 200  # past this, the page's participant fields are typed into, with suggestions



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
                           stats=json.loads(run.stats) if run and run.stats and run.status == RunStatus.DONE
                           else None, auto_planned=auto_wishes.planned_count(fair),
                           auto_added=auto_wishes.added_count(fair), auto_undo=auto_wishes.can_take_back(fair),
                           wanted=requests.wanted_count(fair))


@bp.route("/salons/<int:fair_id>/programme/grille", endpoint="grid")
@login_required
def grid_page(fair_id: int):
    """The programme as a grid: one session's slots down, a block of tables across (a
    hall at a time on a big fair), one participant's meetings picked out if asked."""
    fair = get_fair(fair_id)
    ensure_organiser(fair, acting_user())
    sessions = list(fair.sessions)
    session = next((s for s in sessions if s.id == request.args.get("session", type=int)), sessions[0] if sessions
                   else None)
    tables = ListPage.of(len(fair.tables), GRID_TABLES, request.args.get("tables", type=int))
    shown = tables.take(list(fair.tables))
    slots = list(session.slots) if session else []
    rows = programme.meeting_rows(fair, [slot.id for slot in slots])
    cells = {(m.slot_id, m.table.id): m for m in rows if m.video_url is None}
    online = {}  # slot -> its online meetings (at no table)
    for m in rows:
        if m.video_url is not None:
            online.setdefault(m.slot_id, []).append(m)
    asked = request.args.get("participant", type=int)
    participant = registration.find_participant(fair, asked) if asked else None
    theirs = programme.meetings_of(participant) if participant else []
    return render_template("meetings/grid.html", fair=fair, sessions=sessions, session=session, slots=slots,
                           tables=shown, table_page=tables, cells=cells, online=online, participant=participant,
                           theirs=theirs,
                           unknown=asked and participant is None)


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
            flash("Le calcul a échoué : la raison est indiquée sous « Dernier calcul ».", "danger")
        else:
            flash("Programme calculé : vérifiez-le, ajustez-le puis publiez-le.", "success")
        return redirect(url_for("meetings.programme", fair_id=fair.id))
    return render_template("meetings/run.html", fair=fair, run=run)


@bp.route("/salons/<int:fair_id>/programme/calculs/<int:run_id>/arreter", methods=["POST"])
@login_required
def stop_run(fair_id: int, run_id: int):
    fair = get_fair(fair_id)
    run = runs.get_run(fair, run_id)
    return perform(lambda: runs.stop_run(fair, run, acting_user()),
                   url_for("meetings.run_status", fair_id=fair.id, run_id=run.id),
                   "Arrêt demandé : le meilleur programme trouvé jusqu'ici est conservé.",
                   lambda _: _run_json(run))


@bp.route("/salons/<int:fair_id>/souhaits-suggeres", methods=["POST"])
@login_required
def add_auto_wishes(fair_id: int):
    fair = get_fair(fair_id)
    return perform(lambda: auto_wishes.add_auto_wishes(fair, acting_user()),
                   url_for("meetings.programme", fair_id=fair.id), None, lambda added: {"added": added},
                   success_of=lambda added: f"{count(added, 'souhait ajouté', 'souhaits ajoutés')} à partir des "
                                            "suggestions : le prochain calcul en tiendra compte.")


@bp.route("/salons/<int:fair_id>/souhaits-suggeres/retirer", methods=["POST"])
@login_required
def remove_auto_wishes(fair_id: int):
    fair = get_fair(fair_id)
    return perform(lambda: auto_wishes.remove_auto_wishes(fair, acting_user()),
                   url_for("meetings.programme", fair_id=fair.id), None, lambda removed: {"removed": removed},
                   success_of=lambda removed: f"{count(removed, 'souhait retiré', 'souhaits retirés')}.")


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


@bp.route("/salons/<int:fair_id>/rendez-vous/<int:meeting_id>/visio", methods=["POST"])
@login_required
def online(fair_id: int, meeting_id: int):
    """Hold a meeting by video (its table freed), or back at a table."""
    return _programme_form(fair_id, schemas.OnlineSchema(), lambda fair, data: programme.set_online(
        programme.get_meeting(fair, meeting_id), data["online"], acting_user()),
        "Lieu du rendez-vous changé ; s'il était publié, ses deux participants sont prévenus.")


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
              f"{replacement.place}. Tous deux sont prévenus." if replacement else
              "Absence notée. Aucune demande en attente ne peut reprendre ce créneau.", "success")
    return response


# --- printouts for the day -----------------------------------------------------------------

@bp.route("/salons/<int:fair_id>/plan-de-tables")
@login_required
def table_plan(fair_id: int):
    fair = get_fair(fair_id)
    ensure_organiser(fair, acting_user())
    return render_template("meetings/table_plan.html", fair=fair, slots=slots_of(fair),
                           holders=stands.stand_holders(fair),
                           by_slot=_by(programme.meetings_of_fair(fair), "slot_id"))


@bp.route("/salons/<int:fair_id>/tables-attitrees", methods=["GET", "POST"])
@login_required
def stand_page(fair_id: int):
    """Tables of one's own all day (a buyer's stand): assigned one by one or from a CSV."""
    fair = get_fair(fair_id)
    actor = acting_user()
    ensure_organiser(fair, actor)
    report, error = None, None
    if request.method == "POST":
        report, error = csv_import(lambda content, dry_run: stands.import_stands(fair, content, actor, dry_run))
        if wants_json():
            return csv_import_json(report, error)
    return render_template("meetings/stands.html", fair=fair, holders=stands.stand_holders(fair), report=report,
                           error=error, columns=stands.IMPORT_COLUMNS,
                           choices=programme.confirmed_participant_rows(fair)), 422 if error else 200


@bp.route("/salons/<int:fair_id>/tables-attitrees/attribuer", methods=["POST"])
@login_required
def assign_stand(fair_id: int):
    fair = get_fair(fair_id)

    def assign(data):
        participant = registration.get_participant(fair, data["participant"])
        table = stands.table_by_number(fair, data["table"]) if data.get("table") else None
        if data.get("table") and table is None:
            raise DomainError("Cette table n'existe pas pour ce salon.", "table")
        stands.assign_stand(fair, participant, table, acting_user())
        return participant

    return perform_form(schemas.StandSchema(), url_for("meetings.stand_page", fair_id=fair.id), assign,
                        "Table attitrée enregistrée : le prochain calcul y place tous ses rendez-vous.",
                        lambda participant: {"participant": participant.id, "table": participant.table_id})


@bp.route("/salons/<int:fair_id>/programme.ics")
@login_required
def fair_calendar(fair_id: int):
    """Every meeting of the fair as one calendar, for the organisers' own."""
    fair = get_fair(fair_id)
    ensure_organiser(fair, acting_user())
    return Response(agendas.fair_ics(fair, programme.meetings_of_fair(fair), agendas.calendar_host()),
                    mimetype="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=programme-salon-{fair.id}.ics"})


@bp.route("/salons/<int:fair_id>/agendas.pdf")
@login_required
def agenda_booklet(fair_id: int):
    """Every confirmed participant's agenda, one a page, for the check-in desk to print."""
    fair = get_fair(fair_id)
    ensure_organiser(fair, acting_user())
    return Response(agendas.booklet_pdf(fair, programme.agendas_of_fair(fair)), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=agendas-salon-{fair.id}.pdf"})


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
