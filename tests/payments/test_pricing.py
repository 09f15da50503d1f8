"""The public price list, generated from the catalogue, consistent with the plan page."""

from sqlalchemy import select

from marketplace import french
from marketplace.extensions import db
from marketplace.payments.models import Product, ProductCode


def test_pricing_lists_the_catalogue_with_vat_and_all_taxes_included(app, client):
    with app.app_context():
        plan = db.session.scalar(select(Product).where(Product.code == ProductCode.PLAN_MONTHLY))
        name, excl, rate = plan.name, plan.amount_cents, plan.vat_rate
    page = client.get("/tarifs").get_data(as_text=True)
    incl = excl + (excl * rate + 5000) // 10000
    assert name in page
    assert f"{french.money(excl)} HT par mois" in page and f"{french.percent(rate)} %" in page
    assert f"{french.money(incl)} TTC" in page
    assert "Gratuit" in page  # the directory, needs and answers stay free


def test_a_price_changed_in_the_catalogue_shows_on_the_pricing_page(app, client, login, make_user):
    admin = make_user(role="admin", email="admin-tarifs@example.org")
    login(client, admin)
    with app.app_context():
        boost = db.session.scalar(select(Product).where(Product.code == ProductCode.BOOST))
        boost_id, before = boost.id, (boost.name, boost.amount_cents, boost.vat_rate)
    try:
        client.post("/admin/catalogue", data={"product_id": boost_id, "name": "Mise en avant 30 jours",
                                              "amount": "45", "vat_rate": "5,5"})
        page = client.get("/tarifs").get_data(as_text=True)
        assert "Mise en avant 30 jours" in page and "5,5 %" in page and f"{french.money(4748)} TTC" in page
    finally:
        with app.app_context():
            boost = db.session.get(Product, boost_id)
            boost.name, boost.amount_cents, boost.vat_rate = before
            db.session.commit()
