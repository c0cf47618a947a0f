"""The outbox backlog, counted from the database when scraped: the number is the same
whichever app instance is asked, unlike a gauge kept in one process."""

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from sqlalchemy import func, select

from ..outbox.models import FAILED, PENDING, OutboxMessage
from ..state import db_session


def outbox_backlog_text() -> bytes:
    counts = dict(
        db_session()
        .execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.status.in_((PENDING, FAILED)))
            .group_by(OutboxMessage.status)
        )
        .all()
    )
    registry = CollectorRegistry()
    gauge = Gauge(
        "coursekit_outbox_backlog",
        "Outbox messages not delivered yet (pending) or given up (failed).",
        ["status"],
        registry=registry,
    )
    for status in (PENDING, FAILED):
        gauge.labels(status).set(counts.get(status, 0))
    return generate_latest(registry)
