"""The fairs' and orders' API as participants use it: the catalogue for participants
only, meeting requests sent and received, a request made through the API, the
published agenda, and one's own orders only."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.payments.models import Order, OrderStatus, ProductCode
from tests.api.test_api import auth, new_key


def test_participants_read_the_catalogue_send_requests_and_read_their_agenda(app, client, login, small_fair,
                                                                              make_user):
    fair = small_fair["fair"]
    key = new_key(app, client, login, small_fair["buyer_nice"])
    api = app.test_client()
    assert api.get(f"/api/v1/fairs/{fair}").get_json()["id"] == fair  # public

    names, cursor = [], None
    while True:
        page = api.get(f"/api/v1/fairs/{fair}/participants", query_string={"limit": 2, **(
            {"cursor": cursor} if cursor else {})}, headers=auth(key)).get_json()
        names += [participant["name"] for participant in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert len(names) == 5 and "Structure Jardins" in names

    sent = api.post(f"/api/v1/fairs/{fair}/requests", json={"to": small_fair["p_jardins"], "priority": 1},
                    headers=auth(key))
    assert sent.status_code == 201, sent.get_data(as_text=True)
    mine = api.get(f"/api/v1/fairs/{fair}/requests", headers=auth(key)).get_json()
    assert [r["id"] for r in mine["sent"]] == [sent.get_json()["id"]]
    assert len(mine["received"]) == 1  # the atelier's, accepted
    assert api.get(f"/api/v1/fairs/{fair}/agenda", headers=auth(key)).get_json() == []  # nothing published yet

    stranger = new_key(app, app.test_client(), login, make_user(email="curieux@ailleurs.fr"))
    assert api.get(f"/api/v1/fairs/{fair}/participants", headers=auth(stranger)).status_code == 403
    assert api.get(f"/api/v1/fairs/{fair}/requests", headers=auth(stranger)).status_code == 404
    assert api.post(f"/api/v1/fairs/{fair}/requests", json={"to": small_fair["p_jardins"]},
                    headers=auth(stranger)).status_code == 404


def test_a_key_lists_its_own_orders_only(app, client, login, make_user):
    owner, other = make_user(email="achats@ville.fr"), make_user(email="achats@autre.fr")
    with app.app_context():
        for user_id, cents in ((owner, 1200), (other, 9900)):
            db.session.add(Order(user_id=user_id, product=next(iter(ProductCode)), status=OrderStatus.PAID,
                                 billing_name="Acheteur", total_excl_cents=cents - 200, vat_cents=200,
                                 total_incl_cents=cents))
        db.session.commit()
        mine = db.session.scalar(select(Order.id).where(Order.user_id == owner))
    key = new_key(app, client, login, owner)
    orders = app.test_client().get("/api/v1/orders", headers=auth(key)).get_json()
    assert [(order["id"], order["total_incl_cents"]) for order in orders["items"]] == [(mine, 1200)]
