"""The outbox: mails stored with the change, delivered over SMTP, kept when SMTP is down."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.outbox.models import OutboxMessage, OutboxStatus
from marketplace.outbox.services import queue_email
from tests.conftest import free_port, start_smtp

SIGNUP = {
    "first_name": "Nadia", "last_name": "Benali", "email": "nadia@example.org",
    "password": "un-mot-de-passe-solide", "password_confirm": "un-mot-de-passe-solide",
    "role": "supplier", "accept_terms": "1",
}


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        for message in messages:
            db.session.expunge(message)
        return messages


def test_mail_waits_in_the_outbox_while_smtp_is_down_and_is_delivered_once_after(make_app):
    port = free_port()  # nothing listens here yet
    app = make_app(MAIL_PORT=port)
    client = app.test_client()

    response = client.post("/inscription", data=dict(SIGNUP))
    assert response.status_code == 200  # the sign-up itself succeeds
    [queued] = outbox(app)
    assert queued.status == OutboxStatus.PENDING
    assert queued.attempts == 1 and "Connection refused" in queued.last_error

    server = start_smtp(port)
    try:
        result = app.test_cli_runner().invoke(args=["mail", "send-pending"])
        assert "1 sent, 0 failed, 0 still queued." in result.output
        again = app.test_cli_runner().invoke(args=["mail", "send-pending"])
        assert "0 sent" in again.output
        [delivered] = server.handler.messages
        assert delivered["To"] == "nadia@example.org"
        assert delivered["Subject"] == "Confirmez votre adresse e-mail"
    finally:
        server.stop()
    [sent] = outbox(app)
    assert sent.status == OutboxStatus.SENT and sent.sent_at is not None


def test_a_mail_exists_only_if_its_change_is_committed(app, mailbox):
    with app.test_request_context():
        queue_email("someone@example.org", "account_deactivated", "test", user={"first_name": "Léa"})
        db.session.rollback()
    assert outbox(app) == []


def test_messages_due_later_wait_for_their_retry_time_unless_forced(app, mailbox):
    from datetime import timedelta

    from marketplace.outbox.services import deliver_pending
    from marketplace.timeutil import utcnow

    with app.test_request_context():
        message = queue_email("someone@example.org", "account_deactivated", "test", user={"first_name": "Léa"})
        message.next_attempt_at = utcnow() + timedelta(minutes=5)
        db.session.commit()
        assert deliver_pending() == {"sent": 0, "failed": 0}
        assert deliver_pending(ignore_backoff=True) == {"sent": 1, "failed": 0}
    assert len(mailbox.wait_for(1)) == 1


def test_a_message_claimed_by_another_worker_is_not_sent_twice(app, mailbox):
    from datetime import timedelta

    from marketplace.outbox.services import deliver_pending
    from marketplace.timeutil import utcnow

    with app.test_request_context():
        message = queue_email("someone@example.org", "account_deactivated", "test", user={"first_name": "Léa"})
        message.status = OutboxStatus.SENDING
        message.claimed_until = utcnow() + timedelta(minutes=5)
        db.session.commit()
        assert deliver_pending(ignore_backoff=True) == {"sent": 0, "failed": 0}
        # A worker that died leaves its claim behind; once it expires the mail goes out.
        message.claimed_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert deliver_pending(ignore_backoff=True) == {"sent": 1, "failed": 0}
    assert len(mailbox.wait_for(1)) == 1
