"""With no Stripe keys, paid features are free (fair tickets, tested with fairs) or
hidden (boosts), and the webhook endpoint does not exist."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.payments.models import Order


def test_without_keys_boosts_are_hidden_and_the_webhook_is_absent(app, client, login, make_user, make_supplier):
    user = make_user(role="supplier")
    supplier = make_supplier(member_id=user)
    login(client, user)
    assert "Mettre ma structure en avant" not in client.get(f"/structures/{supplier}").get_data(as_text=True)
    response = client.post(f"/structures/{supplier}/mise-en-avant")
    assert response.status_code == 422
    assert "n'est pas proposée" in response.get_data(as_text=True)
    assert client.post("/paiements/webhook", data=b"{}", csrf=False).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Order.id)) is None


def test_without_keys_every_buyer_has_the_advanced_tools(app, client, login, buyer):
    login(client, buyer)
    assert "E-mail" in client.get("/annuaire/export.csv").get_data(as_text=True).splitlines()[0]
    assert client.get("/tableau-de-bord/rapport.csv").mimetype == "text/csv"
    assert "inclus pour toutes les organisations" in client.get("/organisations/offre").get_data(as_text=True)
