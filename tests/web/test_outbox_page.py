"""The deliveries page (instructors see their cohorts', admins everyone's), the retry button,
the CLI, and delivery as an RQ job with its retry booked on RQ's scheduler."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from coursekit.cohorts import services as cohorts
from coursekit.lti import ags
from coursekit.lti.oauth import TOKENS
from coursekit.outbox import jobs
from coursekit.outbox.models import FAILED, PENDING, SENT, OutboxMessage
from tests.conftest import MINI_CONTENT, csrf_from, login
from tests.lti.services_server import CLIENT_ID, FakePlatform, new_key, resolver_for, running


@pytest.fixture(scope="module")
def tool_key():  # type: ignore[no-untyped-def]
    return new_key()


@pytest.fixture
def lms(tool_key) -> Iterator[FakePlatform]:  # type: ignore[no-untyped-def]
    TOKENS.clear()
    with running(FakePlatform(tool_public_pem=tool_key[1])) as fake:
        yield fake


def outbox_app(make_app, lms: FakePlatform, key, **settings: object) -> Flask:  # type: ignore[no-untyped-def]
    return make_app(
        COURSEKIT_CONTENT_DIR=str(MINI_CONTENT),
        COURSEKIT_LTI_PLATFORM_RESOLVER=resolver_for(lms, key),
        **{"COURSEKIT_OUTBOX_INLINE": False, **settings},
    )


def queue_score(app: Flask, lms: FakePlatform, user_id: int, given: float = 80) -> int:
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        ags.enqueue_score(
            session,
            issuer=lms.issuer,
            client_id=CLIENT_ID,
            lineitem=lms.add_lineitem("Check"),
            score=ags.Score(
                f"lms-{user_id}", given, 100, "Completed", "FullyGraded", datetime.now(UTC)
            ),
            user_id=user_id,
        )
        return session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))
    finally:
        session.close()


def status(app: Flask, message_id: int) -> OutboxMessage:
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        return session.get(OutboxMessage, message_id)
    finally:
        session.close()


@pytest.fixture
def setting(make_app, make_user, lms, tool_key):  # type: ignore[no-untyped-def]
    """An app whose LMS refused one trainee's score: (app, message id)."""
    app = outbox_app(make_app, lms, tool_key[0], COURSEKIT_OUTBOX_INLINE=True)
    wang = make_user(email="wang@example.com", role="instructor", target=app)
    make_user(email="lee@example.com", role="instructor", target=app)
    make_user(email="root@example.com", role="admin", target=app)
    trainee = make_user(email="mei@example.com", name="李梅", target=app)
    session = app.extensions["coursekit"].db.sessionmaker()
    cohort = cohorts.create(session, wang, name="Workshop", course_id="mini")
    cohorts.join(session, trainee.id, cohort.join_code)
    session.close()
    lms.fail_scores(400, body="line item is closed")
    with app.app_context():  # queued outside a request: delivered (and refused) at once
        message_id = queue_score(app, lms, trainee.id)
    assert status(app, message_id).status == FAILED
    return app, message_id


def test_instructors_see_their_cohorts_failed_deliveries(setting) -> None:
    app, message_id = setting
    wang = app.test_client()
    login(wang, "wang@example.com")
    page = wang.get("/deliveries").get_data(as_text=True)
    assert "李梅: Grade 80 of 100" in page and "line item is closed" in page
    assert f"/deliveries/{message_id}/retry" in page and "failed: 1" in page
    lee = app.test_client()
    login(lee, "lee@example.com")
    other = lee.get("/deliveries").get_data(as_text=True)
    assert "李梅" not in other and "Nothing has failed." in other
    root = app.test_client()
    login(root, "root@example.com")
    assert "李梅: Grade 80 of 100" in root.get("/deliveries").get_data(as_text=True)
    trainee = app.test_client()
    login(trainee, "mei@example.com")
    assert trainee.get("/deliveries").status_code == 403
    assert "/deliveries" in wang.get("/cohorts").get_data(as_text=True)


def test_the_retry_button_delivers_again(setting, lms) -> None:
    app, message_id = setting
    client = app.test_client()
    login(client, "wang@example.com")
    url = f"/deliveries/{message_id}/retry"
    assert client.post(url).status_code == 400  # no CSRF token
    token = csrf_from(client.get("/deliveries").get_data(as_text=True))
    with client.post(url, data={"csrf_token": token}) as response:
        assert response.status_code == 303
        assert status(app, message_id).status == PENDING  # delivered after the response
    assert status(app, message_id).status == SENT
    assert [s["body"]["scoreGiven"] for s in lms.scores] == [80]
    again = client.post(url, data={"csrf_token": token})
    assert again.status_code == 409 and "it was sent" in again.get_data(as_text=True)
    lee = app.test_client()
    login(lee, "lee@example.com")
    token = csrf_from(lee.get("/deliveries").get_data(as_text=True))
    assert lee.post(url, data={"csrf_token": token}).status_code == 404


def test_the_cli_lists_retries_and_delivers(make_app, make_user, lms, tool_key) -> None:
    app = outbox_app(make_app, lms, tool_key[0])
    trainee = make_user(email="t@example.com", target=app)
    lms.fail_scores(400, body="closed")
    message_id = queue_score(app, lms, trainee.id)
    runner = app.test_cli_runner()
    assert "failed 1" in runner.invoke(args=["coursekit", "outbox", "deliver"]).output
    listing = runner.invoke(args=["coursekit", "outbox", "list"]).output
    assert "failed 1" in listing and f"{message_id:6d} failed" in listing and "closed" in listing
    assert runner.invoke(args=["coursekit", "outbox", "retry", str(message_id)]).exit_code == 0
    assert "sent 1," in runner.invoke(args=["coursekit", "outbox", "deliver"]).output
    refused = runner.invoke(args=["coursekit", "outbox", "retry", str(message_id)])
    assert refused.exit_code != 0 and "is sent" in refused.output
    kept = runner.invoke(args=["coursekit", "outbox", "purge", "--days", "1"]).output
    assert "deleted 0 " in kept and status(app, message_id) is not None
    assert (
        "deleted 1 " in runner.invoke(args=["coursekit", "outbox", "purge", "--days", "0"]).output
    )
    assert status(app, message_id) is None


def test_with_redis_delivery_is_a_job_and_the_retry_is_booked(make_app, lms, tool_key) -> None:
    redis = pytest.importorskip("redis")
    from rq import Queue, SimpleWorker
    from rq.registry import ScheduledJobRegistry

    url = "redis://127.0.0.1:6379/12"
    try:
        connection = redis.Redis.from_url(url)
        connection.flushdb()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    app = outbox_app(make_app, lms, tool_key[0], COURSEKIT_REDIS_URL=url)
    lms.fail_scores(503)
    message_id = queue_score(app, lms, user_id=None)  # type: ignore[arg-type]
    queue = Queue("coursekit", connection=connection)
    with app.app_context():
        jobs.kick()
        assert queue.count == 1
        SimpleWorker([queue], connection=connection).work(burst=True)
    message = status(app, message_id)
    assert (message.status, message.attempts) == (PENDING, 1)
    scheduled = ScheduledJobRegistry(queue=queue)
    [job_id] = scheduled.get_job_ids()
    booked = scheduled.get_scheduled_time(job_id)
    assert abs((booked - message.next_attempt_at).total_seconds()) < 2
    with app.app_context():  # the scheduler moves it to the queue when due; here, at once
        queue.enqueue_job(queue.fetch_job(job_id))
        SimpleWorker([queue], connection=connection).work(burst=True)
    # The job delivers what is due; the retry is not due for another ~30 s.
    assert status(app, message_id).status == PENDING
    with app.app_context():
        jobs.deliver_now(now=message.next_attempt_at)
    assert status(app, message_id).status == SENT
    connection.flushdb()
