"""Prometheus metrics: request latency by endpoint, attempts, certificates rendered and the
outbox backlog. Under gunicorn every worker writes to PROMETHEUS_MULTIPROC_DIR and /metrics
sums them (prometheus_client's multiprocess mode)."""

import os
import time

from flask import Blueprint, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from ..signals import check_submitted, roleplay_finished
from .backlog import outbox_backlog_text

bp = Blueprint("metrics", __name__)

REQUEST_SECONDS = Histogram(
    "coursekit_request_seconds",
    "Time to answer a CourseKit request, by endpoint.",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ATTEMPTS = Counter(
    "coursekit_attempts_total", "Knowledge-check and role-play attempts finished.", ["kind"]
)
CERTIFICATES_RENDERED = Counter(
    "coursekit_certificates_rendered_total", "Certificate PDFs rendered."
)


def _count_check(_attempt: object, **_: object) -> None:
    ATTEMPTS.labels("check").inc()


def _count_roleplay(_attempt: object, **_: object) -> None:
    ATTEMPTS.labels("roleplay").inc()


def connect() -> None:
    check_submitted.connect(_count_check)
    roleplay_finished.connect(_count_roleplay)


def observe(response: Response) -> Response:
    started = g.get("coursekit_started")  # set with the request id (logs.start_request)
    if started is not None:
        REQUEST_SECONDS.labels(
            request.endpoint or "unmatched", request.method, str(response.status_code)
        ).observe(time.perf_counter() - started)
    return response


def _registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


@bp.get("/metrics")
def metrics():
    """For the scraper only: a bearer token when COURSEKIT_METRICS_TOKEN is set, otherwise
    requests from this machine only."""
    token = current_app.config["COURSEKIT_METRICS_TOKEN"]
    if token:
        if request.headers.get("Authorization", "") != f"Bearer {token}":
            abort(403)
    elif request.remote_addr not in ("127.0.0.1", "::1"):
        abort(403)
    body = generate_latest(_registry())
    return Response(body + outbox_backlog_text(), mimetype=CONTENT_TYPE_LATEST)
