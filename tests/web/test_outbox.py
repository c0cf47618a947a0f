"""The durable outbox delivering AGS scores to a fake LMS over real HTTP: retries with
backoff, per-key order, failure after N attempts, a 400 failing at once, two workers never
sending one message twice, and enqueuing the same event once."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from coursekit.db import utcnow
from coursekit.lti import ags
from coursekit.lti.oauth import TOKENS
from coursekit.outbox import jobs
from coursekit.outbox.models import FAILED, PENDING, SENT, OutboxMessage
from tests.conftest import MINI_CONTENT, race
from tests.lti.services_server import CLIENT_ID, FakePlatform, new_key, resolver_for, running

HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def tool_key():  # type: ignore[no-untyped-def]
    return new_key()


@pytest.fixture
def lms(tool_key) -> Iterator[FakePlatform]:  # type: ignore[no-untyped-def]
    TOKENS.clear()
    with running(FakePlatform(tool_public_pem=tool_key[1])) as fake:
        yield fake


@pytest.fixture
def app(make_app, lms: FakePlatform, tool_key) -> Flask:  # type: ignore[no-untyped-def]
    return make_app(
        COURSEKIT_CONTENT_DIR=str(MINI_CONTENT),
        COURSEKIT_LTI_PLATFORM_RESOLVER=resolver_for(lms, tool_key[0]),
        COURSEKIT_OUTBOX_MAX_ATTEMPTS=4,
        COURSEKIT_OUTBOX_BACKOFF_SECONDS=10,
        COURSEKIT_OUTBOX_BACKOFF_MAX_SECONDS=600,
        COURSEKIT_OUTBOX_INLINE=False,
    )


def enqueue(
    app: Flask, lms: FakePlatform, lineitem: str, *, user: str = "lms-7", given=50.0, event=None
):  # type: ignore[no-untyped-def]
    score = ags.Score(user, given, 100, "Completed", "FullyGraded", datetime.now(UTC))
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        return ags.enqueue_score(
            session,
            issuer=lms.issuer,
            client_id=CLIENT_ID,
            lineitem=lineitem,
            score=score,
            event_id=event,
        )
    finally:
        session.close()


def deliver(app: Flask, now: datetime | None = None):  # type: ignore[no-untyped-def]
    with app.app_context():
        return jobs.deliver_now(now=now)


def messages(app: Flask) -> list[OutboxMessage]:
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    finally:
        session.close()


def given(lms: FakePlatform) -> list[float]:
    return [s["body"]["scoreGiven"] for s in lms.scores]


def test_a_score_arrives_exactly_once_after_the_lms_failed_twice(app, lms) -> None:
    lineitem = lms.add_lineitem("Knowledge check")
    lms.fail_scores(503, 503)
    assert enqueue(app, lms, lineitem, given=72.5, event="check-attempt-1")
    start = utcnow()
    assert deliver(app, start).retried == 1 and lms.scores == []
    assert deliver(app, start).sent == 0  # not due yet: backing off
    assert deliver(app, start + HOUR).retried == 1
    assert deliver(app, start + 2 * HOUR).sent == 1
    assert deliver(app, start + 3 * HOUR).sent == 0
    assert given(lms) == [72.5]
    [message] = messages(app)
    assert (message.status, message.attempts, message.last_error) == (SENT, 3, None)
    assert message.sent_at is not None


def test_scores_for_one_learner_and_line_item_arrive_in_order(app, lms) -> None:
    lineitem = lms.add_lineitem("Role-play")
    lms.fail_scores(503, 503, user="lms-7")
    enqueue(app, lms, lineitem, given=40)
    enqueue(app, lms, lineitem, given=90)  # a later, better attempt
    enqueue(app, lms, lineitem, user="lms-8", given=65)  # someone else: not held up
    start = utcnow()
    deliver(app, start)
    assert given(lms) == [65]  # 40 failed, so 90 waits behind it
    deliver(app, start + HOUR)
    assert given(lms) == [65]
    deliver(app, start + 2 * HOUR)
    assert given(lms) == [65, 40, 90]
    assert [m.status for m in messages(app)] == [SENT, SENT, SENT]
    assert lms.scores[-1]["body"]["timestamp"] == lms.latest[(lineitem, "lms-7")]


def test_a_message_fails_after_the_last_attempt_and_is_kept(app, lms) -> None:
    lineitem = lms.add_lineitem("Quiz")
    lms.fail_scores(503, 503, 503, 503, body="maintenance")
    enqueue(app, lms, lineitem)
    start = utcnow()
    reports = [deliver(app, start + n * HOUR) for n in range(5)]
    assert [(r.retried, r.failed) for r in reports] == [(1, 0), (1, 0), (1, 0), (0, 1), (0, 0)]
    [message] = messages(app)
    assert (message.status, message.attempts) == (FAILED, 4)
    assert "HTTP 503" in message.last_error and "maintenance" in message.last_error
    assert lms.scores == []


def test_a_400_fails_at_once_with_the_lms_reason(app, lms) -> None:
    lineitem = lms.add_lineitem("Quiz")
    lms.fail_scores(400, body='{"error": "scoreMaximum does not match the line item"}')
    enqueue(app, lms, lineitem)
    assert deliver(app).failed == 1
    [message] = messages(app)
    assert (message.status, message.attempts) == (FAILED, 1)
    assert "HTTP 400" in message.last_error and "does not match" in message.last_error


def test_retry_after_is_respected(app, lms) -> None:
    lineitem = lms.add_lineitem("Quiz")
    lms.fail_scores(429, headers={"Retry-After": "300"})
    enqueue(app, lms, lineitem)
    start = utcnow()
    deliver(app, start)
    [message] = messages(app)
    assert message.status == PENDING
    assert message.next_attempt_at >= start + timedelta(seconds=300)  # not the 10 s backoff
    assert deliver(app, start + timedelta(seconds=200)).sent == 0
    assert deliver(app, start + timedelta(seconds=301)).sent == 1


def test_a_score_for_an_lms_no_longer_registered_fails_visibly(make_app, lms) -> None:
    # The app's own resolver reads the registrations: this LMS is not (or no longer) one.
    app = make_app(COURSEKIT_CONTENT_DIR=str(MINI_CONTENT), COURSEKIT_OUTBOX_INLINE=False)
    enqueue(app, lms, lms.add_lineitem("Quiz"))
    assert deliver(app).failed == 1
    [message] = messages(app)
    assert message.status == FAILED and "no LTI registration for" in message.last_error


def test_the_same_event_is_stored_once(app, lms) -> None:
    lineitem = lms.add_lineitem("Quiz")
    assert enqueue(app, lms, lineitem, event="check-attempt-9") is True
    assert enqueue(app, lms, lineitem, event="check-attempt-9") is False
    assert enqueue(app, lms, lineitem, given=51, event="check-attempt-10") is True
    assert len(messages(app)) == 2
    deliver(app)
    assert given(lms) == [50.0, 51]


def test_two_delivery_runs_at_once_never_send_a_message_twice(app, lms) -> None:
    lms.score_delay = 0.02  # each POST takes a moment, so the two runs overlap
    items = [lms.add_lineitem(f"Item {i}") for i in range(25)]
    for round_ in range(2):
        for i, item in enumerate(items):
            enqueue(app, lms, item, given=float(round_ * 100 + i))
    first, second = race(lambda: deliver(app), lambda: deliver(app))
    assert first.sent + second.sent == 50
    assert first.sent > 0 and second.sent > 0, "both runs took part"
    assert sorted(given(lms)) == sorted({*given(lms)}) and len(lms.scores) == 50
    for item in items:  # and each line item's scores arrived in the order they were queued
        mine = [s["body"]["scoreGiven"] for s in lms.scores if s["lineitem"] == item]
        assert mine == sorted(mine) and len(mine) == 2
    session = app.extensions["coursekit"].db.sessionmaker()
    statuses = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    session.close()
    assert statuses == [(SENT, 50)]
