"""Queue emails in the outbox and deliver them over SMTP, with retries.

`queue_email` adds the message to the current transaction: it exists if and only if
the change that caused it is committed. `deliver_pending` sends what is due; a
message is claimed atomically before sending, so two workers never send it twice,
and a failure leaves it pending with a growing delay before the next attempt.
"""

import logging
import smtplib
import socket
from collections.abc import Callable
from datetime import timedelta

from flask import current_app, has_request_context, render_template, url_for
from flask_mail import Message
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, or_, select, update

from marketplace.extensions import db, mail
from marketplace.outbox.models import OutboxMessage, OutboxStatus
from marketplace.timeutil import utcnow

log = logging.getLogger(__name__)

CLAIM_DURATION = timedelta(minutes=10)
MAX_RETRY_DELAY = timedelta(hours=1)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email, inside or outside a request."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for(endpoint, _external=True, **values)


def _email_parts(template: str, text: str, html: str) -> dict:
    """The subject is the first line of the text template, after "Subject: "."""
    first_line, _, body = text.partition("\n")
    if not first_line.startswith("Subject: "):
        raise ValueError(f"email/{template}.txt must start with a 'Subject: ' line")
    return {"subject": first_line.removeprefix("Subject: ").strip(), "text_body": body.lstrip("\n"),
            "html_body": html}


def render_email(template: str, **context) -> dict:
    """Render `email/<template>.txt` and `.html`."""
    return _email_parts(template, render_template(f"email/{template}.txt", **context),
                        render_template(f"email/{template}.html", **context))


def mass_renderer(template: str) -> Callable[..., dict]:
    """`render_email` for mass mailings (the weekly digest): the templates are looked up
    once and rendered with their context alone, without Flask's per-render work
    (context processors, signals), so their templates may use only what they are given."""
    environment = current_app.jinja_env
    text, html = (environment.get_template(f"email/{template}.{kind}") for kind in ("txt", "html"))
    return lambda **context: _email_parts(template, text.render(**context), html.render(**context))


def queue_email(to: str, template: str, category: str, calendar_part: str | None = None,
                **context) -> OutboxMessage:
    """Render the mail and store it for delivery, in the current transaction; a
    `calendar_part` (iCalendar text) travels with it as an invitation or a cancellation."""
    message = OutboxMessage(recipient=to, category=category, calendar=calendar_part,
                            **render_email(template, **context))
    db.session.add(message)
    db.session.flush()
    return message


def queue_rendered(messages: list[dict]) -> int:
    """Store many rendered mails at once ({recipient, category, subject, text_body,
    html_body}), for mass mailings such as the weekly digest."""
    if not messages:
        return 0
    now = utcnow()
    rows = [{**message, "status": OutboxStatus.PENDING, "attempts": 0, "created_at": now, "next_attempt_at": now}
            for message in messages]
    for start in range(0, len(rows), 2000):
        db.session.execute(OutboxMessage.__table__.insert(), rows[start:start + 2000])
    db.session.info["outbox_pending"] = True
    return len(rows)


# The session remembers that it committed new outbox messages, so that the request
# can hand them to a delivery job once its transaction is over.
@event.listens_for(FlaskSession, "after_flush")
def _note_outbox(session, _context):
    if any(isinstance(obj, OutboxMessage) for obj in session.new):
        session.info["outbox_pending"] = True


@event.listens_for(FlaskSession, "after_commit")
def _outbox_committed(session):
    if session.info.pop("outbox_pending", False):
        session.info["outbox_committed"] = True


@event.listens_for(FlaskSession, "after_rollback")
def _outbox_rolled_back(session):
    session.info.pop("outbox_pending", None)


def take_committed_flag(session) -> bool:
    """True (once) if the session committed new outbox messages since the last call."""
    return session.info.pop("outbox_committed", False)


def _due_ids(limit: int, ignore_backoff: bool) -> list[int]:
    now = utcnow()
    due = or_(
        OutboxMessage.status == OutboxStatus.PENDING,
        (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_until < now),
    )
    query = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    if not ignore_backoff:
        query = query.where(OutboxMessage.next_attempt_at <= now)
    return list(db.session.scalars(query))


def _claim(message_id: int) -> bool:
    """Atomically take a message for sending; False if another worker has it."""
    now = utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .where(
            or_(
                OutboxMessage.status == OutboxStatus.PENDING,
                (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_until < now),
            )
        )
        .values(status=OutboxStatus.SENDING, claimed_until=now + CLAIM_DURATION)
    )
    db.session.commit()
    return result.rowcount == 1


def _release_with_error(message: OutboxMessage, error: Exception) -> None:
    message.attempts += 1
    message.status = OutboxStatus.PENDING
    message.claimed_until = None
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    delay = min(timedelta(minutes=2 ** min(message.attempts - 1, 10)), MAX_RETRY_DELAY)
    message.next_attempt_at = utcnow() + delay
    db.session.commit()


def _mark_sent(message: OutboxMessage) -> None:
    message.attempts += 1
    message.status = OutboxStatus.SENT
    message.claimed_until = None
    message.last_error = None
    message.sent_at = utcnow()
    db.session.commit()


def _as_mail(message: OutboxMessage) -> Message:
    mail_message = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.text_body,
        html=message.html_body,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers={"X-Outbox-Id": str(message.id)},
    )
    if message.calendar:
        method = "CANCEL" if "METHOD:CANCEL" in message.calendar else "REQUEST"
        mail_message.attach("rendez-vous.ics", f"text/calendar; method={method}; charset=utf-8",
                            message.calendar.encode())
    return mail_message


def deliver_pending(limit: int | None = None, ignore_backoff: bool = False) -> dict[str, int]:
    """Send the messages that are due. Returns counts of sent and failed messages.

    Commits as it goes (one claim and one outcome per message); call it outside a
    request's own unit of work.
    """
    limit = limit or current_app.config["OUTBOX_BATCH_SIZE"]
    ids = _due_ids(limit, ignore_backoff)
    counts = {"sent": 0, "failed": 0}
    if not ids:
        return counts
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "console":
        for message_id in ids:
            if _claim(message_id):
                message = db.session.get(OutboxMessage, message_id)
                log.info("Email to %s: %s\n%s", message.recipient, message.subject, message.text_body)
                _mark_sent(message)
                counts["sent"] += 1
        return counts

    socket_timeout = current_app.config["MAIL_TIMEOUT_SECONDS"]
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(socket_timeout)
    try:
        connection = mail.connect().__enter__()
    except (OSError, smtplib.SMTPException) as error:
        # The server is unreachable: every due message waits for the next attempt.
        socket.setdefaulttimeout(previous_timeout)
        for message_id in ids:
            if _claim(message_id):
                _release_with_error(db.session.get(OutboxMessage, message_id), error)
                counts["failed"] += 1
        log.warning("SMTP unavailable, %d message(s) kept in the outbox: %s", counts["failed"], error)
        return counts
    try:
        for message_id in ids:
            if not _claim(message_id):
                continue
            message = db.session.get(OutboxMessage, message_id)
            try:
                connection.send(_as_mail(message))
            except (OSError, smtplib.SMTPException) as error:
                _release_with_error(message, error)
                counts["failed"] += 1
            else:
                _mark_sent(message)
                counts["sent"] += 1
    finally:
        try:
            connection.__exit__(None, None, None)
        except (OSError, smtplib.SMTPException):
            pass
        socket.setdefaulttimeout(previous_timeout)
    return counts


def outbox_backlog() -> int:
    """How many messages still wait for delivery."""
    return db.session.scalar(
        select(db.func.count()).select_from(OutboxMessage).where(OutboxMessage.status != OutboxStatus.SENT)
    )
