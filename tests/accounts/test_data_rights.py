"""Each person's data rights: the export holds their records and nobody else's; after
closure their name, e-mail and phone appear nowhere in the database (every text column
searched) while invoices and concluded tenders stay readable; inactive accounts are
warned, then closed, with the clock moved; sensitive actions are in the audit log."""

import io
import json
import zipfile
from datetime import datetime, timedelta

import pytest
from sqlalchemy import String, Text, select

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.timeutil import utcnow
from tests.conftest import visible_text

JSON = {"Accept": "application/json"}
NAME, EMAIL, PHONE = "Inès Martin", "acheteuse@ville-grasse.fr", "06 12 34 56 78"


@pytest.fixture
def busy_buyer(app, buyer, make_supplier, make_user):
    """The buyer has a phone, a need whose tender was concluded with an awarded offer, a
    message signed with her name, a paid order with its invoice, and a fair contact."""
    from marketplace.messaging.models import Message
    from marketplace.needs import services as need_services
    from marketplace.needs.models import NeedStatus
    from marketplace.offers.models import Offer, OfferStatus
    from marketplace.organisations.models import BuyerOrganisation
    from marketplace.payments.models import Order, OrderStatus, ProductCode
    from tests.needs.conftest import need_data

    supplier_user = make_user(role=Role.SUPPLIER, email="contact@jardins.fr", first_name="Karim", last_name="Haddad")
    supplier_id = make_supplier(name="Les Jardins d'Azur", member_id=supplier_user, email="devis@jardins.fr")
    with app.app_context():
        user = db.session.get(User, buyer)
        user.phone = PHONE
        need = need_services.create_need(need_data(title="Entretien des parcs"), user)
        need.status = NeedStatus.AWARDED
        db.session.flush()
        db.session.add(Offer(need_id=need.id, lot_id=need.lots[0].id, supplier_id=supplier_id, amount_cents=1_200_000,
                             vat_rate=2000, lead_time_days=10, description="Équipe de quatre jardiniers.",
                             valid_until=utcnow().date() + timedelta(days=60), submitted_by_id=supplier_user,
                             status=OfferStatus.AWARDED, decided_at=utcnow()))
        db.session.add(Message(need_id=need.id, supplier_id=supplier_id, author_id=buyer, from_buyer=True,
                               body=f"Bonjour, merci pour votre offre. Bien à vous, {NAME} ({PHONE})"))
        db.session.add(Message(need_id=need.id, supplier_id=supplier_id, author_id=supplier_user, from_buyer=False,
                               body="Merci à vous, Karim Haddad"))
        organisation = db.session.scalar(select(BuyerOrganisation))
        db.session.add(Order(user_id=buyer, product=ProductCode.PLAN_YEARLY, status=OrderStatus.PAID,
                             billing_name=organisation.name, billing_address="Place du Petit Puy, 06130 Grasse",
                             billing_siret=organisation.siret, total_excl_cents=50_000, vat_cents=10_000,
                             total_incl_cents=60_000, invoice_number="F2026-000042", paid_at=utcnow()))
        db.session.commit()
        return {"buyer": buyer, "supplier_user": supplier_user, "need": need.id}


def text_values(app) -> list[str]:
    """Every text value of every table."""
    values = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if columns:
                for row in db.session.execute(select(*columns)):
                    values += [v for v in row if isinstance(v, str)]
    return values


def test_the_export_holds_the_person_s_records_and_nobody_else_s(app, client, login, busy_buyer):
    login(client, busy_buyer["buyer"])
    response = client.get("/compte/mes-donnees.zip")
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = {name.removesuffix(".json"): json.loads(archive.read(name)) for name in archive.namelist()
            if name.endswith(".json")}
    assert data["compte"]["email"] == EMAIL and data["compte"]["phone"] == PHONE
    assert [need["title"] for need in data["besoins"]] == ["Entretien des parcs"]
    assert [m["body"] for m in data["messages"]] == [f"Bonjour, merci pour votre offre. Bien à vous, {NAME} ({PHONE})"]
    assert data["commandes"][0]["invoice_number"] == "F2026-000042"
    assert data["organisations"][0]["organisation"] == "Ville de Grasse"
    whole = json.dumps(data, ensure_ascii=False)
    assert "Karim" not in whole and "contact@jardins.fr" not in whole and "Équipe de quatre" not in whole
    assert "password" not in whole and "secret" not in whole


def test_after_closure_the_person_is_nowhere_and_the_business_records_stay(app, client, login, busy_buyer,
                                                                           make_user):
    namesake = make_user(email=f"assistante.{EMAIL}")  # someone else's address holds hers: untouched
    login(client, busy_buyer["buyer"])
    refused = client.post("/compte/cloture", data={"password": "faux", "understood": "1"}, headers=JSON)
    assert refused.status_code == 422 and "password" in refused.get_json()["errors"]
    not_ticked = client.post("/compte/cloture", data={"password": "correct-horse-battery"}, headers=JSON)
    assert not_ticked.status_code == 422 and "understood" in not_ticked.get_json()["errors"]
    closed = client.post("/compte/cloture", data={"password": "correct-horse-battery", "understood": "1"},
                         headers=JSON)
    assert closed.get_json() == {"closed": True}
    values = [v for v in text_values(app) if v != f"assistante.{EMAIL}"]
    for trace in (NAME, EMAIL, PHONE):
        assert not [v for v in values if trace in v], trace
    with app.app_context():
        from marketplace.messaging.models import Message
        from marketplace.needs.models import Need
        from marketplace.offers.models import Offer, OfferStatus
        from marketplace.payments.models import Order

        order = db.session.scalar(select(Order))
        assert order.invoice_number == "F2026-000042" and order.billing_name == "Ville de Grasse"
        need = db.session.get(Need, busy_buyer["need"])
        assert need.title == "Entretien des parcs" and need.author.full_name == "Compte clôturé"
        assert db.session.scalar(select(Offer.status)) == OfferStatus.AWARDED
        bodies = db.session.scalars(select(Message.body).order_by(Message.id)).all()
        assert bodies == ["Bonjour, merci pour votre offre. Bien à vous, [données supprimées] ([données supprimées])",
                          "Merci à vous, Karim Haddad"]
        user = db.session.get(User, busy_buyer["buyer"])
        assert not user.is_active and user.closed_at is not None
        assert db.session.get(User, namesake).email == f"assistante.{EMAIL}"
    # Logged out, and the old password opens nothing.
    assert client.get("/compte/mes-donnees.zip").status_code == 302
    again = client.post("/connexion", data={"email": EMAIL, "password": "correct-horse-battery"})
    assert again.status_code == 422  # refused: the address no longer exists


def test_inactive_accounts_are_warned_then_closed_with_the_clock_moved(app, make_user, mailbox):
    from marketplace.outbox.services import deliver_pending
    from marketplace.privacy.inactivity import run_inactivity

    sleeper = make_user(email="dormeur@exemple.fr", first_name="Paul", last_name="Dormeur")
    active = make_user(email="actif@exemple.fr")
    admin = make_user(role=Role.ADMIN, email="admin@exemple.fr")
    start = datetime(2024, 1, 10, 9)
    with app.app_context():
        for user_id in (sleeper, active, admin):
            db.session.get(User, user_id).last_login_at = start
        db.session.commit()
        assert run_inactivity(start + timedelta(days=600)) == {"warned": 0, "closed": 0}
        db.session.get(User, active).last_login_at = start + timedelta(days=650)  # came back
        db.session.commit()
        assert run_inactivity(start + timedelta(days=701)) == {"warned": 1, "closed": 0}
        assert run_inactivity(start + timedelta(days=702)) == {"warned": 0, "closed": 0}  # warned once
        deliver_pending()
        (mail,) = [m for m in mailbox.wait_for(1) if m["To"] == "dormeur@exemple.fr"]
        assert "sera clôturé" in mail["Subject"]
        assert run_inactivity(start + timedelta(days=731)) == {"warned": 0, "closed": 1}
        sleeper_now = db.session.get(User, sleeper)
        assert sleeper_now.closed_at is not None and "dormeur" not in sleeper_now.email
        assert db.session.get(User, admin).closed_at is None  # administrators are left alone
        assert db.session.get(User, active).closed_at is None


def test_sensitive_actions_are_in_the_audit_log_for_admins_only(app, client, login, make_user, buyer):
    from marketplace.api.keys import create_key
    from marketplace.audit.models import AuditAction, AuditEvent

    admin = make_user(role=Role.ADMIN, email="admin@plateforme.fr", first_name="Alice", last_name="Admin")
    login(client, admin)
    client.post(f"/admin/utilisateurs/{buyer}/desactiver")
    client.post(f"/admin/utilisateurs/{buyer}/reactiver")
    client.post(f"/admin/utilisateurs/{buyer}/partenaire")
    with app.app_context():
        create_key(db.session.get(User, buyer), "ERP", ["read"])
        db.session.commit()
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == [AuditAction.ACCOUNT_DEACTIVATED, AuditAction.ACCOUNT_REACTIVATED, AuditAction.ROLE_CHANGED,
                       AuditAction.API_KEY_CREATED]
    page = visible_text(client.get("/admin/journal"))
    assert "Compte désactivé" in page and "Alice Admin" in page and "Clé d'API créée" in page
    filtered = client.get("/admin/journal?action=account_deactivated").get_data(as_text=True)
    assert "<td>Compte désactivé</td>" in filtered and "<td>Compte réactivé</td>" not in filtered
    other = app.test_client()
    login(other, buyer)
    assert other.get("/admin/journal").status_code == 403
