"""Visibility boosts: bought for 30 days, stacked in time; a boosted supplier comes first,
marked as featured, only in the directory results it matches, and is told first about
the needs it matches."""

from datetime import timedelta

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.payments import services
from marketplace.payments.models import Boost, Order
from marketplace.timeutil import utcnow
from tests.payments.conftest import card, wait_for

CLEANING = [{"sector": "nettoyage", "range": "france"}]
GARDENS = [{"sector": "espaces-verts", "range": "france"}]


def buy(app, client, supplier_id) -> int:
    response = client.post(f"/structures/{supplier_id}/mise-en-avant")
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def fulfil(app, order_id):
    with app.app_context():
        services.fulfil(db.session.get(Order, order_id))
        db.session.commit()


def test_a_boost_is_paid_lasts_30_days_and_stacks_in_time(app, client, login, make_user, make_supplier, webhooks_to):
    user = make_user(role="supplier")
    supplier = make_supplier(name="Propreté Azur", member_id=user, activities=CLEANING)
    login(client, user)
    page = client.get(f"/structures/{supplier}").get_data(as_text=True)
    assert "Mettre ma structure en avant" in page and "49\u00a0€ HT" in page
    first = buy(app, client, supplier)
    with app.app_context():
        order = db.session.get(Order, first)
        assert (order.total_excl_cents, order.total_incl_cents, order.supplier_id) == (4900, 5880, supplier)
    client.post(f"/paiements/commandes/{first}/payer", json={"card": card(app)})
    wait_for(app, first, "paid")
    fulfil(app, buy(app, client, supplier))  # a second boost, bought at once
    with app.app_context():
        boosts = list(db.session.scalars(select(Boost).where(Boost.supplier_id == supplier).order_by(Boost.id)))
        assert [b.ends_at - b.starts_at for b in boosts] == [timedelta(days=30)] * 2
        assert boosts[1].starts_at == boosts[0].ends_at
        assert abs(boosts[0].starts_at - utcnow()) < timedelta(minutes=1)
    assert "À la une" in client.get(f"/structures/{supplier}").get_data(as_text=True)


def test_only_the_supplier_s_members_buy_its_boost(app, client, login, make_user, make_supplier):
    supplier = make_supplier(name="Propreté Azur", activities=CLEANING)
    login(client, make_user(role="supplier"))
    assert client.post(f"/structures/{supplier}/mise-en-avant").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Order.id)) is None


def test_a_boosted_supplier_comes_first_only_in_results_it_matches(app, client, login, make_user, make_supplier):
    ids = {name: make_supplier(name=name, activities=activities, description="Structure du réseau")
           for name, activities in (("Alpha Nettoyage", CLEANING), ("Bêta Nettoyage", CLEANING),
                                    ("Zêta Jardins", GARDENS))}
    user = make_user(role="supplier")
    with app.app_context():
        from marketplace.accounts.models import User
        from marketplace.suppliers.models import Supplier, SupplierMember

        for name in ("Bêta Nettoyage", "Zêta Jardins"):
            db.session.add(SupplierMember(supplier_id=ids[name], user_id=user, status="active"))
        db.session.commit()
        actor = db.session.get(User, user)
        for name in ("Bêta Nettoyage", "Zêta Jardins"):
            from marketplace.payments.boosts import buy_boost

            order = buy_boost(db.session.get(Supplier, ids[name]), actor)
            services.fulfil(order)
        db.session.commit()

    def search(**query):
        data = client.get("/annuaire/recherche.json", query_string=query).get_json()
        return [(item["name"], item["featured"]) for item in data["items"]]

    cleaning = search(sector="nettoyage", sort="completion")
    assert cleaning[0] == ("Bêta Nettoyage", True)
    assert ("Alpha Nettoyage", False) in cleaning
    assert all(name != "Zêta Jardins" for name, _ in cleaning)  # boosted, but it does not clean
    assert search(sector="espaces-verts")[0] == ("Zêta Jardins", True)
    page = client.get("/annuaire", query_string={"sector": "nettoyage"}).get_data(as_text=True)
    assert page.index("Bêta Nettoyage") < page.index("Alpha Nettoyage") and "À la une" in page


def test_a_boosted_supplier_is_told_first_about_a_matching_need(app, buyer, make_supplier, make_user):
    from tests.needs.conftest import need_data

    plain = make_supplier(name="Alpha Nettoyage", activities=CLEANING, email="alpha@example.org")
    user = make_user(role="supplier")
    boosted = make_supplier(name="Bêta Nettoyage", activities=CLEANING, email="beta@example.org", member_id=user)
    with app.app_context():
        from marketplace.accounts.models import User
        from marketplace.needs import services as needs
        from marketplace.needs.models import NeedSupplier
        from marketplace.payments.boosts import buy_boost
        from marketplace.suppliers.models import Supplier

        services.fulfil(buy_boost(db.session.get(Supplier, boosted), db.session.get(User, user)))
        app.config.update(NEEDS_MODERATION=False, NEED_BATCH_SIZE=1)
        need = needs.create_need(need_data(), db.session.get(User, buyer))
        needs.submit_need(need, db.session.get(User, buyer))
        db.session.commit()
        told = list(db.session.scalars(select(NeedSupplier.supplier_id).where(NeedSupplier.told_at.is_not(None))))
        assert told == [boosted]
        assert plain != boosted
