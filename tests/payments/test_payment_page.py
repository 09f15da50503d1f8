"""A supplier pays a fair ticket on the payment page, in chromium, with localstripe's
Stripe.js stand-in; the webhook confirms the registration."""

import pytest

from events.fairs.models import Participant, ParticipantStatus
from marketplace.extensions import db
from tests.browser.test_need_journey import log_in
from tests.payments.conftest import wait_for

pytestmark = pytest.mark.browser


def test_a_supplier_pays_a_fair_ticket_on_the_payment_page(app, page, paid_fair, webhooks_to, tmp_path):
    log_in(page, webhooks_to, "direction@jardins.fr")
    page.goto(f"{webhooks_to}/salons/{paid_fair['fair']}")
    page.get_by_role("link", name="Payer l'inscription").click()
    page.get_by_placeholder("number").fill("4242424242424242")
    page.get_by_placeholder("exp_month").fill("12")
    page.get_by_placeholder("exp_year").fill("31")
    page.get_by_placeholder("cvc").fill("123")
    page.get_by_placeholder("postal_code").fill("06130")
    page.get_by_role("button", name="Payer 72").click()
    page.get_by_text("Paiement confirmé").wait_for(timeout=15_000)
    page.screenshot(path=str(tmp_path / "paid.png"), full_page=True)
    wait_for(app, paid_fair["order"], "paid")
    with app.app_context():
        assert db.session.get(Participant, paid_fair["participant"]).status == ParticipantStatus.CONFIRMED
    page.get_by_role("link", name="Toutes mes commandes").click()
    page.get_by_text("Payée").wait_for()


def test_a_card_that_asks_for_3d_secure_is_confirmed_in_the_page(app, page, paid_fair, webhooks_to, tmp_path):
    """localstripe's authentication card: the charge answers requires_action, the page
    runs the bank's confirmation (confirmCardPayment), and the webhook then confirms."""
    log_in(page, webhooks_to, "direction@jardins.fr")
    page.goto(f"{webhooks_to}/paiements/commandes/{paid_fair['order']}")
    page.get_by_placeholder("number").fill("4000002500003155")
    page.get_by_placeholder("exp_month").fill("12")
    page.get_by_placeholder("exp_year").fill("31")
    page.get_by_placeholder("cvc").fill("123")
    page.get_by_placeholder("postal_code").fill("06130")
    page.get_by_role("button", name="Payer 72").click()
    # The bank's authentication (localstripe's stand-in shows its own box): the person confirms.
    page.get_by_role("button", name="Complete authentication").click(timeout=15_000)
    page.get_by_text("Paiement confirmé").wait_for(timeout=20_000)
    page.screenshot(path=str(tmp_path / "paid-3ds.png"), full_page=True)
    paid = wait_for(app, paid_fair["order"], "paid")
    assert paid.invoice_number and paid.stripe_payment_intent_id
    with app.app_context():
        assert db.session.get(Participant, paid_fair["participant"]).status == ParticipantStatus.CONFIRMED
