"""The figures of the dashboards, and the buyer's yearly purchase totals (typed in or
imported from CSV) that the inclusive share is measured against."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import extract, func, or_, select

from marketplace.accounts.models import User
from marketplace.dashboards.models import PurchaseTotal
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.french import money as french_money
from marketplace.needs.models import Need, NeedStatus, NeedSupplier
from marketplace.needs.services import need_counts
from marketplace.offers.models import LIVE_STATUSES, Offer, OfferStatus
from marketplace.organisations.models import BuyerOrganisation
from marketplace.suppliers.services import suppliers_of
from marketplace.timeutil import utcnow
from marketplace.validation import Euros, euros_decimal

MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass
class BuyerFigures:
    year: int
    needs_by_status: dict[NeedStatus, int]
    offers_received: int
    awarded_cents: int
    insertion_hours: int
    purchases_cents: int | None

    @property
    def purchases_below_awards(self) -> bool:
        """The year's total, typed before later awards, is now below what was awarded."""
        return self.purchases_cents is not None and self.purchases_cents < self.awarded_cents

    @property
    def inclusive_share(self) -> float | None:
        """Percent of the year's purchases that went to inclusive suppliers; none while the
        year's total is unknown or below the awards (a share over 100 % means nothing)."""
        if not self.purchases_cents or self.purchases_below_awards:
            return None
        return 100 * self.awarded_cents / self.purchases_cents


def buyer_figures(organisation: BuyerOrganisation, year: int) -> BuyerFigures:
    of_organisation = select(Need.id).where(Need.organisation_id == organisation.id)
    offers = db.session.scalar(select(func.count()).select_from(Offer).where(
        Offer.need_id.in_(of_organisation), Offer.status.in_(LIVE_STATUSES))) or 0
    awarded, hours = db.session.execute(select(
        func.coalesce(func.sum(Offer.amount_cents), 0), func.coalesce(func.sum(Offer.insertion_hours), 0)).where(
        Offer.need_id.in_(of_organisation), Offer.status == OfferStatus.AWARDED,
        extract("year", Offer.decided_at) == year)).one()
    total = db.session.get(PurchaseTotal, (organisation.id, year))
    return BuyerFigures(year, need_counts(organisation), offers, int(awarded),
                        int(hours), total.amount_cents if total else None)


def ledger_total(organisation: BuyerOrganisation, year: int) -> int:
    """What the purchase ledger holds for the year (impact.ledger)."""
    from marketplace.impact.models import PurchaseLine

    return int(db.session.scalar(select(func.coalesce(func.sum(PurchaseLine.amount_cents), 0)).where(
        PurchaseLine.organisation_id == organisation.id, PurchaseLine.year == year)))


def purchase_totals(organisation: BuyerOrganisation) -> list[PurchaseTotal]:
    return list(db.session.scalars(select(PurchaseTotal).where(PurchaseTotal.organisation_id == organisation.id)
                                   .order_by(PurchaseTotal.year.desc())))


def set_purchase_total(organisation: BuyerOrganisation, year: int, amount_cents: int, actor: User) -> PurchaseTotal:
    """Record a year's total purchases; it cannot be below what was awarded through the
    platform that year (those awards are part of the year's purchases)."""
    awarded = buyer_figures(organisation, year).awarded_cents
    if amount_cents < awarded:
        raise DomainError(f"Vos achats {year} ne peuvent pas être inférieurs au montant déjà attribué par la "
                          f"plateforme cette année-là ({french_money(awarded)} HT).", "amount")
    in_ledger = ledger_total(organisation, year)
    if amount_cents < in_ledger:
        raise DomainError(f"Vos achats {year} importés totalisent déjà {french_money(in_ledger)} HT : le total "
                          "de l'année ne peut pas être inférieur.", "amount")
    total = db.session.get(PurchaseTotal, (organisation.id, year))
    if total is None:
        total = PurchaseTotal(organisation_id=organisation.id, year=year)
        db.session.add(total)
    total.amount_cents, total.updated_at, total.updated_by_id = amount_cents, utcnow(), actor.id
    db.session.flush()
    return total


def import_purchase_totals(organisation: BuyerOrganisation, content: bytes, actor: User) -> int:
    """Rows "year;amount" (comma or semicolon separated, a header line allowed, amounts
    in euros). All rows or none: the first bad row is named in the error."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    delimiter = ";" if ";" in text else ","  # French spreadsheets write ";" (the comma is the decimal mark)
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(cell.strip() for cell in row)]
    if rows and not rows[0][0].strip().isdigit():
        rows = rows[1:]  # the header
    if not rows:
        raise DomainError("Le fichier ne contient aucune ligne « année ; montant ».", "file")
    parsed = {}
    amount_field = Euros(required=True)
    for number, row in enumerate(rows, start=1):
        try:
            year = int(row[0].strip())
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise ValueError
            parsed[year] = amount_field.deserialize(row[1] if len(row) > 1 else "")
        except Exception as error:  # noqa: BLE001 - any bad cell is the same message to the user
            raise DomainError(f"Ligne {number} : « année ; montant en euros » attendu.", "file") from error
    for year, cents in parsed.items():
        try:
            set_purchase_total(organisation, year, cents, actor)
        except DomainError as error:
            raise DomainError(error.message, "file") from None
    return len(parsed)


@dataclass
class SupplierFigures:
    opportunities: int
    answered: int
    offers_sent: int
    offers_won: int
    won_cents: int

    @property
    def response_rate(self) -> float | None:
        return 100 * self.answered / self.opportunities if self.opportunities else None


def supplier_figures(actor: User) -> SupplierFigures:
    ids = [supplier.id for supplier in suppliers_of(actor)] or [-1]
    told = NeedSupplier.supplier_id.in_(ids), NeedSupplier.told_at.is_not(None)
    opportunities = db.session.scalar(select(func.count()).select_from(NeedSupplier).where(*told)) or 0
    answered = db.session.scalar(select(func.count()).select_from(NeedSupplier).where(*told, or_(
        NeedSupplier.interested_at.is_not(None), NeedSupplier.not_interested_at.is_not(None),
        NeedSupplier.offer_submitted_at.is_not(None)))) or 0
    sent = db.session.scalar(select(func.count()).select_from(Offer).where(
        Offer.supplier_id.in_(ids), Offer.status.in_(LIVE_STATUSES))) or 0
    won, won_cents = db.session.execute(select(func.count(), func.coalesce(func.sum(Offer.amount_cents), 0)).where(
        Offer.supplier_id.in_(ids), Offer.status == OfferStatus.AWARDED)).one()
    return SupplierFigures(opportunities, answered, sent, won, int(won_cents))


def current_year() -> int:
    return datetime.now().year


def purchasing_report_rows(organisation: BuyerOrganisation, year: int) -> list[list]:
    """The inclusive-purchasing report of a year: every contract awarded to an inclusive
    supplier, then the totals and the share of the year's purchases."""
    from marketplace.needs.models import NeedLot
    from marketplace.suppliers.models import Supplier

    figures = buyer_figures(organisation, year)
    rows = db.session.execute(
        select(Need.title, NeedLot.title, Supplier.name, Supplier.kind, Supplier.siret, Offer.amount_cents,
               Offer.insertion_hours, Offer.decided_at)
        .join(NeedLot, NeedLot.id == Offer.lot_id).join(Need, Need.id == Offer.need_id)
        .join(Supplier, Supplier.id == Offer.supplier_id)
        .where(Need.organisation_id == organisation.id, Offer.status == OfferStatus.AWARDED,
               extract("year", Offer.decided_at) == year).order_by(Offer.decided_at)).all()
    table = [[f"Rapport d'achats inclusifs {year} — {organisation.name}"],
             ["Besoin", "Lot", "Structure", "Type", "SIRET", "Montant HT (€)", "Heures d'insertion",
              "Attribué le"]]
    for need, lot, supplier, kind, siret, cents, hours, decided in rows:
        table.append([need, lot, supplier, kind.value, siret, euros_decimal(cents), hours or 0,
                      decided.strftime("%d/%m/%Y")])
    table.append([])
    table.append(["Total attribué HT (€)", euros_decimal(figures.awarded_cents)])
    table.append(["Heures d'insertion", figures.insertion_hours])
    share = figures.inclusive_share
    table.append(["Part des achats de l'année", f"{share:.1f} %".replace(".", ",") if share is not None
                  else "achats de l'année non renseignés"])
    return table
