"""`flask demo-data`: realistic, valid, idempotent, with a login per role."""

from sqlalchemy import func, select
from stdnum.fr import siret

from marketplace.accounts.models import Role, User
from marketplace.demo import DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.organisations.models import BuyerOrganisation


def test_demo_data_is_valid_idempotent_and_has_a_login_for_each_role(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data", "--size", "40"])
    assert first.exit_code == 0, first.output
    assert "40 new buyer organisations" in first.output
    assert "acheteur@demo.marche-inclusif.fr" in first.output

    second = runner.invoke(args=["demo-data", "--size", "40"])
    assert "0 new buyer organisations" in second.output
    bigger = runner.invoke(args=["demo-data", "--size", "50"])
    assert "10 new buyer organisations" in bigger.output

    with app.app_context():
        sirets = list(db.session.scalars(select(BuyerOrganisation.siret)))
        assert len(sirets) == 50 and all(siret.is_valid(s) for s in sirets)
        roles = set(db.session.scalars(select(User.role)))
        assert roles == set(Role)
        assert db.session.scalar(select(func.count()).select_from(User)) == 5

    skipped = runner.invoke(args=["demo-data", "--if-empty"])
    assert "already has data" in skipped.output

    client = app.test_client()
    response = client.post("/connexion", data={"email": "acheteur@demo.marche-inclusif.fr", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "Demandes en attente" in client.get("/organisations/mienne", follow_redirects=True).get_data(as_text=True)
