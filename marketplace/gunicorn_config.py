"""gunicorn settings of the production profile (`gunicorn -c python:marketplace.gunicorn_config`)."""


def child_exit(server, worker):
    """Drop an exited worker's live metrics (prometheus-client multiprocess mode)."""
    from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

    GunicornInternalPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)
