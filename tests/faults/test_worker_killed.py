"""A worker killed (kill -9) in the middle of a scheduling job: the periodic sweep runs the
job again and its effects happen once. Against PostgreSQL and a private Redis, with a
real huey consumer process."""

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
    worker = subprocess.Popen([BIN / "huey_consumer", "marketplace.jobs.heavy", "--workers", "1"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
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

        # The worker is gone: the periodic sweep notices once the run is overdue and runs it again.
        with app.app_context():
            from events.meetings.runs import resume_stale_runs

            assert resume_stale_runs(older_than_seconds=120) == 0  # not overdue yet
            stuck = db.session.get(ScheduleRun, run_id)
            stuck.started_at -= timedelta(seconds=3 * TIME_LIMIT + 1)
            db.session.commit()
            assert resume_stale_runs(older_than_seconds=0) == 1
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
