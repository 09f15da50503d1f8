"""Buyers' words for sectors: synonyms and phrases, plurals and accents, small typos,
and the words that name no sector left for the full-text search."""

import pytest

from marketplace.suppliers.vocabulary import understand
from tests.conftest import visible_text


@pytest.mark.parametrize("query, sectors, rest", [
    ("nettoyage", ("nettoyage",), ""),
    ("Ménage", ("nettoyage",), ""),
    ("entretien des locaux", ("nettoyage",), ""),
    ("ESPACES VERTS", ("espaces-verts",), ""),
    ("paysagistes", ("espaces-verts",), ""),
    ("tonte", ("espaces-verts",), ""),
    ("traiteur bio", ("restauration",), "bio"),
    ("plateaux-repas", ("restauration",), ""),
    ("déchets", ("dechets-electroniques", "dechets-papier", "dechets-textiles"), ""),
    ("atelier solidaire", (), "atelier solidaire"),
    ("entretien", (), "entretien"),  # cleaning or green spaces: left to the words
])
def test_words_name_sectors(query, sectors, rest):
    understood = understand(query)
    assert understood.sectors == sectors and understood.rest == rest


def test_small_typos_are_read_as_sector_words_and_short_words_never():
    assert understand("netoyage").corrected == (("netoyage", "nettoyage"),)
    assert understand("trateur").sectors == ("restauration",)
    assert understand("restauraton").sectors == ("restauration",)
    assert understand("tonde").sectors == ("espaces-verts",)  # five letters: one letter off is read
    assert understand("tondeuses").sectors == ()  # not a typo of any sector word
    assert understand("bio").sectors == () and understand("13100").sectors == ()


def test_the_page_says_what_it_understood_and_which_activity_answered(client, make_supplier):
    make_supplier(name="Provence Services Solidaires", postcode="13100", city="Aix-en-Provence",
                  activities=[{"sector": "nettoyage", "range": "radius", "radius": 30}])
    make_supplier(name="Atelier du Nettoyage Phocéen", postcode="13003", city="Marseille",
                  activities=[{"sector": "conditionnement", "range": "zones", "zones": ["department:13"]}])
    page = visible_text(client.get("/annuaire", query_string={"q": "netoyage", "department": "13"}))
    assert "Recherche par activité : Nettoyage et propreté des locaux · « netoyage » lu « nettoyage »" in page
    assert ("Répond à votre recherche : Nettoyage et propreté des locaux — dans un rayon de 30 km autour "
            "d'Aix-en-Provence") in page
    assert "Trouvée par son nom ou sa description" in page
    assert page.index("Provence Services Solidaires") < page.index("Atelier du Nettoyage Phocéen")
    body = client.get("/annuaire/recherche.json", query_string={"q": "netoyage", "department": "13"}).get_json()
    assert body["understood"] == {"sectors": ["nettoyage"], "other_words": None, "read_as": {"netoyage": "nettoyage"}}
    assert [item["words_only"] for item in body["items"]] == [False, True]


def test_a_typo_in_a_name_finds_it_on_both_databases(client, make_supplier):
    make_supplier(name="Les Ateliers Cocagne", description="Maraîchage biologique.")
    make_supplier(name="Envie Provence", description="Électroménager reconditionné.")
    for typo in ("cocagme", "Atelliers Cocagne", "maraichag"):
        body = client.get("/annuaire/recherche.json", query_string={"q": typo}).get_json()
        assert [item["name"] for item in body["items"]] == ["Les Ateliers Cocagne"], typo
        assert body["matched_by"] == "similar" or typo == "maraichag"
    assert client.get("/annuaire/recherche.json", query_string={"q": "zzyzx"}).get_json()["items"] == []
