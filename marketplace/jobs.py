"""Background jobs on huey.

The queue is RedisHuey when REDIS_URL is set (production), SqliteHuey under
instance/ otherwise (the embedded default, no server needed). Tests switch it to
immediate mode. Each job is a thin wrapper around a service function that the CLI
and tests can call directly; the database stays the source of truth, so a periodic
sweep picks up whatever a lost or failed enqueue left behind.

Two queues: `huey` for the short jobs (mail, webhooks, deadlines, digests) and `heavy`
for the long computations (a fair's scheduling run: a minute of CPU for 3,000
participants). The Procfile starts the heavy queue's consumer at idle CPU priority
(`chrt --idle 0`), so that a scheduling run only takes the CPU that pages, offers and
mails leave: it runs longer under load instead of slowing everyone down.

Run the consumers with: huey_consumer marketplace.worker.huey, and
huey_consumer marketplace.worker.heavy (marketplace/worker.py gives them the app).
"""

import logging
import os
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab

from events.meetings import hooks as meetings_hooks

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _make_huey(name: str):
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey(name, url=redis_url)
    path = os.environ.get("HUEY_SQLITE_PATH", str(PROJECT_ROOT / "instance" / "huey.db"))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=path)


huey = _make_huey("marketplace")
heavy = _make_huey("marketplace-heavy")


@huey.on_startup()
def _share_the_cpu_as_niced():
    """A consumer's session is its CPU group: lowered as its process is (Procfile: nice)."""
    from marketplace.cpu_priority import lower_group_priority

    lower_group_priority(os.nice(0))


@heavy.on_startup()
def _take_only_idle_cpu():
    """The heavy queue's group at the lowest priority (its threads run SCHED_IDLE: Procfile)."""
    from marketplace.cpu_priority import lower_group_priority

    lower_group_priority(19)


_worker_app: Flask | None = None
_app_factory = None


def build_app_with(factory) -> None:
    """How a consumer process builds the application its jobs run in (marketplace.worker)."""
    global _app_factory
    _app_factory = factory


@contextmanager
def app_context():
    """The current application, or one built for this worker process."""
    global _worker_app
    if has_app_context():
        yield current_app
        return
    if _worker_app is None:
        if _app_factory is None:
            raise RuntimeError("No application for this job: start consumers with marketplace.worker.huey/heavy")
        _worker_app = _app_factory()
    with _worker_app.app_context():
        yield _worker_app


def enqueue(task, *args, **kwargs) -> bool:
    """Queue a job; a queue that is down is logged, never raised (the sweep catches up)."""
    try:
        task(*args, **kwargs)
    except Exception:  # noqa: BLE001 - any broker failure must not break the request
        log.exception("Could not enqueue %s; the periodic sweep will pick it up", task.name)
        return False
    return True


@huey.task(retries=3, retry_delay=30)
def deliver_outbox() -> dict:
    from marketplace.outbox.services import deliver_pending

    with app_context():
        return deliver_pending()


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> dict:
    """Every minute: retry whatever is due in the outbox."""
    from marketplace.outbox.services import deliver_pending

    with app_context():
        return deliver_pending()


@huey.periodic_task(crontab(minute="*/5"))
def run_need_deadlines() -> dict:
    """Every five minutes: close the needs whose deadline passed, tell the next batches,
    remind the suppliers who have not looked."""
    from marketplace.needs.services import run_schedule

    with app_context():
        return run_schedule()


@huey.periodic_task(crontab(minute="*/15"))
def sync_payments() -> list[str]:
    """Every 15 minutes, when payments are on: repair the orders, plans and invoices whose
    Stripe webhook was missed or refused (payments.sync)."""
    from marketplace.extensions import db
    from marketplace.payments.gateway import payments_enabled
    from marketplace.payments.sync import sync_recent

    with app_context():
        if not payments_enabled():
            return []
        repaired = sync_recent()
        db.session.commit()
        return repaired


@huey.periodic_task(crontab(day_of_week="1", hour="7", minute="0"))
def send_weekly_digest() -> int:
    """Mondays at 07:00 UTC: each supplier's digest of matching open needs."""
    from marketplace.extensions import db
    from marketplace.needs.digest import build_digests

    with app_context():
        count = build_digests()
        db.session.commit()
        deliver_outbox()
        return count


@heavy.task()
def run_fair_schedule(run_id: int) -> int:
    """Compute a fair's meeting programme; the page polls the run's progress."""
    from events.meetings.runs import execute_run

    with app_context():
        run = execute_run(run_id)
        return run.progress if run is not None else 0


@meetings_hooks.compute_run_later.answer
def compute_run_later(run_id: int) -> bool:
    return enqueue(run_fair_schedule, run_id)


@heavy.periodic_task(crontab(minute="*"))
def resume_schedule_runs() -> int:
    """Every minute: run the scheduler for runs whose job was lost."""
    from events.meetings.runs import resume_stale_runs

    with app_context():
        return resume_stale_runs()


@huey.periodic_task(crontab(minute="*"))
def send_meeting_reminders() -> int:
    """Every minute: remind both parties of the meetings about to start (each fair's delay)."""
    from events.meetings.reminders import send_reminders
    from marketplace.timeutil import utcnow

    with app_context():
        reminded = send_reminders(utcnow())
        if reminded:
            deliver_outbox()
        return reminded


@huey.periodic_task(crontab(minute="17"))
def mail_fair_suggestions() -> int:
    """Every hour: whom to meet, to the participants of fairs whose registration closes soon."""
    from events.meetings.reminders import mail_suggestions
    from marketplace.timeutil import utcnow

    with app_context():
        mailed = mail_suggestions(utcnow())
        if mailed:
            deliver_outbox()
        return mailed


@huey.periodic_task(crontab(hour="3", minute="30"))
def close_inactive_accounts() -> dict:
    """Every night: warn the accounts unused for 23 months, close those unused for 24."""
    from marketplace.privacy.inactivity import run_inactivity
    from marketplace.timeutil import utcnow

    with app_context():
        done = run_inactivity(utcnow())
        if done["warned"]:
            deliver_outbox()
        return done


@huey.periodic_task(crontab(minute="*"))
def deliver_webhooks() -> dict:
    """Every minute: the webhook deliveries that are due (new ones and retries)."""
    from marketplace.webhooks.services import deliver_due

    with app_context():
        return deliver_due()
