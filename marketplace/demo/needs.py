"""Demo needs for the demo buyer: one open consultation told to matching suppliers (the
demo supplier among them), one draft quote request, and one closed call for tenders
with offers waiting for the buyer's decision."""

from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.needs import outreach, services
from marketplace.needs.models import Need, NeedArea, NeedKind, NeedStatus, NeedSupplier
from marketplace.needs.schemas import blank_need_data
from marketplace.offers.models import Offer
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.reach import refresh_reach
from marketplace.suppliers.services import suppliers_of
from marketplace.timeutil import utcnow

TOLD_AT_ONCE = 30
# What a buyer would call a need in each sector (by slug); other sectors get their name.
NEED_TITLES = {
    "nettoyage": "Entretien des locaux du siège", "espaces-verts": "Entretien des espaces verts du site",
    "restauration": "Plateaux-repas pour nos réunions", "impression": "Impression de nos supports de communication",
    "conditionnement": "Conditionnement de kits promotionnels", "assemblage": "Assemblage de petites séries",
    "blanchisserie": "Entretien du linge professionnel", "second-oeuvre": "Peinture des bureaux du deuxième étage",
    "gros-oeuvre": "Reprise de maçonnerie d'un bâtiment annexe", "dechets-papier": "Collecte des papiers de bureau",
    "dechets-electroniques": "Reprise de matériel informatique usagé", "saisie-donnees": "Saisie de dossiers",
    "numerisation": "Numérisation de nos archives", "mise-a-disposition": "Renfort de personnel pour l'été",
    "interim-insertion": "Intérimaires pour un pic d'activité", "conciergerie": "Conciergerie d'entreprise",
    "preparation-commandes": "Préparation de commandes en période de fêtes",
    "livraison-velo-cargo": "Livraisons du dernier kilomètre à vélo cargo",
    "reconditionnement-informatique": "Achat d'ordinateurs reconditionnés",
}


def _data(title: str, kind: NeedKind, sector_id: int, department: str, **extra) -> dict:
    return blank_need_data(**{
        "kind": kind, "title": title, "sector_ids": [sector_id], "area": NeedArea.ZONES, "departments": [department],
        "budget_visible": True, "deadline": utcnow() + timedelta(days=21),
        "start_date": date.today() + timedelta(days=60),
        "description": "Besoin de démonstration : décrivez ici le périmètre, le volume et le calendrier.", **extra})


def publish_quietly(need: Need, at: datetime | None = None) -> None:
    """Published (now, or `at`) with its matches stored; the best placed are marked told
    (demo data sends no mail)."""
    at = at or utcnow()
    need.status, need.submitted_at, need.published_at, need.last_batch_at = NeedStatus.PUBLISHED, at, at, at
    outreach.store_matches(need)
    best = select(NeedSupplier.id).where(NeedSupplier.need_id == need.id).order_by(
        NeedSupplier.rank, NeedSupplier.id).limit(TOLD_AT_ONCE)
    db.session.execute(update(NeedSupplier).where(NeedSupplier.id.in_(best)).values(told_at=at, batch=1))


def load_demo_needs(buyer: User, supplier_user: User) -> int:
    """Returns how many needs were created (none if the demo buyer has some already)."""
    if db.session.scalar(select(Need.id).where(Need.author_id == buyer.id).limit(1)) is not None:
        return 0
    supplier = db.session.scalar(select(Supplier).join(Supplier.activities).limit(1).where(
        Supplier.id.in_([s.id for s in suppliers_of(supplier_user)] or [-1])))
    if supplier is None or not supplier.activities or supplier.department_code is None:
        return 0
    if not supplier.email:
        supplier.email = "contact@structure-demo.fr"
        refresh_reach(supplier)  # it can be told now
    sector, department = supplier.activities[0].sector, supplier.department_code
    sector_id, title = sector.id, NEED_TITLES.get(sector.slug, sector.name)

    open_need = services.create_need(_data(
        title, NeedKind.CONSULTATION, sector_id, department,
        budget_min_cents=2_500_000, budget_max_cents=4_000_000, social_clause=True, insertion_hours=600,
        questions=["Combien de salariés en parcours d'insertion affecterez-vous à la prestation ?"]), buyer)
    publish_quietly(open_need)
    outreach.tell_directly(open_need, [supplier])

    services.create_need(_data(f"Demande de devis : {sector.name.lower()}, prestation ponctuelle", NeedKind.QUOTE,
                               sector_id, department, deadline=None), buyer)

    closed = services.create_need(_data(
        f"Marché annuel en deux lots : {sector.name.lower()}", NeedKind.TENDER, sector_id, department,
        lots=[{"title": "Sites du centre", "description": None, "budget_min_cents": None,
               "budget_max_cents": 6_000_000, "sector_ids": []},
              {"title": "Sites périphériques", "description": None, "budget_min_cents": None,
               "budget_max_cents": 3_000_000, "sector_ids": []}]), buyer)
    publish_quietly(closed)
    outreach.tell_directly(closed, [supplier])
    rivals = list(db.session.scalars(select(Supplier).join(NeedSupplier, NeedSupplier.supplier_id == Supplier.id)
                                     .where(NeedSupplier.need_id == closed.id, Supplier.id != supplier.id).limit(2)))
    for number, bidder in enumerate([supplier, *rivals]):
        for lot in closed.lots:
            db.session.add(Offer(
                need_id=closed.id, lot_id=lot.id, supplier_id=bidder.id, amount_cents=(5_200_000 - number * 150_000)
                // lot.position, vat_rate=2000, lead_time_days=15 + 5 * number, insertion_hours=400 + 150 * number,
                description="Offre de démonstration : équipe encadrée, matériel fourni, reprise du personnel.",
                valid_until=date.today() + timedelta(days=90), submitted_by_id=supplier_user.id))
        db.session.execute(update(NeedSupplier).where(NeedSupplier.need_id == closed.id,
                                                      NeedSupplier.supplier_id == bidder.id)
                           .values(told_at=utcnow(), interested_at=utcnow(), offer_submitted_at=utcnow()))
    closed.deadline = utcnow() - timedelta(days=1)
    closed.status, closed.closed_at = NeedStatus.CLOSED, utcnow()
    db.session.flush()
    return 3
