"""The yearly inclusive-purchasing report: every purchase of the year (the ledger's
lines, plus the awards made through the platform that the ledger does not already
hold), the inclusive share overall and by kind of supplier, region and department,
sector and purchase category, the change from the year before, the inclusive suppliers
used and the insertion hours declared in the offers awarded.

Inclusive suppliers are the SIAE (EI, AI, ACI, ETTI, EITI, GEIQ), the disability sector
(EA, EATT, ESAT) and their consortiums; other social-economy suppliers of the
directory (ESS) are shown apart and not counted as inclusive.

An award is already in the ledger when a line of the same year names the same supplier
for the same amount (to the euro): it is not counted twice.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import extract, select

from marketplace.extensions import db
from marketplace.geography import names
from marketplace.impact.models import PurchaseLine
from marketplace.needs.models import Need
from marketplace.offers.models import Offer, OfferStatus
from marketplace.organisations.models import BuyerOrganisation
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.taxonomy import DISABILITY_KINDS, SIAE_KINDS, SupplierKind

INCLUSIVE_KINDS = (*SIAE_KINDS, *DISABILITY_KINDS, SupplierKind.CONSORTIUM)
SAME_AMOUNT_CENTS = 100  # an award and a ledger line this close are the same purchase
NOT_INCLUSIVE = "Fournisseurs non inclusifs"
UNCATEGORISED = "Sans catégorie"


@dataclass
class Purchase:
    amount_cents: int
    supplier: Supplier | None
    category: str
    from_platform: bool = False

    @property
    def inclusive(self) -> bool:
        return self.supplier is not None and self.supplier.kind in INCLUSIVE_KINDS


@dataclass
class Breakdown:
    label: str
    total_cents: int = 0
    inclusive_cents: int = 0

    @property
    def share(self) -> float | None:
        return 100 * self.inclusive_cents / self.total_cents if self.total_cents > 0 else None


@dataclass
class YearReport:
    organisation: BuyerOrganisation
    year: int
    purchases: list[Purchase]
    insertion_hours: int
    previous: "YearReport | None" = None
    by: dict[str, list[Breakdown]] = field(default_factory=dict)

    @property
    def total_cents(self) -> int:
        return sum(p.amount_cents for p in self.purchases)

    @property
    def inclusive_cents(self) -> int:
        return sum(p.amount_cents for p in self.purchases if p.inclusive)

    @property
    def share(self) -> float | None:
        """Percent of the year's purchases that went to inclusive suppliers (never over
        100: every inclusive purchase is part of the total)."""
        return 100 * self.inclusive_cents / self.total_cents if self.total_cents > 0 else None

    @property
    def platform_cents(self) -> int:
        return sum(p.amount_cents for p in self.purchases if p.from_platform)

    @property
    def suppliers_used(self) -> int:
        return len({p.supplier.id for p in self.purchases if p.inclusive})

    @property
    def change_points(self) -> float | None:
        """The share's change from the year before, in points."""
        if self.previous is None or self.previous.share is None or self.share is None:
            return None
        return self.share - self.previous.share

    @property
    def inclusive_change_cents(self) -> int | None:
        return None if self.previous is None else self.inclusive_cents - self.previous.inclusive_cents


def _kind(purchase: Purchase) -> str:
    if purchase.supplier is None:
        return NOT_INCLUSIVE
    if purchase.supplier.kind in INCLUSIVE_KINDS:
        return purchase.supplier.kind.label
    return "Autres structures de l'ESS (hors inclusif)"


def _inclusive_only(key):
    """Inclusive purchases by `key`; every other purchase under one label."""
    return lambda purchase: key(purchase) if purchase.inclusive else NOT_INCLUSIVE


def _main_sector(supplier: Supplier) -> str:
    return supplier.activities[0].sector.name if supplier.activities else "Secteur non renseigné"


def _breakdown(purchases: list[Purchase], key) -> list[Breakdown]:
    rows: dict[str, Breakdown] = {}
    for purchase in purchases:
        label = key(purchase)
        row = rows.setdefault(label, Breakdown(label))
        row.total_cents += purchase.amount_cents
        if purchase.inclusive:
            row.inclusive_cents += purchase.amount_cents
    return sorted(rows.values(), key=lambda row: (row.label == NOT_INCLUSIVE, -row.total_cents, row.label))


def _awards(organisation: BuyerOrganisation, year: int) -> list[tuple[Offer, str]]:
    return list(db.session.execute(select(Offer, Need.title).join(Need, Need.id == Offer.need_id).where(
        Need.organisation_id == organisation.id, Offer.status == OfferStatus.AWARDED,
        extract("year", Offer.decided_at) == year)).all())


def year_report(organisation: BuyerOrganisation, year: int, with_previous: bool = True) -> YearReport:
    lines = list(db.session.scalars(select(PurchaseLine).where(
        PurchaseLine.organisation_id == organisation.id, PurchaseLine.year == year)))
    purchases = [Purchase(line.amount_cents, line.supplier, line.category or UNCATEGORISED) for line in lines]
    in_ledger = defaultdict(list)
    for line in lines:
        if line.supplier_id:
            in_ledger[line.supplier_id].append(line.amount_cents)
    hours = 0
    for offer, title in _awards(organisation, year):
        hours += offer.insertion_hours or 0
        same = next((amount for amount in in_ledger[offer.supplier_id]
                     if abs(amount - offer.amount_cents) <= SAME_AMOUNT_CENTS), None)
        if same is not None:
            in_ledger[offer.supplier_id].remove(same)  # that line was this award
            continue
        purchases.append(Purchase(offer.amount_cents, offer.supplier, f"Plateforme : {title}", from_platform=True))
    report = YearReport(organisation, year, purchases, hours)
    report.by = {
        "kind": _breakdown(purchases, _kind),
        "region": _breakdown(purchases, _inclusive_only(lambda p: names.region(p.supplier.region_code)
                                                        if p.supplier.region_code else "Région inconnue")),
        "department": _breakdown(purchases, _inclusive_only(
            lambda p: names.department(p.supplier.department_code) if p.supplier.department_code
            else "Département inconnu")),
        "sector": _breakdown(purchases, _inclusive_only(lambda p: _main_sector(p.supplier))),
        "category": _breakdown(purchases, lambda p: p.category),
    }
    if with_previous:
        previous = year_report(organisation, year - 1, with_previous=False)
        report.previous = previous if previous.purchases else None
    return report


BREAKDOWN_TITLES = {"kind": "Par type de structure", "region": "Par région du fournisseur",
                    "department": "Par département du fournisseur", "sector": "Par secteur",
                    "category": "Par catégorie d'achat"}


def report_rows(report: YearReport) -> list[list]:
    """The report as rows for CSV and XLSX: headline figures, then each breakdown."""
    share = report.share
    rows: list[list] = [
        [f"Rapport d'achats inclusifs {report.year} — {report.organisation.name}"],
        ["Indicateur", "Valeur"],
        ["Achats de l'année HT (€)", report.total_cents / 100],
        ["Achats inclusifs HT (€)", report.inclusive_cents / 100],
        ["Part inclusive (%)", round(share, 2) if share is not None else "—"],
        ["Dont attribué par la plateforme HT (€)", report.platform_cents / 100],
        ["Structures inclusives sollicitées", report.suppliers_used],
        ["Heures d'insertion déclarées dans les offres retenues", report.insertion_hours],
    ]
    if report.previous is not None:
        rows.append([f"Achats inclusifs {report.year - 1} HT (€)", report.previous.inclusive_cents / 100])
        rows.append(["Évolution de la part (points)", round(report.change_points, 2)
                     if report.change_points is not None else "—"])
    for key, title in BREAKDOWN_TITLES.items():
        rows += [[], [title, "Achats HT (€)", "Dont inclusifs HT (€)", "Part inclusive (%)"]]
        rows += [[row.label, row.total_cents / 100, row.inclusive_cents / 100,
                  round(row.share, 2) if row.share is not None else "—"] for row in report.by[key]]
    return rows
