"""SMTP goes down and comes back while the agendas of a 200-participant fair are being
delivered: every participant gets their agenda once, none twice, none lost."""

import threading
import time
from collections import Counter

from sqlalchemy import func, select

from events.fairs.models import Fair
from events.meetings import programme, runs
from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.outbox.models import OutboxMessage, OutboxStatus
from marketplace.outbox.services import deliver_pending
from tests.conftest import free_port, start_smtp

PARTICIPANTS = 200


def published_fair(app) -> int:
    from bench.load.big_fair import create_big_fair

    with app.app_context():
        organiser = User(email="orga@grand-salon.fr", first_name="Orga", last_name="Nisatrice", role=Role.ORGANISER)
        organiser.set_password("x" * 12)
        db.session.add(organiser)
        db.session.flush()
        fair_id = create_big_fair(organiser, PARTICIPANTS, requests_each=4, tables=60)
        fair = db.session.get(Fair, fair_id)
        run = runs.start_run(fair, organiser)
        db.session.commit()
        runs.execute_run(run.id)
        told = programme.publish_programme(db.session.get(Fair, fair_id), db.session.get(User, organiser.id))
        db.session.commit()
        assert told == PARTICIPANTS
        return fair_id


def test_smtp_down_and_back_during_the_agendas_delivers_each_once(make_app, capsys):
    port = free_port()
    server = start_smtp(port)
    app = make_app(MAIL_PORT=port, OUTBOX_BATCH_SIZE=10, MAIL_TIMEOUT_SECONDS=2, FAIR_SCHEDULER_SECONDS=3)
    published_fair(app)
    attempts = Counter()
    done = threading.Event()

    def worker():  # the job worker's delivery loop, while the server goes away and back
        with app.app_context():
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                counts = deliver_pending(ignore_backoff=True)
                attempts.update(counts)
                if not db.session.scalar(select(func.count(OutboxMessage.id)).where(
                        OutboxMessage.status != OutboxStatus.SENT)):
                    break
                time.sleep(0.05)
            db.session.remove()
        done.set()

    delivering = threading.Thread(target=worker)
    delivering.start()
    while len(server.handler.messages) < 40:  # some agendas are out
        time.sleep(0.01)
    first = server.handler
    server.stop()  # SMTP down mid-publication
    time.sleep(1.0)
    server = start_smtp(port)  # and back
    delivering.join(timeout=120)
    server.stop()
    assert done.is_set()

    received = Counter(message["To"] for message in [*first.messages, *server.handler.messages])
    agendas = {address: count for address, count in received.items() if address.startswith("p")}
    with capsys.disabled():
        print(f"\nSMTP down and back during {PARTICIPANTS} agendas: {attempts['sent']} sent, "
              f"{attempts['failed']} attempts refused while down, {len(agendas)} participants reached, "
              f"{sum(1 for count in agendas.values() if count > 1)} twice")
    assert attempts["failed"] > 0  # the outage was real
    assert len(agendas) == PARTICIPANTS and set(agendas.values()) == {1}
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.status != OutboxStatus.SENT)) == 0
