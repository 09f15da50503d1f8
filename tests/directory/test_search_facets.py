"""Words and place together: the index matches the departments an activity reaches."""

from tests.directory.test_search import CLEANING_06, found


def test_words_with_a_department_or_region_find_suppliers_reaching_it(client, make_supplier):
    make_supplier(name="Propreté Azur", description="Nettoyage de bureaux", activities=[CLEANING_06])
    make_supplier(name="Propreté Nationale", description="Nettoyage industriel",
                  activities=[{"sector": "nettoyage", "range": "france"}])
    make_supplier(name="Propreté Lyonnaise", description="Nettoyage de vitres", postcode="69003", city="Lyon",
                  activities=[{"sector": "nettoyage", "range": "radius", "radius": 20}])
    assert set(found(client, q="nettoyage", department="06")) == {"Propreté Azur", "Propreté Nationale"}
    assert set(found(client, q="nettoyage", region="84")) == {"Propreté Lyonnaise", "Propreté Nationale"}
    assert set(found(client, q="nettoyage", department="69", sector="nettoyage")) == {
        "Propreté Lyonnaise", "Propreté Nationale"}
    assert found(client, q="vitres", department="06") == []
    # A word that happens to be a facet token matches nothing by accident.
    assert found(client, q="d06") == []
