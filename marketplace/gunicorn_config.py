"""gunicorn settings of the production profile (`gunicorn -c python:marketplace.gunicorn_config`)."""


def child_exit(server, worker):
    """Drop an exited worker's live metrics (prometheus-client multiprocess mode)."""
    from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

    GunicornInternalPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)


def post_fork(server, worker):
    """Each worker its own CPU group, as each PostgreSQL backend has (see cpu_priority)."""
    from marketplace.cpu_priority import own_group

    own_group()
