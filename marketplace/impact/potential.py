"""The inclusive potential of a buyer's purchases: for each purchase category where the
year's spend went to suppliers that are not inclusive, the inclusive suppliers of the
directory that could take it on near the buyer and that it does not use yet. The
category is read by the directory's vocabulary (« Nettoyage des locaux » -> the
cleaning sector); the suppliers are found by the same matching as needs
(needs.matching), for a need of that sector in the buyer's department."""

from dataclasses import dataclass

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.geography.services import commune_for
from marketplace.impact.report import YearReport
from marketplace.needs.matching import matching_suppliers
from marketplace.needs.models import Need, NeedArea
from marketplace.suppliers.taxonomy import Sector
from marketplace.suppliers.vocabulary import understand


@dataclass
class Potential:
    category: str
    spend_cents: int  # this year, with suppliers that are not inclusive
    sectors: list[Sector]
    suppliers: int  # inclusive suppliers within reach not used yet
    department: str | None


def inclusive_potential(report: YearReport) -> list[Potential]:
    organisation = report.organisation
    commune = commune_for(organisation.postcode, organisation.city)
    department = commune.department_code if commune else None
    used = {p.supplier.id for p in report.purchases if p.inclusive}
    spend: dict[str, int] = {}
    for purchase in report.purchases:
        if not purchase.inclusive and purchase.amount_cents > 0 and not purchase.from_platform:
            spend[purchase.category] = spend.get(purchase.category, 0) + purchase.amount_cents
    sectors_by_slug = {sector.slug: sector for sector in db.session.scalars(select(Sector))}
    found = []
    for category, cents in sorted(spend.items(), key=lambda item: -item[1]):
        sectors = [sectors_by_slug[slug] for slug in understand(category).sectors if slug in sectors_by_slug]
        if not sectors:
            found.append(Potential(category, cents, [], 0, department))
            continue
        need = Need(title=category, area=NeedArea.ZONES if department else NeedArea.FRANCE,
                    department_codes=department or "", region_codes="", service_kinds=0, wanted_kinds="")
        need.sectors, need.lots = sectors, []
        matched = {supplier_id for supplier_id, _rank in matching_suppliers(need)}
        found.append(Potential(category, cents, sectors, len(matched - used), department))
    return found
