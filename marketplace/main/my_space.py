"""Mon espace: the page each person lands on after logging in, with where they stand and
their next useful actions. A new buyer is led to their organisation, a new supplier to
their listing, a new organiser to their first fair; nobody meets a bare 403 from here."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from events.fairs.services import fairs_organised_by
from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.french import noun
from marketplace.needs.models import Need, NeedStatus
from marketplace.organisations.models import MembershipStatus
from marketplace.organisations.services import membership_of
from marketplace.suppliers.services import completion, suppliers_of


@dataclass
class Action:
    label: str
    endpoint: str
    hint: str = ""
    primary: bool = False


@dataclass
class Space:
    """What the page shows: a first step to take (if any), figures, and actions."""
    first_step: Action | None = None
    first_step_text: str = ""
    figures: list[tuple[str, int]] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    items: list = field(default_factory=list)


def space_of(user: User) -> Space:
    return {Role.BUYER: _buyer, Role.SUPPLIER: _supplier, Role.ORGANISER: _organiser,
            Role.ADMIN: _admin}[user.role](user)


def _buyer(user: User) -> Space:
    membership = membership_of(user)
    if membership is None or membership.status != MembershipStatus.ACTIVE:
        pending = membership is not None
        return Space(
            first_step=Action("Voir ma demande" if pending else "Créer ou rejoindre mon organisation",
                              "organisations.mine", primary=True),
            first_step_text=("Votre demande pour rejoindre votre organisation attend l'accord de ses "
                             "administrateurs : vous serez prévenu par courriel." if pending else
                             "Pour publier des besoins et suivre vos achats, rattachez votre compte à votre "
                             "organisation (entreprise, collectivité, établissement public) : créez-la, ou "
                             "demandez à rejoindre celle de vos collègues."),
            actions=[Action("Chercher des structures inclusives", "directory.search"),
                     Action("Voir les salons d'affaires", "fairs.index")])
    counts = dict(db.session.execute(select(Need.status, func.count()).where(
        Need.organisation_id == membership.organisation_id).group_by(Need.status)).all())
    drafts, submitted, published, closed = (counts.get(status, 0) for status in (
        NeedStatus.DRAFT, NeedStatus.SUBMITTED, NeedStatus.PUBLISHED, NeedStatus.CLOSED))
    figures = [(noun(drafts, "Brouillon"), drafts), ("En modération", submitted),
               (noun(published, "Publié"), published), ("À décider", closed)]
    return Space(figures=figures, actions=[
        Action("Publier un besoin", "needs.create", "appel d'offres, consultation, demande de devis ou sourcing",
               primary=True),
        Action("Chercher des structures inclusives", "directory.search"),
        Action("Mes besoins", "needs.index"),
        Action("Tableau de bord", "dashboards.show", "vos achats inclusifs de l'année"),
        Action("Mes favoris", "favourites.index"),
        Action("Mon organisation", "organisations.mine")])


def _supplier(user: User) -> Space:
    suppliers = suppliers_of(user)
    if not suppliers:
        return Space(
            first_step=Action("Trouver ma structure par son SIRET", "suppliers.claim", primary=True),
            first_step_text=("Pour recevoir les besoins des acheteurs qui correspondent à vos activités, "
                             "rattachez votre compte à votre structure : retrouvez-la dans l'annuaire par son "
                             "SIRET (8 600 structures y sont déjà), ou référencez-la si elle n'y est pas."),
            actions=[Action("Référencer ma structure", "suppliers.create"),
                     Action("Voir les salons d'affaires", "fairs.index")])
    items = [(supplier, completion(supplier)[0]) for supplier in suppliers]
    return Space(items=items, actions=[
        Action("Voir les opportunités", "needs.opportunities", "les besoins qui correspondent à vos activités",
               primary=True),
        Action("Mes offres", "offers.mine"),
        Action("Mes structures", "suppliers.mine", "compléter vos fiches : activités, zones, références"),
        Action("Tableau de bord", "dashboards.show"),
        Action("Salons d'affaires", "fairs.index")])


def _organiser(user: User) -> Space:
    fairs = fairs_organised_by(user)
    space = Space(items=fairs, actions=[Action("Créer un salon", "fairs.create", primary=not fairs),
                                        Action("Tous les salons", "fairs.index")])
    if not fairs:
        space.first_step = Action("Créer mon premier salon", "fairs.create", primary=True)
        space.first_step_text = ("Créez votre salon : dates, lieu, sessions et créneaux, tables. Les acheteurs "
                                 "et les structures s'y inscrivent, demandent à se rencontrer, et la plateforme "
                                 "calcule le programme des rendez-vous.")
    return space


def _admin(user: User) -> Space:
    waiting = db.session.scalar(select(func.count()).select_from(Need).where(
        Need.status == NeedStatus.SUBMITTED)) or 0
    return Space(figures=[(noun(waiting, "Besoin à modérer", "Besoins à modérer"), waiting)], actions=[
        Action("Modération des besoins", "needs.moderation", primary=bool(waiting)),
        Action("Utilisateurs", "admin.users"),
        Action("Paiements", "payments.admin_orders")])
