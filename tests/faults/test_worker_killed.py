"""A worker killed (kill -9) in the middle of a scheduling job: the next consumer's own
periodic sweep runs the job again and its effects happen once. Against PostgreSQL and a
private Redis, with real huey consumer processes."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import func, select

from events.fairs.models import Fair
from events.meetings.models import Meeting, MeetingSeat, RunStatus, ScheduleRun
from marketplace.accounts.models import Role, User
from marketplace.app import create_app
from marketplace.extensions import db
from tests.conftest import TEST_DATABASE_URL, empty_database
from tests.test_production_profile import private_redis  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
PARTICIPANTS, REQUESTS_EACH, TIME_LIMIT = 1500, 12, 6

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="runs in the PostgreSQL pass, with Redis")


def big_fair(app) -> int:
    """A fair large enough for the scheduler to work several seconds."""
    from bench.load.big_fair import create_big_fair

    with app.app_context():
        organiser = User(email="orga@grand-salon.fr", first_name="Orga", last_name="Nisatrice", role=Role.ORGANISER)
        organiser.set_password("x" * 12)
        db.session.add(organiser)
        db.session.flush()
        return create_big_fair(organiser, PARTICIPANTS, REQUESTS_EACH)


def test_a_killed_worker_s_job_runs_again_and_takes_effect_once(tmp_path, private_redis):  # noqa: F811
    redis_url, _start, _stop = private_redis
    url, drop = empty_database(tmp_path)
    config = {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "MAIL_BACKEND": "console",
              "RATELIMIT_ENABLED": False, "FAIR_SCHEDULER_SECONDS": TIME_LIMIT}
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade()
    fair_id = big_fair(app)
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "FAIR_SCHEDULER_SECONDS": str(TIME_LIMIT),
           "MAIL_BACKEND": "console", "INSTANCE_PATH": str(tmp_path / "instance")}
    def start_consumer():
        return subprocess.Popen([BIN / "huey_consumer", "marketplace.worker.heavy", "--workers", "1"], env=env,
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    worker = start_consumer()
    try:
        from huey import RedisHuey

        from events.meetings.runs import start_run
        from marketplace.jobs import run_fair_schedule

        with app.app_context():
            run = start_run(db.session.get(Fair, fair_id), db.session.scalar(select(User)))
            db.session.commit()
            run_id = run.id
        remote = RedisHuey("marketplace-heavy", url=redis_url)  # the queue the consumer reads
        remote.task()(run_fair_schedule.func)(run_id)

        def status():
            with app.app_context():
                return db.session.get(ScheduleRun, run_id).status

        deadline = time.monotonic() + 60
        while status() != RunStatus.RUNNING and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)  # in the middle of the computation
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        assert status() == RunStatus.RUNNING, "the job ended before the kill: make the fair larger"

        # The worker is gone. Time passes (the run is made overdue rather than waited for),
        # a new consumer starts, and its own periodic sweep (every minute) runs the job
        # again: nothing here calls the job.
        with app.app_context():
            stuck = db.session.get(ScheduleRun, run_id)
            stuck.started_at -= timedelta(seconds=3 * TIME_LIMIT + 121)
            db.session.commit()
        worker = start_consumer()
        deadline = time.monotonic() + 100
        while status() != RunStatus.DONE and time.monotonic() < deadline:
            time.sleep(0.5)
        with app.app_context():
            run = db.session.get(ScheduleRun, run_id)
            assert run.status == RunStatus.DONE
            import json

            meetings = db.session.scalar(select(func.count(Meeting.id)).where(Meeting.fair_id == fair_id))
            assert meetings == json.loads(run.stats)["meetings"] > 0
            pairs = db.session.execute(select(Meeting.a_id, Meeting.b_id).where(Meeting.fair_id == fair_id)).all()
            assert len({frozenset(p) for p in pairs}) == len(pairs)  # no meeting twice
            assert db.session.scalar(select(func.count(MeetingSeat.id))) == 2 * meetings
            db.engine.dispose()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        drop()


def test_redis_down_during_scheduling_loses_no_run(tmp_path, private_redis):  # noqa: F811
    """Redis stops while a consumer computes a programme, and while an organiser asks for
    another: the first run completes, the second is queued in the database (the request
    does not fail), and once Redis is back the consumer's own sweep computes it."""
    from huey import RedisHuey

    from events.meetings.runs import start_run
    from marketplace.jobs import enqueue, run_fair_schedule

    redis_url, start_redis, stop_redis = private_redis
    url, drop = empty_database(tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "MAIL_BACKEND": "console",
                      "RATELIMIT_ENABLED": False, "FAIR_SCHEDULER_SECONDS": TIME_LIMIT})
    with app.app_context():
        flask_migrate.upgrade()
    fair_id = big_fair(app)
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "FAIR_SCHEDULER_SECONDS": str(TIME_LIMIT),
           "MAIL_BACKEND": "console", "INSTANCE_PATH": str(tmp_path / "instance")}
    worker = subprocess.Popen([BIN / "huey_consumer", "marketplace.worker.heavy", "--workers", "1"], env=env,
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    remote = RedisHuey("marketplace-heavy", url=redis_url)
    schedule = remote.task()(run_fair_schedule.func)

    def new_run() -> int:
        with app.app_context():
            run = start_run(db.session.get(Fair, fair_id), db.session.scalar(select(User)))
            db.session.commit()
            return run.id

    def status(run_id):
        with app.app_context():
            return db.session.get(ScheduleRun, run_id).status

    def wait_until(run_id, wanted, seconds):
        deadline = time.monotonic() + seconds
        while status(run_id) != wanted and time.monotonic() < deadline:
            time.sleep(0.2)
        return status(run_id)

    try:
        first = new_run()
        assert enqueue(schedule, first)
        assert wait_until(first, RunStatus.RUNNING, 60) == RunStatus.RUNNING
        stop_redis()  # in the middle of the computation
        assert wait_until(first, RunStatus.DONE, 60) == RunStatus.DONE  # its effect does not need Redis

        second = new_run()
        assert enqueue(schedule, second) is False  # logged, not raised: the organiser's request succeeds
        assert status(second) == RunStatus.QUEUED
        start_redis()
        with app.app_context():  # time passes: the queued run is now overdue for the sweep
            run = db.session.get(ScheduleRun, second)
            run.created_at -= timedelta(seconds=121)
            db.session.commit()
        assert wait_until(second, RunStatus.DONE, 100) == RunStatus.DONE
        with app.app_context():
            pairs = db.session.execute(select(Meeting.a_id, Meeting.b_id).where(Meeting.fair_id == fair_id)).all()
            assert pairs and len({frozenset(p) for p in pairs}) == len(pairs)
            db.engine.dispose()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        drop()
