"""Demo buyer organisations: realistic names and places, valid SIRETs, bulk-inserted."""

import random

import click
from sqlalchemy import insert, select

from marketplace.demo.common import batches, demo_siret
from marketplace.extensions import db
from marketplace.french import of
from marketplace.organisations.models import BuyerOrganisation, OrganisationKind, SizeClass
from marketplace.timeutil import utcnow

# (city, postcode, department code)
CITIES = [
    ("Paris", "75011", "75"), ("Marseille", "13002", "13"), ("Lyon", "69003", "69"),
    ("Toulouse", "31000", "31"), ("Nice", "06000", "06"), ("Nantes", "44000", "44"),
    ("Montpellier", "34000", "34"), ("Strasbourg", "67000", "67"), ("Bordeaux", "33000", "33"),
    ("Lille", "59000", "59"), ("Rennes", "35000", "35"), ("Reims", "51100", "51"),
    ("Toulon", "83000", "83"), ("Grenoble", "38000", "38"), ("Dijon", "21000", "21"),
    ("Angers", "49000", "49"), ("Nîmes", "30000", "30"), ("Clermont-Ferrand", "63000", "63"),
    ("Aix-en-Provence", "13100", "13"), ("Brest", "29200", "29"), ("Tours", "37000", "37"),
    ("Amiens", "80000", "80"), ("Limoges", "87000", "87"), ("Perpignan", "66000", "66"),
    ("Metz", "57000", "57"), ("Besançon", "25000", "25"), ("Orléans", "45000", "45"),
    ("Rouen", "76000", "76"), ("Caen", "14000", "14"), ("Nancy", "54000", "54"),
    ("Avignon", "84000", "84"), ("Grasse", "06130", "06"), ("Pau", "64000", "64"),
    ("La Rochelle", "17000", "17"), ("Poitiers", "86000", "86"), ("Ajaccio", "20000", "2A"),
]
PUBLIC_PREFIXES = [
    "Ville", "Centre hospitalier", "Communauté d'agglomération", "Office public de l'habitat",
    "Centre communal d'action sociale", "Université",
]
PUBLIC_SECTORS = ["Collectivité territoriale", "Santé", "Logement social", "Enseignement supérieur", "Action sociale"]
SURNAMES = [
    "Durand", "Lefèvre", "Moreau", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert",
    "Fontaine", "Rousseau", "Vincent", "Muller", "Faure", "André", "Mercier", "Blanc",
    "Guérin", "Boyer", "Garnier", "Chevalier", "Legrand", "Gauthier", "Perrin", "Robin",
]
PRIVATE_SECTORS = [
    ("Industries", "Industrie manufacturière"), ("Logistique", "Transport et logistique"),
    ("Énergie", "Énergie"), ("Bâtiment", "Construction"), ("Distribution", "Commerce de détail"),
    ("Assurances", "Banque et assurance"), ("Conseil", "Services aux entreprises"),
    ("Agroalimentaire", "Agroalimentaire"), ("Hôtellerie", "Hôtellerie et restauration"),
    ("Numérique", "Informatique et télécommunications"),
]
STREETS = ["rue de la République", "avenue Jean Jaurès", "boulevard Victor Hugo", "rue Pasteur",
           "place de la Mairie", "rue du Général de Gaulle", "allée des Tilleuls", "quai de la Gare"]


def demo_organisation(index: int) -> dict:
    rng = random.Random(f"buyer-{index}")
    city, postcode, _department = rng.choice(CITIES)
    if rng.random() < 0.35:
        name = f"{rng.choice(PUBLIC_PREFIXES)} {of(city)}"
        kind, sector = OrganisationKind.PUBLIC, rng.choice(PUBLIC_SECTORS)
        size = rng.choice([SizeClass.SME, SizeClass.MID, SizeClass.LARGE])
    else:
        suffix, sector = rng.choice(PRIVATE_SECTORS)
        name = f"{rng.choice(SURNAMES)} {suffix}"
        kind, size = OrganisationKind.PRIVATE, rng.choice(list(SizeClass))
    if index >= len(CITIES):  # told apart as companies and bodies are: by their site
        name = f"{name}, site {of(city)}" if kind == OrganisationKind.PRIVATE else f"{name} — antenne n° {index}"
    siret = demo_siret(index)
    return {
        "name": name,
        "siret": siret,
        "siren": siret[:9],
        "kind": kind,
        "size_class": size,
        "sector": sector,
        "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
        "postcode": postcode,
        "city": city,
        "created_at": utcnow(),
    }


def load_buyer_organisations(size: int) -> int:
    """Create the first `size` demo organisations that don't exist yet."""
    created = 0
    with click.progressbar(length=size, label="Organisations acheteuses") as bar:
        for batch in batches(size):
            rows = [demo_organisation(i) for i in batch]
            existing = set(
                db.session.scalars(
                    select(BuyerOrganisation.siret).where(
                        BuyerOrganisation.siret.in_([r["siret"] for r in rows])
                    )
                )
            )
            new_rows = [r for r in rows if r["siret"] not in existing]
            if new_rows:
                db.session.execute(insert(BuyerOrganisation), new_rows)
                created += len(new_rows)
            db.session.commit()
            bar.update(len(batch))
    return created


