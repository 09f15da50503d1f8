"""Rules of favourite lists: a buyer's own lists, and the lists shared in its organisation."""

from flask import current_app
from sqlalchemy import func, or_, select

from marketplace.accounts.models import User
from marketplace.errors import Conflict, DomainError, NotAllowed, NotFound
from marketplace.extensions import db
from marketplace.favourites.models import FavouriteItem, FavouriteList
from marketplace.organisations import hooks as organisations_hooks
from marketplace.organisations.models import MembershipStatus
from marketplace.organisations.services import membership_of
from marketplace.suppliers.services import get_supplier


def organisation_id_of(actor: User) -> int:
    membership = membership_of(actor)
    if membership is None or membership.status != MembershipStatus.ACTIVE:
        raise NotAllowed("Rejoignez ou inscrivez votre organisation pour créer des listes de favoris.",
                         next_step=("organisations.mine", "Créer ou rejoindre mon organisation"))
    return membership.organisation_id


def visible_lists(actor: User) -> list[FavouriteList]:
    """The actor's own lists, then those shared in its organisation."""
    organisation_id = organisation_id_of(actor)
    return list(db.session.scalars(
        select(FavouriteList).where(
            FavouriteList.organisation_id == organisation_id,
            or_(FavouriteList.owner_id == actor.id, FavouriteList.shared.is_(True)))
        .order_by((FavouriteList.owner_id != actor.id), FavouriteList.name)
    ))


def get_list(list_id: int, actor: User) -> FavouriteList:
    """A list the actor may see; another organisation's list, or a colleague's private one, is not found."""
    favourite_list = db.session.get(FavouriteList, list_id)
    if favourite_list is None or favourite_list.organisation_id != organisation_id_of(actor) or not (
            favourite_list.shared or favourite_list.owner_id == actor.id):
        raise NotFound("Cette liste n'existe pas.")
    return favourite_list


def create_list(data: dict, actor: User) -> FavouriteList:
    organisation_id = organisation_id_of(actor)
    owned = db.session.scalar(select(func.count()).select_from(FavouriteList).where(FavouriteList.owner_id == actor.id))
    from marketplace.organisations.models import BuyerOrganisation

    planned = organisations_hooks.has_plan(db.session.get(BuyerOrganisation, organisation_id))
    limit = current_app.config["FAVOURITE_LISTS_LIMIT" if planned else "FAVOURITE_LISTS_FREE_LIMIT"]
    if owned >= limit:
        more = "" if planned else " L'abonnement acheteur en permet davantage."
        raise DomainError(f"Vous avez atteint la limite de {limit} listes.{more}", "name")
    favourite_list = FavouriteList(organisation_id=organisation_id, owner_id=actor.id, name=data["name"],
                                   shared=data.get("shared", False))
    db.session.add(favourite_list)
    db.session.flush()
    return favourite_list


def _ensure_owner(favourite_list: FavouriteList, actor: User) -> None:
    if favourite_list.owner_id != actor.id:
        raise NotAllowed("Seule la personne qui a créé la liste peut la renommer, la partager ou la supprimer.")


def update_list(favourite_list: FavouriteList, data: dict, actor: User) -> FavouriteList:
    _ensure_owner(favourite_list, actor)
    favourite_list.name, favourite_list.shared = data["name"], data.get("shared", False)
    db.session.flush()
    return favourite_list


def delete_list(favourite_list: FavouriteList, actor: User) -> None:
    _ensure_owner(favourite_list, actor)
    db.session.delete(favourite_list)
    db.session.flush()


def add_supplier(favourite_list: FavouriteList, supplier_id: int, actor: User) -> FavouriteItem:
    supplier = get_supplier(supplier_id)
    if any(item.supplier_id == supplier.id for item in favourite_list.items):
        raise Conflict(f"« {supplier.name} » est déjà dans cette liste.")
    item = FavouriteItem(favourite_list=favourite_list, supplier_id=supplier.id, added_by_id=actor.id)
    db.session.add(item)
    db.session.flush()
    return item


def remove_supplier(favourite_list: FavouriteList, supplier_id: int, actor: User) -> None:
    item = db.session.get(FavouriteItem, (favourite_list.id, supplier_id))
    if item is None:
        raise NotFound("Cette structure n'est pas dans la liste.")
    db.session.delete(item)
    db.session.flush()
