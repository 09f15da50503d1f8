"""Demo inclusive suppliers at national scale: placed in real communes (weighted by
population), with 1 to 3 activities each, labels, networks, headcounts and references.

Rows are bulk-inserted batch by batch, with their derived data (activity reach and
search documents) computed here rather than one supplier at a time by the services.
"""

import random
from types import SimpleNamespace

import click
from sqlalchemy import insert, select

from marketplace.demo.common import batches, demo_siret
from marketplace.extensions import db
from marketplace.french import of
from marketplace.geography.models import Commune, Department
from marketplace.suppliers import search_index
from marketplace.suppliers.changes import record_created
from marketplace.suppliers.models import (
    FRANCE_WIDE,
    ActivityReach,
    ActivityZone,
    GeoRange,
    Supplier,
    SupplierActivity,
    SupplierLabel,
    SupplierNetwork,
    SupplierReference,
    ZoneType,
)
from marketplace.suppliers.reach import departments_within, matching_copy, search_texts_of
from marketplace.suppliers.taxonomy import DISABILITY_KINDS, LABELS, NETWORKS, Sector, ServiceKind, SupplierKind
from marketplace.timeutil import utcnow

STAFF_BY_KIND = {SupplierKind.ESAT: (10, 40), SupplierKind.EA: (5, 60), SupplierKind.AI: (2, 8),
                 SupplierKind.ACI: (3, 12), SupplierKind.GEIQ: (2, 6), SupplierKind.ETTI: (3, 15)}
KIND_WEIGHTS = {
    SupplierKind.EI: 24, SupplierKind.ACI: 24, SupplierKind.AI: 11, SupplierKind.ETTI: 8, SupplierKind.GEIQ: 3,
    SupplierKind.EITI: 2, SupplierKind.EA: 12, SupplierKind.ESAT: 13, SupplierKind.EATT: 1, SupplierKind.ESS: 2,
}
# Sectors where each kind mostly works (slugs); the others are drawn from the whole taxonomy.
FAVOURITE_SECTORS = {
    SupplierKind.ETTI: ["interim-insertion", "mise-a-disposition"],
    SupplierKind.EATT: ["interim-insertion", "mise-a-disposition"],
    SupplierKind.AI: ["mise-a-disposition", "nettoyage", "espaces-verts"],
    SupplierKind.GEIQ: ["mise-a-disposition", "gros-oeuvre", "second-oeuvre"],
    SupplierKind.ESAT: ["conditionnement", "espaces-verts", "blanchisserie", "restauration", "assemblage"],
    SupplierKind.EA: ["conditionnement", "saisie-donnees", "numerisation", "nettoyage", "cablage"],
    SupplierKind.ACI: ["espaces-verts", "dechets-textiles", "second-oeuvre", "deconstruction", "restauration"],
}
# Names built the way real structures are named: a word and the town (Envie Nantes,
# Tremplin Grasse), a place with its article contracted (Les Ateliers du Mesnil-le-Roi,
# Ressourcerie d'Aubagne), an ESAT after a flower or a tree (ESAT Les Iris).
NAME_PATTERNS = {
    "default": ["{word} {city}", "Les Ateliers {of_city}", "{word} Solidaire {city}", "Atelier {surname}",
                "Envie {city}", "{word} {surname}"],
    SupplierKind.ACI: ["Les Jardins {of_city}", "Ressourcerie {of_city}", "Chantier {word} {city}",
                       "Recyclerie {of_city}"],
    SupplierKind.ESAT: ["ESAT {flower}", "ESAT {of_city}", "ESAT {flower} {city}"],
    SupplierKind.EA: ["{word} Services {city}", "Entreprise adaptée {of_city}", "Atelier {surname} {city}"],
    SupplierKind.ETTI: ["{word} Intérim {city}", "Intérim Solidaire {of_city}"],
    SupplierKind.EATT: ["{word} Intérim Adapté {city}"],
    SupplierKind.GEIQ: ["GEIQ BTP {city}", "GEIQ Propreté {city}"],
}
WORDS = ["Trait d'Union", "Passerelle", "Tremplin", "Horizon", "Élan", "Relais", "Actif", "Solid'R", "Alliance",
         "Avenir", "Bâtisseurs", "Vert Demain", "Atout", "Ressources", "Archipel", "Boussole"]
FLOWERS = ["Les Iris", "Les Tilleuls", "Les Glycines", "Les Peupliers", "Les Lilas", "Les Hortensias",
           "Le Colombier", "Les Oliviers", "La Roseraie", "Les Châtaigniers"]
SURNAMES = ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
            "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard"]
CLIENTS = ["Mairie", "Conseil départemental", "Centre hospitalier", "Groupe Hexagone", "Bailleur social",
           "Université", "Métropole", "Clinique", "Lycée professionnel", "Coopérative agricole"]
PURPOSES = [
    "Nous intervenons pour les entreprises et les collectivités avec des délais courts.",
    "Qualité de service, proximité et engagement social sont au cœur de notre projet.",
]
INSERTION_PURPOSES = [
    "Nous accompagnons des personnes éloignées de l'emploi vers un métier durable.",
    "Notre équipe encadre et forme des salariés en parcours d'insertion.",
]
DISABILITY_PURPOSES = [
    "Structure employant majoritairement des travailleurs en situation de handicap.",
    "Nos équipes de travailleurs handicapés sont accompagnées par des moniteurs d'atelier.",
]


class SupplierFactory:
    def __init__(self):
        communes = list(db.session.execute(select(
            Commune.insee_code, Commune.name, Commune.postcodes, Commune.department_code, Commune.region_code,
            Commune.latitude, Commune.longitude, Commune.population)))
        self.communes = communes
        cumulative, total = [], 0
        for commune in communes:
            total += max(commune.population, 1)
            cumulative.append(total)
        self.cumulative = cumulative
        self.sectors = {s.slug: s for s in db.session.scalars(select(Sector))}
        self.region_departments: dict[str, list[str]] = {}
        for code, region in db.session.execute(select(Department.code, Department.region_code)):
            self.region_departments.setdefault(region, []).append(code)

    def supplier(self, index: int) -> dict:
        rng = random.Random(f"supplier-{index}")
        kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        commune = rng.choices(self.communes, cum_weights=self.cumulative)[0]
        patterns = NAME_PATTERNS.get(kind, NAME_PATTERNS["default"])
        name = rng.choice(patterns).format(word=rng.choice(WORDS), city=commune.name, of_city=of(commune.name),
                                           surname=rng.choice(SURNAMES), flower=rng.choice(FLOWERS))
        favourites = FAVOURITE_SECTORS.get(kind)
        slugs = list(self.sectors)
        activities = []
        for _ in range(rng.choices([1, 2, 3], weights=[35, 45, 20])[0]):
            slug = rng.choice(favourites) if favourites and rng.random() < 0.7 else rng.choice(slugs)
            roll = rng.random()
            if roll < 0.55:
                geo = {"geo_range": GeoRange.RADIUS, "radius_km": rng.choice([10, 20, 30, 50, 80]), "zones": []}
            elif roll < 0.95:
                zone = (ZoneType.DEPARTMENT, commune.department_code) if rng.random() < 0.7 \
                    else (ZoneType.REGION, commune.region_code)
                geo = {"geo_range": GeoRange.ZONES, "radius_km": None, "zones": [zone]}
            else:
                geo = {"geo_range": GeoRange.FRANCE, "radius_km": None, "zones": []}
            services = rng.choice([ServiceKind.SERVICE, ServiceKind.SERVICE | ServiceKind.GOODS, ServiceKind.GOODS,
                                   ServiceKind.STAFF, ServiceKind.WORKS, ServiceKind.SERVICE | ServiceKind.STAFF])
            activities.append({"sector": self.sectors[slug], "service_kinds": int(services), **geo})
        sector_names = ", ".join(sorted({a["sector"].name.lower() for a in activities}))
        purposes = DISABILITY_PURPOSES if kind in DISABILITY_KINDS else INSERTION_PURPOSES
        # Figures of the kind of structure: an ESAT or EA employs many, an AI few; the
        # turnover follows the headcount (35 to 60 k€ a year per person employed).
        permanent = rng.randint(*STAFF_BY_KIND.get(kind, (2, 25)))
        insertion = rng.randint(permanent, permanent * 3) if kind not in DISABILITY_KINDS else rng.randint(
            permanent * 2, permanent * 5)
        return {
            "row": {
                "name": name, "brand": None, "siret": (siret := demo_siret(index, series=5)), "siren": siret[:9],
                "kind": kind, "legal_form": rng.choice(["Association", "SAS", "SARL", "SCOP", "SCIC"]),
                "description": f"{rng.choice(purposes + PURPOSES)} Activités : {sector_names}.",
                "address": f"{rng.randint(1, 200)} rue {rng.choice(SURNAMES)}", "postcode": commune.postcodes[:5],
                "city": commune.name, "commune_code": commune.insee_code, "department_code": commune.department_code,
                "region_code": commune.region_code, "latitude": commune.latitude, "longitude": commune.longitude,
                "email": f"contact@s{index}.demo.marche-inclusif.fr" if rng.random() < 0.93 else None,
                "phone": f"0{rng.randint(1, 9)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                         f"{rng.randint(10, 99)}" if rng.random() < 0.8 else None,
                "website": f"https://s{index}.demo.marche-inclusif.fr" if rng.random() < 0.5 else None,
                "permanent_staff": permanent, "insertion_staff": insertion,
                "turnover_cents": (permanent + insertion) * rng.randint(35, 60) * 100_000, "is_listed": True,
                "completion": 0, "created_at": utcnow(), "updated_at": utcnow(),
            },
            "commune": commune,
            "activities": activities,
            "labels": rng.sample(list(LABELS), k=rng.choice([0, 0, 1, 2])),
            "networks": rng.sample(list(NETWORKS), k=rng.choice([0, 1, 1, 2])),
            "references": [{"client": f"{rng.choice(CLIENTS)} {of(rng.choice(self.communes[:2000]).name)}",
                            "description": "Prestation " + of(rng.choice(activities)['sector'].name.lower()),
                            "year": rng.randint(2019, 2026)} for _ in range(rng.choice([0, 1, 2]))],
        }

    def reach(self, activity: dict, commune) -> tuple[str, ...]:
        if activity["geo_range"] == GeoRange.FRANCE:
            return (FRANCE_WIDE,)
        if activity["geo_range"] == GeoRange.RADIUS:
            return tuple(sorted({commune.department_code} | departments_within(
                commune.latitude, commune.longitude, activity["radius_km"])))
        zone_type, code = activity["zones"][0]
        return (code,) if zone_type == ZoneType.DEPARTMENT else tuple(self.region_departments[code])


def _completion(spec: dict) -> int:
    row = spec["row"]
    score = 20 + 25 + 10 + 5  # description, activities, place, headcount: always there
    score += 15 if row["email"] else 0
    score += 5 if row["phone"] else 0
    score += 5 if row["website"] else 0
    score += 10 if spec["references"] else 0
    score += 5 if spec["labels"] or spec["networks"] else 0
    return score


def load_suppliers(count: int) -> int:
    """Create the first `count` demo suppliers that don't exist yet."""
    if count <= 0:
        return 0
    factory = SupplierFactory()
    created = 0
    with click.progressbar(length=count, label="Structures inclusives") as bar:
        for batch in batches(count):
            specs = [factory.supplier(i) for i in batch]
            existing = set(db.session.scalars(select(Supplier.siret).where(
                Supplier.siret.in_([s["row"]["siret"] for s in specs]))))
            specs = [s for s in specs if s["row"]["siret"] not in existing]
            if specs:
                _insert(factory, specs)
                created += len(specs)
            db.session.commit()
            bar.update(len(batch))
    return created


def _insert(factory: SupplierFactory, specs: list[dict]) -> None:
    for spec in specs:
        spec["row"]["completion"] = _completion(spec)
    ids = list(db.session.scalars(
        insert(Supplier).returning(Supplier.id, sort_by_parameter_order=True), [s["row"] for s in specs]))
    record_created(ids)
    activity_rows, activity_specs = [], []
    for supplier_id, spec in zip(ids, specs, strict=True):
        spec["copy"] = matching_copy(SimpleNamespace(**spec["row"]))
        for activity in spec["activities"]:
            activity_rows.append({"supplier_id": supplier_id, "sector_id": activity["sector"].id,
                                  "service_kinds": activity["service_kinds"], "geo_range": activity["geo_range"],
                                  "radius_km": activity["radius_km"], **spec["copy"]})
            activity_specs.append((supplier_id, spec, activity))
    activity_ids = list(db.session.scalars(
        insert(SupplierActivity).returning(SupplierActivity.id, sort_by_parameter_order=True), activity_rows))
    zones, reach, reached = [], [], {}
    for activity_id, (supplier_id, spec, activity) in zip(activity_ids, activity_specs, strict=True):
        zones += [{"activity_id": activity_id, "zone_type": t, "code": c} for t, c in activity["zones"]]
        reach += [{"activity_id": activity_id, "department_code": code, "supplier_id": supplier_id,
                   "whole_department": activity["geo_range"] != GeoRange.RADIUS,  # no commune zones here
                   "sector_id": activity["sector"].id, "service_kinds": activity["service_kinds"],
                   "geo_range": activity["geo_range"], "radius_km": activity["radius_km"],
                   **spec["copy"]}
                  for code in factory.reach(activity, spec["commune"])]
        reached.setdefault(supplier_id, set()).update(factory.reach(activity, spec["commune"]))
    if zones:
        db.session.execute(insert(ActivityZone), zones)
    db.session.execute(insert(ActivityReach), reach)
    labels = [{"supplier_id": i, "label": label} for i, s in zip(ids, specs, strict=True) for label in s["labels"]]
    networks = [{"supplier_id": i, "network": n} for i, s in zip(ids, specs, strict=True) for n in s["networks"]]
    references = [{"supplier_id": i, **r} for i, s in zip(ids, specs, strict=True) for r in s["references"]]
    for model, rows in ((SupplierLabel, labels), (SupplierNetwork, networks), (SupplierReference, references)):
        if rows:
            db.session.execute(insert(model), rows)
    documents = []
    for supplier_id, spec in zip(ids, specs, strict=True):
        row = spec["row"]
        name_text, body_text = search_texts_of(
            row["name"], row["brand"], row["description"], row["city"], row["legal_form"],
            [a["sector"].name for a in spec["activities"]],
            [(r["client"], r["description"]) for r in spec["references"]], spec["labels"], spec["networks"])
        documents.append({"supplier_id": supplier_id, "completion": row["completion"], "name_text": name_text,
                          "body_text": body_text, "facets": " ".join(
                              sorted(search_index.department_token(c) for c in reached.get(supplier_id, ())))})
    search_index.write_documents(documents)
