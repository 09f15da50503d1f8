"""Fairs, their participants, meeting requests and agendas, and orders, through the API."""

from flask import request
from marshmallow import Schema, fields
from sqlalchemy import select

from events.fairs import registration, services
from events.fairs.models import Fair, Participant, ParticipantStatus
from events.fairs.schemas import FairOut, ParticipantOut
from events.meetings import programme, requests
from events.meetings.schemas import MeetingOut, MeetingRequestOut, MeetingRequestSchema
from marketplace.api.core import PageArgs, api_user, blueprint, page_of, paged
from marketplace.errors import NotAllowed, NotFound
from marketplace.extensions import db
from marketplace.payments.models import Order
from marketplace.payments.schemas import OrderOut
from marketplace.validation import Identifier

bp = blueprint("salons", "Salons d'affaires, rendez-vous et commandes.")


class FairPage(Schema):
    items = fields.List(fields.Nested(FairOut))
    next = fields.String(allow_none=True)


@bp.route("/fairs")
@bp.arguments(PageArgs, location="query")
@bp.response(200, FairPage)
def fairs(args):
    """Every published fair, past and upcoming (public)."""
    items, cursor = page_of(select(Fair).where(Fair.is_visible), Fair.id, args["cursor"], args["limit"])
    return paged(items, cursor)


@bp.route("/fairs/<int:fair_id>")
@bp.response(200, FairOut)
def fair(fair_id: int):
    """One fair (public)."""
    return services.get_fair(fair_id)


def _me(fair: Fair) -> Participant:
    actor = api_user()
    mine = registration.participants_of(fair, actor)
    wanted = request.args.get("participant", type=int)
    chosen = next((p for p in mine if p.id == wanted), None) if wanted else (mine[0] if mine else None)
    if chosen is None:
        raise NotFound("Vous n'êtes pas inscrit à ce salon.")
    return chosen


class ParticipantPage(Schema):
    items = fields.List(fields.Nested(ParticipantOut))
    next = fields.String(allow_none=True)


@bp.route("/fairs/<int:fair_id>/participants")
@bp.arguments(PageArgs, location="query")
@bp.response(200, ParticipantPage)
def participants(args, fair_id: int):
    """The fair's confirmed participants: for its participants and organisers."""
    fair, actor = services.get_fair(fair_id), api_user()
    if not (services.is_organiser(fair, actor) or registration.participants_of(fair, actor)):
        raise NotAllowed("Le catalogue est réservé aux participants du salon.")
    items, cursor = page_of(select(Participant).where(Participant.fair_id == fair.id,
                                                      Participant.status == ParticipantStatus.CONFIRMED),
                            Participant.id, args["cursor"], args["limit"])
    return paged(items, cursor)


class RequestsOut(Schema):
    sent = fields.List(fields.Nested(MeetingRequestOut))
    received = fields.List(fields.Nested(MeetingRequestOut))


@bp.route("/fairs/<int:fair_id>/requests", methods=["GET"])
@bp.response(200, RequestsOut)
def my_requests(fair_id: int):
    """The meeting requests I sent and received at this fair."""
    sent, received = requests.requests_of(_me(services.get_fair(fair_id)))
    return {"sent": sent, "received": received}


class NewRequest(MeetingRequestSchema):
    to = Identifier(required=True, metadata={"description": "Le participant à rencontrer."})


@bp.route("/fairs/<int:fair_id>/requests", methods=["POST"])
@bp.arguments(NewRequest)
@bp.response(201, MeetingRequestOut)
def ask(data, fair_id: int):
    """Ask another participant for a meeting (or rank a wish, in wishes mode)."""
    fair = services.get_fair(fair_id)
    made = requests.ask_meeting(_me(fair), registration.get_participant(fair, data["to"]), data, api_user())
    db.session.commit()
    return made


@bp.route("/fairs/<int:fair_id>/agenda")
@bp.response(200, MeetingOut(many=True))
def agenda(fair_id: int):
    """My published meetings at this fair."""
    return programme.meetings_of(_me(services.get_fair(fair_id)), published_only=True)


class OrderPage(Schema):
    items = fields.List(fields.Nested(OrderOut))
    next = fields.String(allow_none=True)


@bp.route("/orders")
@bp.arguments(PageArgs, location="query")
@bp.response(200, OrderPage)
def orders(args):
    """My orders (read only)."""
    items, cursor = page_of(select(Order).where(Order.user_id == api_user().id), Order.id, args["cursor"],
                            args["limit"])
    return paged(items, cursor)
