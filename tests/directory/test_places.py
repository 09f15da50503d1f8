"""Places as people type them: a five-digit entry in the commune field is a postcode,
the page says which commune it understood and offers the others of that postcode, an
INSEE code has its own parameter, and unknown filters are refused with their field."""

from tests.conftest import visible_text
from tests.directory.test_search import found

NEAR = {"sector": "nettoyage", "range": "radius", "radius": 15}


def test_a_postcode_is_read_as_a_postcode_not_an_insee_code(client, make_supplier):
    make_supplier(name="Propreté du Pays d'Aix", postcode="13100", city="Aix-en-Provence", activities=[NEAR])
    make_supplier(name="Les Alpilles Propres", postcode="13210", city="Saint-Rémy-de-Provence", activities=[NEAR])
    make_supplier(name="Massilia Nettoyage", postcode="13001", city="Marseille", activities=[NEAR])
    # 13100 is Aix-en-Provence's postcode, and Saint-Rémy-de-Provence's INSEE code.
    assert found(client, commune="13100", within_km=5) == ["Propreté du Pays d'Aix"]
    assert found(client, commune="13001", within_km=5) == ["Massilia Nettoyage"]
    # The INSEE code keeps its own parameter (the API's and the page's choice of commune).
    assert found(client, insee="13100", within_km=5) == ["Les Alpilles Propres"]
    assert found(client, commune="Saint-Rémy-de-Provence", within_km=5) == ["Les Alpilles Propres"]


def test_the_page_says_which_commune_it_understood_and_offers_the_others(client, make_supplier):
    make_supplier(name="Propreté du Pays d'Aix", postcode="13100", city="Aix-en-Provence", activities=[NEAR])
    page = client.get("/annuaire", query_string={"commune": "13100", "within_km": 10})
    text = visible_text(page)
    assert "Autour d'Aix-en-Provence (13100)" in text
    assert "Le 13100 dessert aussi : Le Tholonet, Saint-Marc-Jaumegarde, Beaurecueil" in text
    chosen = client.get("/annuaire", query_string={"commune": "13100", "insee": "13109"})
    assert "Commune comprise : Le Tholonet (13100)" in visible_text(chosen)
    # Typing another commune afterwards wins over the earlier choice.
    moved = client.get("/annuaire", query_string={"commune": "Grasse", "insee": "13109"})
    assert "Commune comprise : Grasse (06130)" in visible_text(moved)


def test_corsica_and_insee_codes_typed_in_the_field(client, make_supplier):
    make_supplier(name="Ajaccio Services", postcode="20000", city="Ajaccio", activities=[NEAR])
    assert found(client, commune="2A004", within_km=5) == ["Ajaccio Services"]
    assert found(client, commune="20000", within_km=5) == ["Ajaccio Services"]


def test_unknown_filters_are_refused_with_their_field(client, make_supplier):
    make_supplier(name="Propreté du Pays d'Aix", activities=[NEAR])
    for params, field in (({"sector": "plomberie-spatiale"}, "sector"), ({"group": "inconnu"}, "group"),
                          ({"department": "99"}, "department"), ({"region": "00"}, "region"),
                          ({"insee": "abc"}, "insee")):
        response = client.get("/annuaire/recherche.json", query_string=params)
        assert response.status_code == 422 and field in response.get_json()["errors"], params
    page = client.get("/annuaire", query_string={"sector": "plomberie-spatiale"})
    assert page.status_code == 422
    assert "Secteur (Secteur inconnu : plomberie-spatiale.)" in visible_text(page)
    assert 'id="sector-error">Secteur inconnu : plomberie-spatiale.</div>' in page.get_data(as_text=True)
    assert found(client, sector="nettoyage") == ["Propreté du Pays d'Aix"]
