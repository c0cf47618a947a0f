"""Running deliveries: an RQ job when COURSEKIT_REDIS_URL is set (rescheduling itself for the
next retry), otherwise inline after the request that enqueued, and `flask coursekit outbox
deliver` (by hand or from cron) in either case."""

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from flask import Flask, after_this_request, current_app, g, has_app_context, has_request_context
from sqlalchemy.orm import Session

from ..db import utcnow
from ..jobqueue import job_queue
from ..state import get_state
from . import manage, services
from .backoff import RetryPolicy
from .services import DeliveryReport, NewMessage, SenderSpec

log = logging.getLogger("coursekit.outbox")
SCHEDULE_KEY = "coursekit:outbox:next-run"
INLINE_ROUNDS = 3


def policy(config: Mapping[str, Any]) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=int(config["COURSEKIT_OUTBOX_MAX_ATTEMPTS"]),
        base_seconds=float(config["COURSEKIT_OUTBOX_BACKOFF_SECONDS"]),
        max_seconds=float(config["COURSEKIT_OUTBOX_BACKOFF_MAX_SECONDS"]),
        lease_seconds=float(config["COURSEKIT_OUTBOX_LEASE_SECONDS"]),
    )


def http_client(config: Mapping[str, Any]) -> httpx.Client:
    """Every call to an LMS or LRS has a timeout: a slow server costs a retry, not a worker."""
    seconds = float(config["COURSEKIT_OUTBOX_HTTP_TIMEOUT"])
    return httpx.Client(timeout=httpx.Timeout(seconds, connect=min(seconds, 5.0)))


def default_senders() -> dict[str, SenderSpec]:
    """kind -> sender: grades to an LMS (AGS) and statements to an LRS (xAPI)."""
    from ..lti import ags
    from ..xapi import sender as xapi

    return {
        ags.SCORE_KIND: SenderSpec(ags.send_scores),
        xapi.KIND: SenderSpec(xapi.send_statements, batch_size=xapi.BATCH_SIZE),
    }


def deliver_now(
    *,
    now: datetime | None = None,
    senders: Mapping[str, SenderSpec] | None = None,
    max_rounds: int = 1000,
) -> DeliveryReport:
    """One delivery run in this app: what is due now (up to `max_rounds` claims of a few
    messages each), on its own session."""
    config = current_app.config
    session = get_state().db.sessionmaker()
    try:
        with http_client(config) as http:
            return services.deliver_due(
                session,
                default_senders() if senders is None else senders,
                policy(config),
                http=http,
                config=config,
                now=now,
                max_rounds=max_rounds,
            )
    finally:
        session.close()


def deliver_job() -> dict[str, int]:
    """The RQ job (the worker runs it inside the app): deliver, then book the next run."""
    report = deliver_now()
    schedule_next()
    return {"sent": report.sent, "retried": report.retried, "failed": report.failed}


def schedule_next() -> datetime | None:
    """Book a run for when the earliest pending message is due (RQ's scheduler, which
    `flask coursekit worker` runs, starts it then); one booking at a time is enough."""
    session = get_state().db.sessionmaker()
    try:
        due = manage.next_due(session)
    finally:
        session.close()
    if due is None:
        return None
    due = max(due, utcnow() + timedelta(seconds=1))
    queue = job_queue()
    booked = queue.connection.get(SCHEDULE_KEY)
    if booked is not None and utcnow().timestamp() < float(booked) <= due.timestamp():
        return datetime.fromtimestamp(float(booked), UTC)  # an earlier run is booked already
    ahead = int((due - utcnow()).total_seconds())
    queue.connection.set(SCHEDULE_KEY, due.timestamp(), ex=ahead + 60)
    queue.enqueue_at(due, deliver_job)
    return due


def queue_messages(session: Session, messages: Sequence[NewMessage]) -> int:
    """Store the messages (services.enqueue) and, when any is new and an app is at hand,
    start delivering them. Returns how many were new."""
    added = services.enqueue(session, messages)
    if added and has_app_context():
        kick()
    return added


def kick() -> None:
    """Start delivering what was just enqueued, best-effort: a failure here loses nothing,
    the messages wait in the outbox for the next run."""
    config = current_app.config
    if config["COURSEKIT_REDIS_URL"]:
        try:
            job_queue().enqueue(deliver_job)
        except Exception:  # Redis down: the worker's next scheduled run or the CLI picks up
            log.warning("outbox: could not queue a delivery job", exc_info=True)
        return
    if not config["COURSEKIT_OUTBOX_INLINE"]:
        return
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if not has_request_context():
        _deliver_inline(app)
        return
    if g.get("coursekit_outbox_kicked"):
        return
    g.coursekit_outbox_kicked = True

    @after_this_request
    def _after(response):  # type: ignore[no-untyped-def]
        # After the response is sent: the trainee does not wait for the LMS.
        response.call_on_close(lambda: _deliver_inline(app))
        return response


def _deliver_inline(app: Flask) -> None:
    try:
        with app.app_context():
            # A few rounds only: a backlog (after an outage) is the worker's or the CLI's job,
            # not something to hold this server process for.
            deliver_now(max_rounds=INLINE_ROUNDS)
    except Exception:
        log.warning("outbox: inline delivery failed; messages stay queued", exc_info=True)
