"""End to end: a learner launched from the test LMS into a knowledge check passes it, and
the score reaches the LMS's gradebook through the outbox (token with a signed assertion,
then the score), and again when the LMS was down for a while."""

import re
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from flask import Flask
from flask.testing import FlaskClient

from coursekit.lti import keys
from coursekit.outbox.models import OutboxMessage
from tests.conftest import csrf_from
from tests.lti.flow import launch
from tests.lti.platform import LTI, TestPlatform
from tests.lti.services_server import CLIENT_ID, FakePlatform, running
from tests.web.test_learn import RIGHT

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


@pytest.fixture
def gradebook(make_lti_app, platform: TestPlatform) -> Iterator[tuple[Flask, FakePlatform]]:
    """The app registered with the test LMS, whose token and score endpoints are the fake
    platform's (the tool's own key verifies the client assertion there)."""
    platform.client_id = CLIENT_ID
    fake = FakePlatform(tool_public_pem=b"")
    with running(fake):
        app = make_lti_app()
        session = app.extensions["coursekit"].db.sessionmaker()
        key = keys.current_key(session)
        session.close()
        private = serialization.load_pem_private_key(key.private_pem, password=None)
        fake.tool_public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        fake.tool_kid = key.kid
        _point_tokens_at(app, fake)
        yield app, fake


def _point_tokens_at(app: Flask, fake: FakePlatform) -> None:
    from coursekit.lti.models import Platform

    session = app.extensions["coursekit"].db.sessionmaker()
    platform = session.query(Platform).one()
    platform.token_url = fake.endpoints.token_url
    session.commit()
    session.close()


def launch_into_check(client: FlaskClient, platform: TestPlatform, lineitem: str) -> None:
    ags = {
        "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
        "lineitem": lineitem,
        "lineitems": lineitem.rsplit("/", 1)[0],
    }
    response = launch(
        client, platform, **{LTI + "custom": {"coursekit_target": "check:one"}, AGS: ags}
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def submit_check(client: FlaskClient, answers: dict) -> None:
    page = client.get("/modules/one/check").get_data(as_text=True)
    ticket = re.search(r'name="ticket" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf_from(page), "ticket": ticket, **answers}
    # Without Redis the outbox delivers once the response is closed (after the request).
    with client.post("/modules/one/check", data=form) as response:
        assert response.status_code == 303


def test_a_passed_check_reaches_the_gradebook(gradebook, platform: TestPlatform) -> None:
    app, fake = gradebook
    lineitem = fake.add_lineitem("Knowledge check: one")
    client = app.test_client()
    launch_into_check(client, platform, lineitem)
    submit_check(client, RIGHT)
    assert len(fake.scores) == 1, fake.token_refusals
    score = fake.scores[0]
    assert score["lineitem"] == lineitem
    assert score["body"]["userId"] == "lms-user-1"
    assert score["body"]["scoreGiven"] == 100.0 and score["body"]["scoreMaximum"] == 100.0
    assert score["body"]["activityProgress"] == "Completed"
    assert score["body"]["gradingProgress"] == "FullyGraded"
    assert fake.assertions[0]["claims"]["iss"] == CLIENT_ID
    print(f"score delivered: {score['body']}")


def test_a_score_waits_while_the_lms_is_down_and_arrives_once(
    gradebook, platform: TestPlatform
) -> None:
    app, fake = gradebook
    lineitem = fake.add_lineitem("Knowledge check: one")
    client = app.test_client()
    launch_into_check(client, platform, lineitem)
    fake.fail_scores(503, 503)
    submit_check(client, RIGHT)
    assert fake.scores == []
    session = app.extensions["coursekit"].db.sessionmaker()
    message = session.query(OutboxMessage).one()
    assert message.status == "pending" and message.attempts >= 1
    # The LMS is back; time passes (the retry falls due) and the worker delivers.
    runner = app.test_cli_runner()
    for _ in range(3):
        session.query(OutboxMessage).update({"next_attempt_at": message.created_at})
        session.commit()
        result = runner.invoke(args=["coursekit", "outbox", "deliver"])
        assert result.exit_code == 0, result.output
    session.expire_all()  # the CLI delivered from its own session
    assert session.query(OutboxMessage).one().status == "sent"
    session.close()
    assert [s["body"]["scoreGiven"] for s in fake.scores] == [100.0]


def test_an_instructor_syncs_the_cohort_from_the_lms_roster(
    gradebook, platform: TestPlatform
) -> None:
    from sqlalchemy import func, select

    from coursekit.cohorts.models import CohortInstructor, CohortMember
    from tests.lti.platform import INSTRUCTOR, LEARNER

    app, fake = gradebook
    fake.members = [
        {
            "user_id": f"sub-{n}",
            "roles": [LEARNER],
            "name": f"学员 {n}",
            "status": "Active",
            "email": f"learner{n}@school.example",
        }
        for n in range(5)
    ] + [{"user_id": "teacher-2", "roles": [INSTRUCTOR], "name": "Li Ming", "status": "Active"}]
    nrps = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
    client = app.test_client()
    response = launch(
        client,
        platform,
        roles=[INSTRUCTOR],
        **{
            nrps: {
                "context_memberships_url": f"{fake.base_url}/memberships",
                "service_versions": ["2.0"],
            }
        },
    )
    assert response.status_code == 200
    session = app.extensions["coursekit"].db.sessionmaker()
    cohort_id = session.scalar(select(CohortInstructor.cohort_id))
    dashboard = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert "Sync the roster from the LMS" in dashboard
    synced = client.post(
        f"/cohorts/{cohort_id}/lms-roster", data={"csrf_token": csrf_from(dashboard)}
    )
    assert synced.status_code == 303
    page = client.get(synced.headers["Location"]).get_data(as_text=True)
    assert "6 people on the roster; 5 trainees and 1 instructors added" in page
    session.rollback()  # end the read snapshot taken before the sync
    members = session.scalar(
        select(func.count()).select_from(CohortMember).where(CohortMember.cohort_id == cohort_id)
    )
    instructors = session.scalar(
        select(func.count())
        .select_from(CohortInstructor)
        .where(CohortInstructor.cohort_id == cohort_id)
    )
    assert (members, instructors) == (5, 2)
    # The CLI does the same (and finds everyone already there); pages were followed.
    result = app.test_cli_runner().invoke(args=["coursekit", "lti", "sync-roster", str(cohort_id)])
    assert (
        result.exit_code == 0 and "0 trainees and 0 instructors added, 6 already" in result.output
    )
    assert sum("/memberships" in r for r in fake.requests) >= 6  # 3 pages, twice
    session.close()
    # A trainee cannot sync, nor see the button.
    trainee = app.test_client()
    launch(trainee, platform, "hint-2", sub="sub-0")
    assert trainee.post(
        f"/cohorts/{cohort_id}/lms-roster", data={"csrf_token": "x"}
    ).status_code in (400, 403)
