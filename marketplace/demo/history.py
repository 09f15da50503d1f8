"""The demo fair buyers' past year on the marketplace, before they meet at a fair: each
published a need or two in what it comes to the fair for (the sectors its pitch
names), at its own place, for the kinds of structure it buys from by policy; the
matching suppliers were told, and a few of the best placed answered with an offer, most
often one of them awarded. What a buyer and a supplier know of
each other before a fair: the fair suggestions read it (events/meetings/suggestions.py),
and the demo's requests follow it (demo/fairs.py). Demo data sends no mail."""

import random
from datetime import date, timedelta

from sqlalchemy import select, update

from marketplace.accounts import passwords
from marketplace.accounts.models import Role, User
from marketplace.demo.needs import NEED_TITLES, publish_quietly
from marketplace.extensions import db
from marketplace.geography.services import commune_for
from marketplace.needs import services
from marketplace.needs.models import Need, NeedArea, NeedKind, NeedStatus, NeedSupplier
from marketplace.needs.schemas import blank_need_data
from marketplace.offers.models import Offer, OfferStatus
from marketplace.organisations.models import (
    BuyerOrganisation,
    Membership,
    MembershipStatus,
    OrganisationKind,
    SizeClass,
)
from marketplace.suppliers.models import MemberStatus, Supplier, SupplierMember
from marketplace.suppliers.taxonomy import Sector, SupplierKind
from marketplace.suppliers.vocabulary import understand
from marketplace.timeutil import utcnow

PUBLISHES = 0.6  # the chance that a buyer published a need in a sector it comes for
ANSWERS = 3  # offers on each need, from its best placed matches
AMONG = 8  # ... drawn among the first this many
KINDS = (NeedKind.CONSULTATION, NeedKind.QUOTE, NeedKind.TENDER)
# Structures whose contracts count towards a company's employment obligation (OETH), and
# those whose insertion hours meet a public buyer's social clauses.
OETH_KINDS = (SupplierKind.EA, SupplierKind.EATT, SupplierKind.ESAT)
INSERTION_KINDS = (SupplierKind.EI, SupplierKind.AI, SupplierKind.ACI, SupplierKind.ETTI, SupplierKind.EITI,
                   SupplierKind.GEIQ)


def buying_policy(organisation: BuyerOrganisation) -> tuple[SupplierKind, ...]:
    """The kinds of structure an organisation buys from by policy (its needs ask for
    them): half the companies of ten or more buy from EA and ESAT for their employment
    obligation, half the public buyers from SIAE for their social clauses; the others
    from any."""
    rng = random.Random(f"policy-{organisation.siret}")  # not its id: the same on every database
    if organisation.kind == OrganisationKind.PRIVATE and organisation.size_class != SizeClass.MICRO:
        return OETH_KINDS if rng.random() < 0.5 else ()
    if organisation.kind == OrganisationKind.PUBLIC:
        return INSERTION_KINDS if rng.random() < 0.5 else ()
    return ()


class _Accounts:
    """The demo accounts behind the history: a buyer for each organisation, a contact for
    each supplier that answers; all with the demo password, hashed once."""

    def __init__(self, domain: str, password: str):
        self.domain, self.hash = domain, passwords.hash_password(password)

    def _user(self, email: str, role: Role, first_name: str, last_name: str) -> User:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, password_hash=self.hash, first_name=first_name, last_name=last_name,
                        role=role, email_confirmed_at=utcnow())
            db.session.add(user)
            db.session.flush()
        return user

    def buyer(self, organisation: BuyerOrganisation) -> User:
        member = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.organisation_id == organisation.id, Membership.status == MembershipStatus.ACTIVE).limit(1))
        if member is not None:
            return member
        user = self._user(f"achats{organisation.id}@acheteur.{self.domain}", Role.BUYER, "Service", "Achats")
        db.session.add(Membership(organisation=organisation, user_id=user.id, status=MembershipStatus.ACTIVE,
                                  decided_at=utcnow()))
        return user

    def supplier(self, supplier: Supplier) -> User:
        member = db.session.scalar(select(User).join(SupplierMember, SupplierMember.user_id == User.id).where(
            SupplierMember.supplier_id == supplier.id, SupplierMember.status == MemberStatus.ACTIVE).limit(1))
        if member is not None:
            return member
        user = self._user(f"offres{supplier.id}@structure.{self.domain}", Role.SUPPLIER, "Chargé", "d'affaires")
        db.session.add(SupplierMember(supplier_id=supplier.id, user_id=user.id, status=MemberStatus.ACTIVE,
                                      decided_at=utcnow()))
        return user


def _answer(need: Need, bidders: list[Supplier], accounts: _Accounts, rng: random.Random) -> None:
    """Offers from `bidders`; the need closed, and most often one offer awarded."""
    published = need.published_at
    for bidder in bidders:
        db.session.add(Offer(
            need_id=need.id, lot_id=need.lots[0].id, supplier_id=bidder.id,
            amount_cents=rng.randrange(800_000, 6_000_000, 10_000), vat_rate=2000,
            lead_time_days=rng.choice((10, 15, 21, 30)), insertion_hours=rng.choice((0, 200, 400, 800)),
            description="Offre de démonstration : équipe encadrée, matériel fourni, planning sur mesure.",
            valid_until=published.date() + timedelta(days=120), submitted_by_id=accounts.supplier(bidder).id,
            created_at=published + timedelta(days=rng.randint(3, 12))))
    db.session.execute(update(NeedSupplier).where(
        NeedSupplier.need_id == need.id, NeedSupplier.supplier_id.in_([b.id for b in bidders])).values(
        told_at=published, interested_at=published + timedelta(days=2),
        offer_submitted_at=published + timedelta(days=5)))
    need.deadline = need.closed_at = published + timedelta(days=21)
    need.status = NeedStatus.CLOSED
    db.session.flush()
    if bidders and rng.random() < 0.7:
        offers = list(db.session.scalars(select(Offer).where(Offer.need_id == need.id).order_by(Offer.id)))
        winner = rng.choice(offers)
        for offer in offers:
            offer.status = OfferStatus.AWARDED if offer is winner else OfferStatus.DECLINED
            offer.decided_at = need.closed_at + timedelta(days=10)
        need.status, need.decided_at = NeedStatus.AWARDED, need.closed_at + timedelta(days=10)


def load_buyers_history(organisations: list[BuyerOrganisation], pitches: dict[int, str], rng: random.Random,
                        domain: str, password: str) -> int:
    """Needs of the past year for the organisations that have none yet (`pitches`:
    organisation id -> what it said it comes to the fair for). Returns how many."""
    accounts = _Accounts(domain, password)
    sectors = {sector.slug: sector for sector in db.session.scalars(select(Sector))}
    have_needs = set(db.session.scalars(select(Need.organisation_id).where(
        Need.organisation_id.in_([o.id for o in organisations])).distinct()))
    made = 0
    for organisation in organisations:
        commune = commune_for(organisation.postcode, organisation.city)
        if organisation.id in have_needs or commune is None:
            continue
        for slug in understand(pitches[organisation.id]).sectors:
            if slug not in sectors or rng.random() >= PUBLISHES:
                continue
            sector = sectors[slug]
            need = services.create_need(blank_need_data(
                kind=rng.choice(KINDS), title=NEED_TITLES.get(slug, sector.name), sector_ids=[sector.id],
                area=NeedArea.ZONES, departments=[commune.department_code],
                wanted_kinds=list(buying_policy(organisation)),
                description="Besoin de démonstration : périmètre, volume et calendrier précisés dans le cahier "
                            "des charges.", start_date=date.today()), accounts.buyer(organisation))
            publish_quietly(need, at=utcnow() - timedelta(days=rng.randint(90, 330)))
            matched = list(db.session.scalars(select(Supplier).join(NeedSupplier, NeedSupplier.supplier_id ==
                                                                    Supplier.id).where(NeedSupplier.need_id == need.id)
                                              .order_by(NeedSupplier.rank, NeedSupplier.id).limit(AMONG)))
            _answer(need, rng.sample(matched, min(ANSWERS, len(matched))), accounts, rng)
            made += 1
    db.session.flush()
    return made
