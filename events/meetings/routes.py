"""Meetings at a fair, as a participant meets them: requests (sent, received,
answered), the agenda (page, ICS, PDF) and feedback. The organiser's pages are in
organiser_routes.py."""


from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import login_required

from events.fairs import registration
from events.fairs.models import FairMode, Participant
from events.fairs.services import get_fair, is_organiser
from events.meetings import agendas, day, programme, requests, schemas, suggestions  # noqa: F401 - its hook
from events.meetings.blueprint import bp
from events.meetings.models import PRIORITY_LABELS
from marketplace.accounts.current import acting_user
from marketplace.errors import DomainError, NotAllowed, NotFound, wants_json
from marketplace.extensions import db
from marketplace.forms import Form, form_response, perform, safe_next
from marketplace.timeutil import utcnow


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
            return redirect(safe_next(url_for("meetings.requests", fair_id=fair.id)))
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

def _agenda(fair, with_cancelled: bool = False):
    """Whose agenda and its meetings: the participant's own published meetings, or, for
    the fair's organiser opening a participant's (?participant=), all their meetings."""
    wanted = request.args.get("participant", type=int)
    mine = registration.participants_of(fair, acting_user())
    if wanted and wanted not in {p.id for p in mine} and is_organiser(fair, acting_user()):
        participant = registration.get_participant(fair, wanted)
        return participant, programme.meetings_of(participant, with_cancelled=with_cancelled), True
    participant = my_participant(fair)
    return participant, programme.meetings_of(participant, published_only=True, with_cancelled=with_cancelled), False


@bp.route("/salons/<int:fair_id>/mon-agenda")
@login_required
def agenda(fair_id: int):
    fair = get_fair(fair_id)
    participant, meetings, as_organiser = _agenda(fair)
    if wants_json():
        return {"published": fair.programme_published_at is not None,
                "meetings": schemas.MeetingOut(many=True).dump(meetings)}
    return render_template("meetings/agenda.html", fair=fair, participant=participant, meetings=meetings,
                           feedback={m.id: day.feedback_of(m, participant) for m in meetings},
                           as_organiser=as_organiser, now=utcnow())


@bp.route("/salons/<int:fair_id>/mon-agenda.ics")
@login_required
def agenda_ics(fair_id: int):
    fair = get_fair(fair_id)
    participant, meetings, _ = _agenda(fair, with_cancelled=True)
    return Response(agendas.agenda_ics(participant, meetings, agendas.calendar_host()),
                    mimetype="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=agenda-salon-{fair.id}.ics"})


@bp.route("/salons/<int:fair_id>/mon-agenda.pdf")
@login_required
def agenda_pdf(fair_id: int):
    fair = get_fair(fair_id)
    participant, meetings, _ = _agenda(fair)
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
