"""Needs and offers through the API, with the services the web pages use: buyers create,
update, publish and list their needs and read the offers on them; suppliers list the
needs sent to them and create or update their offers."""


from marshmallow import Schema, fields
from sqlalchemy import select

from marketplace.api.core import PageArgs, api_user, blueprint, page_of, paged
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.needs import services
from marketplace.needs.models import Need, NeedSupplier
from marketplace.needs.schemas import NeedOut, NeedSchema
from marketplace.offers import services as offers
from marketplace.offers.schemas import OfferOut, OfferSchema
from marketplace.suppliers.services import get_supplier, suppliers_of
from marketplace.validation import Identifier

bp = blueprint("besoins", "Besoins des acheteurs et offres des structures (clé d'API nécessaire).")


class NeedPage(Schema):
    items = fields.List(fields.Nested(NeedOut))
    next = fields.String(allow_none=True)


def _commit(result):
    db.session.commit()
    return result


@bp.route("/needs", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, NeedPage)
def my_needs(args):
    """The needs of my buyer organisation."""
    organisation = services.organisation_of(api_user())
    needs, cursor = page_of(select(Need).where(Need.organisation_id == organisation.id), Need.id, args["cursor"],
                            args["limit"])
    return paged(needs, cursor)


@bp.route("/needs", methods=["POST"])
@bp.arguments(NeedSchema)
@bp.response(201, NeedOut)
def create_need(data):
    """Create a need (a draft); publish it with POST /needs/{id}/publish."""
    return _commit(services.create_need(data, api_user()))


@bp.route("/needs/received")
@bp.arguments(PageArgs, location="query")
@bp.response(200, NeedPage)
def received(args):
    """The needs sent to the suppliers I act for."""
    supplier_ids = [s.id for s in suppliers_of(api_user())] or [-1]
    told = select(NeedSupplier.need_id).where(NeedSupplier.supplier_id.in_(supplier_ids),
                                              NeedSupplier.told_at.is_not(None))
    needs, cursor = page_of(select(Need).where(Need.id.in_(told), Need.status.in_(services.VISIBLE_STATUSES)),
                            Need.id, args["cursor"], args["limit"])
    return paged(needs, cursor)


def _readable(need_id: int) -> Need:
    need, actor = services.get_need(need_id), api_user()
    if not (services.is_buyer_of(need, actor) or services.supplier_can_see(need, actor)):
        raise NotFound("Ce besoin n'existe pas.")
    return need


@bp.route("/needs/<int:need_id>", methods=["GET"])
@bp.response(200, NeedOut)
def need(need_id: int):
    """A need I posted, or one sent to a supplier I act for."""
    return _readable(need_id)


@bp.route("/needs/<int:need_id>", methods=["PUT"])
@bp.arguments(NeedSchema)
@bp.response(200, NeedOut)
def update_need(data, need_id: int):
    """Replace a need's description (suppliers already told are mailed the change)."""
    return _commit(services.update_need(services.get_need(need_id), data, api_user()))


@bp.route("/needs/<int:need_id>/publish", methods=["POST"])
@bp.response(200, NeedOut)
def publish(need_id: int):
    """Submit a need: published at once, or after moderation where it is on."""
    return _commit(services.submit_need(services.get_need(need_id), api_user()))


class OffersByLot(Schema):
    lot_id = fields.Integer()
    offers = fields.List(fields.Nested(OfferOut))


@bp.route("/needs/<int:need_id>/offers")
@bp.response(200, OffersByLot(many=True))
def need_offers(need_id: int):
    """The offers received on my need, lot by lot."""
    by_lot = offers.offers_by_lot(services.get_need(need_id), api_user())
    return [{"lot_id": lot_id, "offers": items} for lot_id, items in by_lot.items()]


class SupplierArg(Schema):
    structure = Identifier(required=True, metadata={"description": "La structure pour laquelle j'agis."})


@bp.route("/needs/<int:need_id>/lots/<int:lot_id>/offer", methods=["PUT"])
@bp.arguments(SupplierArg, location="query")
@bp.arguments(OfferSchema)
@bp.response(200, OfferOut)
def put_offer(supplier_arg, data, need_id: int, lot_id: int):
    """Create or update my supplier's offer on a lot, until the deadline."""
    need = services.get_need(need_id)
    supplier = get_supplier(supplier_arg["structure"], include_delisted=True)
    offers.answering_link(need, supplier, api_user())
    return _commit(offers.save_offer(offers.get_lot(need, lot_id), supplier, data, api_user()))
