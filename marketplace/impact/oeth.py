"""OETH: what purchases from the disability sector let a buyer deduct from its
contribution to the disabled workers' employment obligation (obligation d'emploi des
travailleurs handicapés, 6 % of staff).

The rule (Code du travail):
- article L5212-10-1: an employer may take off its contribution an amount drawn from
  its supply, subcontracting or service contracts with entreprises adaptées (EA),
  ESAT and independent disabled workers (TIH);
- article D5212-22: that amount is 30 % of the price before VAT of the supplies, works
  or services of the contract, less the costs of raw materials, products, materials,
  subcontracting, intermediate consumption and sales and marketing costs (the labour
  cost);
- article D5212-23: the amount taken off cannot exceed 50 % of the contribution due
  before deductions, or 75 % when the employer's direct employment rate of disabled
  workers is at least 3 %.
(Texts as rewritten by décret n° 2019-523 of 27 May 2019, for contributions from 2020
on. This machine cannot reach Légifrance: read them there before relying on a figure.)

Each EA or ESAT produces its clients' yearly attestation, from the contracts it
declares (price and excluded costs); the buyer's report shows, supplier by supplier,
the amount attested, or, without an attestation yet, the most the purchases could
give (30 % of their price, before the excluded costs are known).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.impact.models import ContractDeclaration, OethInputs
from marketplace.impact.report import YearReport
from marketplace.organisations.models import BuyerOrganisation
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.taxonomy import DISABILITY_KINDS

LABOUR_SHARE = Decimal("0.30")  # D5212-22
CAP = 50  # percent of the gross contribution, D5212-23
HIGHER_CAP = 75  # ... when the direct employment rate is at least:
HIGHER_CAP_FROM_RATE = 300  # basis points: 3 %
ARTICLES = "Code du travail, articles L5212-10-1, D5212-22 et D5212-23"


def deduction_cents(price_cents: int, excluded_cents: int) -> int:
    """30 % of the price before VAT less the excluded costs (never below zero)."""
    labour = max(price_cents - excluded_cents, 0)
    return int((Decimal(labour) * LABOUR_SHARE).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def cap(gross_contribution_cents: int, direct_rate: int | None) -> tuple[int, int]:
    """(the most that can be taken off, its percentage of the gross contribution)."""
    rate = HIGHER_CAP if direct_rate is not None and direct_rate >= HIGHER_CAP_FROM_RATE else CAP
    return gross_contribution_cents * rate // 100, rate


@dataclass
class SupplierLine:
    supplier: Supplier
    purchased_cents: int  # what the report holds for that supplier this year
    declarations: list[ContractDeclaration] = field(default_factory=list)

    @property
    def attested(self) -> bool:
        return bool(self.declarations)

    @property
    def deduction_cents(self) -> int:
        """What the attestation gives, or, without one, the most the purchases could give."""
        if self.declarations:
            return sum(deduction_cents(d.price_cents, d.excluded_costs_cents) for d in self.declarations)
        return deduction_cents(self.purchased_cents, 0)


@dataclass
class OethEstimate:
    year: int
    lines: list[SupplierLine]
    inputs: OethInputs | None

    @property
    def attested_cents(self) -> int:
        return sum(line.deduction_cents for line in self.lines if line.attested)

    @property
    def at_most_cents(self) -> int:
        return sum(line.deduction_cents for line in self.lines)

    @property
    def cap(self) -> tuple[int, int] | None:
        if self.inputs is None or self.inputs.gross_contribution_cents is None:
            return None
        return cap(self.inputs.gross_contribution_cents, self.inputs.direct_rate)

    @property
    def deductible_cents(self) -> int | None:
        """What can be taken off the contribution from the attestations in, within the cap."""
        limit = self.cap
        return None if limit is None else min(self.attested_cents, limit[0])


def inputs_of(organisation: BuyerOrganisation, year: int) -> OethInputs | None:
    return db.session.get(OethInputs, (organisation.id, year))


def set_inputs(organisation: BuyerOrganisation, year: int, gross_contribution_cents: int | None,
               direct_rate: int | None) -> OethInputs:
    inputs = inputs_of(organisation, year) or OethInputs(organisation_id=organisation.id, year=year)
    inputs.gross_contribution_cents, inputs.direct_rate = gross_contribution_cents, direct_rate
    db.session.add(inputs)
    db.session.flush()
    return inputs


def estimate(report: YearReport) -> OethEstimate:
    """The year's OETH estimate from the report's purchases from EA, EATT and ESAT, and
    the attestations their suppliers produced for this buyer."""
    purchased: dict[int, int] = defaultdict(int)
    suppliers: dict[int, Supplier] = {}
    for purchase in report.purchases:
        if purchase.supplier is not None and purchase.supplier.kind in DISABILITY_KINDS:
            purchased[purchase.supplier.id] += purchase.amount_cents
            suppliers[purchase.supplier.id] = purchase.supplier
    declared = declarations_for(report.organisation.siret, report.year)
    for declaration in declared:
        suppliers.setdefault(declaration.supplier_id, declaration.supplier)
    lines = {sid: SupplierLine(supplier, purchased.get(sid, 0)) for sid, supplier in suppliers.items()}
    for declaration in declared:
        lines[declaration.supplier_id].declarations.append(declaration)
    ordered = sorted(lines.values(), key=lambda line: (-line.deduction_cents, line.supplier.name))
    return OethEstimate(report.year, ordered, inputs_of(report.organisation, report.year))


def declarations_for(client_siret: str, year: int, supplier_id: int | None = None) -> list[ContractDeclaration]:
    query = select(ContractDeclaration).where(ContractDeclaration.client_siret == client_siret,
                                              ContractDeclaration.year == year)
    if supplier_id is not None:
        query = query.where(ContractDeclaration.supplier_id == supplier_id)
    return list(db.session.scalars(query.order_by(ContractDeclaration.reference)))
