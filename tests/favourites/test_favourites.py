"""Favourite lists: named, private or shared within the buyer's organisation, never beyond."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.favourites.models import FavouriteList


def list_id(app, name):
    with app.app_context():
        return db.session.scalar(select(FavouriteList.id).where(FavouriteList.name == name))


def test_a_buyer_builds_a_list_and_shares_it_with_colleagues_only(
        app, make_user, login, make_organisation, make_supplier):
    claire, julien, outsider = make_user(), make_user(), make_user()
    organisation_id = make_organisation(claire)
    make_organisation(outsider, name="CHU de Nice")
    with app.app_context():
        from marketplace.accounts.models import User
        from marketplace.organisations.models import Membership, MembershipStatus

        db.session.add(Membership(organisation_id=organisation_id, user_id=julien, status=MembershipStatus.ACTIVE))
        db.session.commit()
        assert db.session.get(User, julien)
    supplier_id = make_supplier(name="Propre et Net")
    clients = {}
    for who, user_id in (("claire", claire), ("julien", julien), ("outsider", outsider)):
        clients[who] = app.test_client()
        login(clients[who], user_id)

    clients["claire"].post("/favoris", data={"name": "Nettoyage PACA"})
    private_id = list_id(app, "Nettoyage PACA")
    page = clients["claire"].get(f"/annuaire/structures/{supplier_id}").get_data(as_text=True)
    assert "Ajouter à «\xa0Nettoyage PACA\xa0»" in page  # guillemets held to their words
    clients["claire"].post(f"/favoris/{private_id}/structures", data={"supplier_id": supplier_id})
    assert "Propre et Net" in clients["claire"].get(f"/favoris/{private_id}").get_data(as_text=True)
    again = clients["claire"].post(f"/favoris/{private_id}/structures", data={"supplier_id": supplier_id})
    assert again.status_code == 409

    # Private: colleagues don't see it; once shared, they do and can fill it, but not rename it.
    assert clients["julien"].get(f"/favoris/{private_id}").status_code == 404
    clients["claire"].post(f"/favoris/{private_id}/modifier", data={"name": "Nettoyage PACA", "shared": "1"})
    assert clients["julien"].get(f"/favoris/{private_id}", headers={"Accept": "application/json"}).get_json()[
        "suppliers"] == [{"id": supplier_id, "name": "Propre et Net"}]
    assert clients["julien"].post(f"/favoris/{private_id}/modifier", data={"name": "Renommée"}).status_code == 403
    assert clients["julien"].post(f"/favoris/{private_id}/supprimer").status_code == 403

    # Another organisation never sees it, shared or not.
    assert clients["outsider"].get(f"/favoris/{private_id}").status_code == 404
    assert clients["outsider"].post(f"/favoris/{private_id}/structures",
                                    data={"supplier_id": supplier_id}).status_code == 404
    assert "Nettoyage PACA" not in clients["outsider"].get("/favoris").get_data(as_text=True)


def test_lists_need_an_organisation_a_name_and_respect_the_limit(make_app, make_user, login, make_organisation):
    app = make_app(FAVOURITE_LISTS_LIMIT=2)
    client = app.test_client()
    lonely = make_user()
    login(client, lonely)
    assert client.post("/favoris", data={"name": "Sans organisation"}).status_code == 403
    make_organisation(lonely)
    assert client.post("/favoris", data={"name": " "}).status_code == 422
    assert client.post("/favoris", data={"name": "Une"}).status_code == 302
    assert client.post("/favoris", data={"name": "Deux"}).status_code == 302
    refused = client.post("/favoris", json={"name": "Trois"})
    assert refused.status_code == 422 and "limite de 2 listes" in refused.get_json()["errors"]["name"][0]
