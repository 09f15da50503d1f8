"""Prometheus metrics at /metrics: request latency and counts by endpoint, the job queue
length and the outbox backlog.

Under gunicorn (PROMETHEUS_MULTIPROC_DIR set), the request metrics of every worker are
aggregated (prometheus-client's multiprocess mode); marketplace/gunicorn_config.py tells
the collector when a worker exits. The business gauges are read at scrape time. Keep
/metrics for the monitoring network: the reverse proxy should not expose it.
"""

import logging
import os

from flask import Flask
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder

log = logging.getLogger(__name__)


class PlatformCollector:
    """Gauges computed when Prometheus scrapes: what is waiting to be done."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        from marketplace.jobs import heavy, huey
        from marketplace.outbox.services import outbox_backlog

        backlog = queue = float("nan")
        try:
            with self.app.app_context():
                backlog = outbox_backlog()
        except Exception:  # noqa: BLE001 - a scrape must answer even when the database does not
            log.warning("Outbox backlog unavailable for /metrics", exc_info=True)
        try:
            queue = huey.pending_count() + heavy.pending_count()
        except Exception:  # noqa: BLE001 - nor when Redis is down
            log.warning("Job queue length unavailable for /metrics", exc_info=True)
        yield GaugeMetricFamily("marketplace_outbox_backlog", "Emails waiting for delivery", value=backlog)
        yield GaugeMetricFamily("marketplace_job_queue_length", "Background jobs waiting in the queues", value=queue)

    def describe(self):
        return []


class _WithPlatformGauges:
    """Append the scrape-time gauges to the exporter's output (which, in multiprocess
    mode, is built from a fresh registry at each scrape)."""

    platform: PlatformCollector

    def generate_metrics(self, accept_header=None, names=None):
        content, content_type = super().generate_metrics(accept_header, names)
        if names:
            return content, content_type
        extra = CollectorRegistry()
        extra.register(self.platform)
        encode, _ = choose_encoder(accept_header)
        gauges = encode(extra).decode("utf-8")
        eof = "# EOF\n"
        if content.endswith(eof):  # OpenMetrics: one terminator, at the very end
            return content[: -len(eof)] + gauges, content_type
        return content + gauges, content_type


def register_metrics(app: Flask) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics as Exporter
    else:
        from prometheus_flask_exporter import PrometheusMetrics as Exporter

    metrics_class = type("PlatformMetrics", (_WithPlatformGauges, Exporter), {})
    metrics = metrics_class(app=None, registry=CollectorRegistry(), group_by="endpoint", defaults_prefix="flask")
    metrics.platform = PlatformCollector(app)
    metrics.init_app(app)
