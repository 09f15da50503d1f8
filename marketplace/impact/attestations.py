"""The EA and ESAT side of OETH: the contracts they declare for a client and a year,
and each client's yearly attestation (PDF) with the amount it may take off its
contribution (oeth.py gives the rule)."""

from sqlalchemy import select
from stdnum.fr import siret as siret_number

from marketplace import french
from marketplace.accounts.models import User
from marketplace.errors import Conflict, DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.impact.models import ContractDeclaration
from marketplace.impact.oeth import ARTICLES, deduction_cents
from marketplace.pdf import Document
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.services import ensure_can_edit
from marketplace.suppliers.taxonomy import DISABILITY_KINDS
from marketplace.timeutil import utcnow


def ensure_can_attest(supplier: Supplier, actor: User) -> None:
    ensure_can_edit(supplier, actor)
    if supplier.kind not in DISABILITY_KINDS:
        raise NotAllowed("Seules les entreprises adaptées et les ESAT délivrent des attestations OETH.")


def declare(supplier: Supplier, data: dict, actor: User) -> ContractDeclaration:
    """A contract for a client and a year: its price before VAT and the costs excluded."""
    ensure_can_attest(supplier, actor)
    siret = "".join(ch for ch in data["client_siret"] if ch.isdigit())
    if not siret_number.is_valid(siret):
        raise DomainError("SIRET du client invalide (14 chiffres, clé de contrôle).", "client_siret")
    if data["excluded_costs_cents"] > data["price_cents"]:
        raise DomainError("Les coûts déduits dépassent le prix du contrat.", "excluded_costs_cents")
    existing = db.session.scalar(select(ContractDeclaration.id).where(
        ContractDeclaration.supplier_id == supplier.id, ContractDeclaration.year == data["year"],
        ContractDeclaration.client_siret == siret, ContractDeclaration.reference == data["reference"]))
    if existing is not None:
        raise Conflict(f"Le contrat « {data['reference']} » est déjà déclaré pour ce client en {data['year']}.")
    declaration = ContractDeclaration(supplier_id=supplier.id, year=data["year"], client_siret=siret,
                                      client_name=data["client_name"], reference=data["reference"],
                                      price_cents=data["price_cents"],
                                      excluded_costs_cents=data["excluded_costs_cents"], created_by_id=actor.id)
    db.session.add(declaration)
    db.session.flush()
    return declaration


def declarations_of(supplier: Supplier, year: int | None = None) -> list[ContractDeclaration]:
    query = select(ContractDeclaration).where(ContractDeclaration.supplier_id == supplier.id)
    if year is not None:
        query = query.where(ContractDeclaration.year == year)
    return list(db.session.scalars(query.order_by(ContractDeclaration.year.desc(), ContractDeclaration.client_name,
                                                  ContractDeclaration.reference)))


def attestation_pdf(supplier: Supplier, client_siret: str, year: int) -> bytes:
    """A client's yearly attestation: each contract, its labour cost and the amount the
    client may take off its OETH contribution, with the articles it rests on."""
    contracts = [d for d in declarations_of(supplier, year) if d.client_siret == client_siret]
    if not contracts:
        raise DomainError("Aucun contrat déclaré pour ce client cette année.")
    total = sum(deduction_cents(d.price_cents, d.excluded_costs_cents) for d in contracts)
    pdf = Document()
    pdf.set_title(f"Attestation OETH {year} — {contracts[0].client_name}")
    pdf.add_page()
    pdf.set_font(pdf.family_name, "B", 15)
    pdf.paragraph(8, f"Attestation {year} au titre de l'obligation d'emploi des travailleurs handicapés")
    pdf.set_font(pdf.family_name, "", 10)
    pdf.paragraph(6, f"{supplier.kind.label} : {supplier.name}, SIRET {supplier.siret}, "
                     f"{supplier.postcode or ''} {supplier.city or ''}".strip())
    pdf.paragraph(6, f"Client : {contracts[0].client_name}, SIRET {client_siret}")
    pdf.ln(3)
    for d in contracts:
        labour = max(d.price_cents - d.excluded_costs_cents, 0)
        pdf.paragraph(6, f"Contrat {d.reference} : prix HT {french.money(d.price_cents)}, coûts déduits "
                         f"{french.money(d.excluded_costs_cents)}, coût de la main-d'œuvre {french.money(labour)}, "
                         f"montant déductible {french.money(deduction_cents(d.price_cents, d.excluded_costs_cents))}")
    pdf.ln(3)
    pdf.set_font(pdf.family_name, "B", 12)
    pdf.paragraph(7, f"Montant déductible de la contribution {year} : {french.money(total)}")
    pdf.set_font(pdf.family_name, "", 9)
    pdf.paragraph(5, "30 % du prix hors taxes des fournitures, travaux ou prestations, déduction faite des coûts "
                     "des matières premières, produits, matériaux, de la sous-traitance, des consommations "
                     "intermédiaires et des frais de vente et de commercialisation ; la déduction totale ne peut "
                     f"dépasser 50 % de la contribution (75 % si le taux d'emploi direct atteint 3 %). {ARTICLES}.")
    pdf.paragraph(5, f"Établie le {french.day(utcnow().date())} sur la plateforme, d'après les contrats déclarés "
                     f"par {supplier.name}.")
    return bytes(pdf.output())
