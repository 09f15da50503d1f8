"""The demo buyer's purchase ledger for last year and this one, imported the way a buyer
imports it (impact.ledger): purchases from suppliers of the directory of several kinds,
from companies it does not list, and a few without a SIRET; so that the inclusive-
purchasing report, its OETH estimate and the inclusive potential have something to show."""

import random
from datetime import date

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.demo.common import demo_siret
from marketplace.extensions import db
from marketplace.impact import ledger
from marketplace.impact.models import PurchaseLine
from marketplace.organisations.services import organisation_of
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.taxonomy import SupplierKind

OTHER_SUPPLIERS = [("Bureau Plus", "Fournitures de bureau"), ("Propreté Express", "Nettoyage des locaux"),
                   ("Transports Rapides du Sud", "Transport et logistique"),
                   ("Imprimerie Moderne", "Impression et reprographie"),
                   ("Restauration Collective Services", "Restauration collective")]
KINDS = (SupplierKind.EI, SupplierKind.ESAT, SupplierKind.EA, SupplierKind.ACI, SupplierKind.ETTI)


def load_demo_purchases(buyer: User) -> int:
    """Returns how many purchase lines were added (none if the demo buyer has a ledger)."""
    organisation = organisation_of(buyer)
    if db.session.scalar(select(PurchaseLine.id).where(PurchaseLine.organisation_id == organisation.id)
                         .limit(1)) is not None:
        return 0
    rng = random.Random(2025)
    inclusive = []
    for kind in KINDS:
        inclusive += list(db.session.scalars(select(Supplier).where(Supplier.kind == kind, Supplier.is_listed.is_(True))
                                     .order_by(Supplier.id).limit(2)))
    rows = ["Fournisseur;SIRET;Montant HT;Date;Catégorie"]
    for year, share in ((date.today().year - 1, 0.08), (date.today().year, 0.12)):
        for month in range(1, 13 if year < date.today().year else date.today().month + 1):
            for name, category in OTHER_SUPPLIERS:
                amount = rng.randint(800, 9000) * (1 - share)
                siret = demo_siret(OTHER_SUPPLIERS.index((name, category)) + 1, series=8)
                rows.append(f"{name};{siret if rng.random() > 0.2 else ''};{amount:.2f};"
                            f"{rng.randint(1, 28):02d}/{month:02d}/{year};{category}")
            for supplier in rng.sample(inclusive, min(3, len(inclusive))):
                sector = supplier.activities[0].sector.name if supplier.activities else "Prestations"
                rows.append(f"{supplier.name};{supplier.siret};{rng.randint(300, 4000):.2f};"
                            f"{rng.randint(1, 28):02d}/{month:02d}/{year};{sector}")
    upload = ledger.upload_file(organisation, "grand-livre-demo.csv", ("\n".join(rows) + "\n").encode(), buyer)
    report = ledger.run_import(upload, {"identifier": "SIRET", "name": "Fournisseur", "amount": "Montant HT",
                                        "date": "Date", "category": "Catégorie"}, buyer, dry_run=False)
    return report.count("ajoutée")

