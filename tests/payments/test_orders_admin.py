"""Orders and receipts are their owner's; admins see every payment, refund and export
them, and edit the catalogue."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.payments.models import OrderStatus, Product, ProductCode
from tests.payments.conftest import card, order_of, wait_for


def test_nobody_sees_another_s_order_or_receipt(app, client, paid_fair, login, make_user, webhooks_to):
    client.post(f"/paiements/commandes/{paid_fair['order']}/payer", json={"card": card(app)})
    wait_for(app, paid_fair["order"], "paid")
    mine = client.get("/paiements/commandes").get_data(as_text=True)
    assert "Inscription au salon SO EKO 2027" in mine and "(PDF)" in mine
    other = app.test_client()
    login(other, make_user(role="supplier", email="autre@example.org"))
    for path in ("", "/facture.pdf", "/statut"):
        assert other.get(f"/paiements/commandes/{paid_fair['order']}{path}").status_code == 404
    assert other.post(f"/paiements/commandes/{paid_fair['order']}/payer", json={"card": card(app)}).status_code == 404
    assert "SO EKO" not in other.get("/paiements/commandes").get_data(as_text=True)
    assert other.get("/admin/paiements").status_code == 403


def test_admins_list_export_and_refund_payments(app, client, paid_fair, login, make_user, webhooks_to):
    client.post(f"/paiements/commandes/{paid_fair['order']}/payer", json={"card": card(app)})
    paid = wait_for(app, paid_fair["order"], "paid")
    admin = app.test_client()
    login(admin, make_user(role="admin", email="admin@example.org"))
    page = admin.get("/admin/paiements?statut=paid").get_data(as_text=True)
    assert "Les Jardins de Provence" in page and paid.invoice_number in page
    csv = admin.get("/admin/paiements?format=csv").get_data(as_text=True)
    assert f"{paid.invoice_number};" in csv and ";60,00;12,00;72,00;0,00;Payée;" in csv
    bad = admin.post(f"/admin/paiements/{paid.id}/rembourser", data={"amount": "-3"}, follow_redirects=True)
    assert bad.status_code == 200 and order_of(app, paid.id).refunded_cents == 0
    admin.post(f"/admin/paiements/{paid.id}/rembourser", data={"amount": "10,50"})
    assert order_of(app, paid.id).refunded_cents == 1050
    admin.post(f"/admin/paiements/{paid.id}/rembourser", data={"amount": ""})
    refunded = order_of(app, paid.id)
    assert refunded.status == OrderStatus.REFUNDED and refunded.refunded_cents == 7200


def test_admins_edit_prices_and_vat_and_bad_input_changes_nothing(app, login, make_user):
    admin = app.test_client()
    login(admin, make_user(role="admin", email="admin@example.org"))
    with app.app_context():
        boost = db.session.scalar(select(Product).where(Product.code == ProductCode.BOOST))
        boost_id, before = boost.id, (boost.name, boost.amount_cents, boost.vat_rate)
    try:
        response = admin.post("/admin/catalogue", data={"product_id": boost_id, "name": "Mise en avant 30 jours",
                                                        "amount": "39", "vat_rate": "20"})
        assert response.status_code == 302
        bad = admin.post("/admin/catalogue", data={"product_id": boost_id, "name": "", "amount": "-1",
                                                   "vat_rate": "abc"})
        assert bad.status_code == 422
        with app.app_context():
            boost = db.session.get(Product, boost_id)
            assert (boost.name, boost.amount_cents, boost.vat_rate) == ("Mise en avant 30 jours", 3900, 2000)
    finally:
        with app.app_context():
            boost = db.session.get(Product, boost_id)
            boost.name, boost.amount_cents, boost.vat_rate = before
            db.session.commit()
