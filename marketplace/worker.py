"""The job consumers' entry point:

    huey_consumer marketplace.worker.huey    (mail, webhooks, deadlines, digests)
    huey_consumer marketplace.worker.heavy   (scheduler runs)

It gives the queues of marketplace.jobs the application they run in, so that jobs
never import the app (dependencies run downward: the app wires jobs, not the reverse).
"""

from marketplace import jobs
from marketplace.app import create_app, freeze_startup_heap


def _worker_app():
    app = create_app()
    freeze_startup_heap()
    return app


jobs.build_app_with(_worker_app)
huey, heavy = jobs.huey, jobs.heavy
