"""xAPI statements from real learning events, delivered through the outbox to a real LRS
(Learning Locker's xapi-statements on node) that validates each one."""

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from flask import Flask
from sqlalchemy import select, update

from coursekit.domain import xapi
from coursekit.domain.quiz import answers_to_form, correct_answers
from coursekit.learn import services as learning
from coursekit.learn.tickets import issue_ticket
from coursekit.outbox import jobs
from coursekit.outbox.models import FAILED, PENDING, SENT, OutboxMessage
from coursekit.roleplay import services as roleplays
from coursekit.signals import course_launched
from coursekit.xapi import services as xapi_services
from tests.conftest import MINI_CONTENT, login, post_form
from tests.xapi.lrs import AUTH, HEADERS, running_lrs, stored


@pytest.fixture(scope="module")
def lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_lrs(tmp_path_factory.mktemp("lrs")) as endpoint:
        yield endpoint


@pytest.fixture
def site() -> str:
    return f"https://training-{uuid.uuid4().hex[:8]}.example.com/training"  # one per test


@pytest.fixture
def app(make_app, lrs: str, site: str) -> Flask:  # type: ignore[no-untyped-def]
    return make_app(
        COURSEKIT_CONTENT_DIR=str(MINI_CONTENT),
        COURSEKIT_XAPI_ENDPOINT=lrs,
        COURSEKIT_XAPI_USERNAME=AUTH[0],
        COURSEKIT_XAPI_PASSWORD=AUTH[1],
        COURSEKIT_XAPI_SITE_URL=site,
        COURSEKIT_OUTBOX_INLINE=False,
    )


def outbox(app: Flask) -> list[OutboxMessage]:
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    finally:
        session.close()


def deliver(app: Flask):  # type: ignore[no-untyped-def]
    with app.app_context():
        return jobs.deliver_now()


def test_the_lrs_refuses_a_malformed_statement(lrs: str) -> None:
    """Proof that the LRS validates: a statement broken in the usual ways is refused."""
    bad = {
        "id": "not-a-uuid",
        "actor": {"mbox": "someone@example.com"},  # not a mailto: IRI
        "verb": {"id": "answered"},  # not an IRI
        "object": {"id": "question 1"},
        "result": {"score": {"scaled": 1.5}, "duration": "90 seconds"},
    }
    response = httpx.post(f"{lrs}/statements", json=[bad], headers=HEADERS, auth=AUTH)
    assert response.status_code == 400
    warnings = " ".join(response.json()["warnings"])
    for field in ("actor.mbox", "verb.id", "object.id", "score.scaled", "duration"):
        assert field in warnings
    no_version = httpx.post(f"{lrs}/statements", json=[], auth=AUTH)
    assert no_version.status_code == 400  # the version header is required too


def finish_course(app: Flask, user_id: int) -> None:
    """Everything the small course asks, through the services (as the web would)."""
    state = app.extensions["coursekit"]
    course = state.course
    with app.app_context():
        session = state.db.sessionmaker()
        course_launched.send(user_id, session=session, course_id=course.id, launch_id="L-1")
        for module in course.modules:
            learning.complete_lesson(session, user_id, course.id, module.id)
            _token, ticket = issue_ticket(app.secret_key, user_id, module.id, module.check.hash)
            learning.submit_check(
                session,
                user_id=user_id,
                course=course,
                module=module,
                ticket=ticket,
                form=answers_to_form(correct_answers(module.check)),
            )
        roleplays.play_path(session, user_id, course, "mini-call", ["check", "basics"])
        session.close()


def test_learning_events_reach_the_lrs_once(app: Flask, lrs: str, site: str, make_user) -> None:
    trainee = make_user(email="mei@example.com", name="李梅", target=app)
    finish_course(app, trainee.id)
    queued = outbox(app)
    report = deliver(app)
    assert report.sent == len(queued) > 10 and report.failed == report.retried == 0
    assert {m.status for m in outbox(app)} == {SENT}

    statements = [m.payload for m in queued]
    verbs = [s["verb"]["id"].removeprefix(xapi.ADL_VERBS) for s in statements]
    assert set(verbs) == {"launched", "attempted", "answered", "passed", "completed"}
    assert verbs[0] == "launched" and verbs[-1] == "completed"  # the course, with the certificate
    for statement in statements:  # each one is in the LRS as we sent it
        [kept] = [stored(lrs, statementId=statement["id"])]
        assert (
            kept["verb"] == statement["verb"] and kept["object"]["id"] == statement["object"]["id"]
        )
        assert statement["actor"]["account"]["homePage"] == site
        assert statement["object"]["id"].startswith(f"{site}/xapi/")
    assert "mei@example.com" not in json.dumps(statements) and "李梅" not in json.dumps(statements)

    roleplay_result = next(
        s
        for s in statements
        if s["object"]["id"].endswith("/mini-call") and s["verb"]["id"].endswith("/passed")
    )
    assert roleplay_result["result"]["duration"].startswith("PT")
    assert 0 < roleplay_result["result"]["score"]["scaled"] <= 1
    registration = roleplay_result["context"]["registration"]
    in_attempt = stored(lrs, registration=registration)["statements"]
    verbs_in_attempt = {s["verb"]["id"].removeprefix(xapi.ADL_VERBS) for s in in_attempt}
    assert verbs_in_attempt == {"attempted", "answered", "passed"}

    # Everything sent again (a worker that died after sending, say): stored once all the same.
    actor = json.dumps(statements[0]["actor"])
    before = len(stored(lrs, agent=actor, limit="500")["statements"])
    session = app.extensions["coursekit"].db.sessionmaker()
    session.execute(update(OutboxMessage).values(status=PENDING))
    session.commit()
    session.close()
    assert deliver(app).sent == len(queued)
    assert len(stored(lrs, agent=actor, limit="500")["statements"]) == before == len(queued)


def test_one_bad_statement_fails_alone(app: Flask, lrs: str, make_user) -> None:
    trainee = make_user(email="tom@example.com", target=app)
    learner = xapi.Learner(xapi.Site(app.config["COURSEKIT_XAPI_SITE_URL"]), "tom")
    course = xapi.CourseRef("mini", {"en": "Mini"})
    now = datetime.now(UTC)
    good = [xapi.launched(learner, course, launch_id=f"L{n}", when=now) for n in range(3)]
    broken = {**good[1], "verb": {"id": "launched"}}  # the verb is not an IRI
    with app.app_context():
        session = app.extensions["coursekit"].db.sessionmaker()
        xapi_services.enqueue_statements(session, trainee.id, [good[0], broken, good[2]])
        session.close()
    report = deliver(app)
    assert (report.sent, report.failed) == (2, 1)
    first, bad, last = outbox(app)
    assert (first.status, bad.status, last.status) == (SENT, FAILED, SENT)
    assert "HTTP 400" in bad.last_error and "verb.id" in bad.last_error
    assert stored(lrs, statementId=good[2]["id"])["id"] == good[2]["id"]


def test_statements_wait_while_the_lrs_is_down(make_app, make_user, site: str) -> None:
    app = make_app(
        COURSEKIT_CONTENT_DIR=str(MINI_CONTENT),
        COURSEKIT_XAPI_ENDPOINT="http://127.0.0.1:9/xAPI",  # nothing listens on port 9
        COURSEKIT_XAPI_SITE_URL=site,
        COURSEKIT_OUTBOX_INLINE=False,
    )
    trainee = make_user(target=app)
    with app.app_context():
        session = app.extensions["coursekit"].db.sessionmaker()
        learning.complete_lesson(session, trainee.id, "mini", "one")
        session.close()
    assert deliver(app).retried == 1
    [message] = outbox(app)
    assert message.status == PENDING and "ConnectError" in message.last_error


def test_without_redis_a_web_request_delivers_after_its_response(
    make_app, make_user, lrs: str, site: str, tmp_path: Path
) -> None:
    app = make_app(
        COURSEKIT_CONTENT_DIR=str(MINI_CONTENT),
        COURSEKIT_XAPI_ENDPOINT=lrs,
        COURSEKIT_XAPI_SITE_URL=site,
    )
    make_user(email="ann@example.com", target=app)
    client = app.test_client()
    login(client, "ann@example.com")
    with post_form(client, "/modules/one", url="/modules/one/done") as response:
        assert response.status_code in (302, 303)
        [message] = outbox(app)
        assert message.status == PENDING  # the trainee did not wait for the LRS
    [message] = outbox(app)
    assert message.status == SENT
    kept = stored(lrs, statementId=message.payload["id"])
    assert kept["verb"]["id"] == xapi.ADL_VERBS + "completed"
    assert kept["object"]["id"] == f"{site}/xapi/course/mini/module/one"
