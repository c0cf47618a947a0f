"""The hosted side: a package's launch signs its learner in (or is refused with nothing
written), the player may be framed by the LMS, and the status follows the learner's work."""

import dataclasses
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coursekit.auth.models import Identity, User
from coursekit.domain.quiz import answers_to_form, correct_answers
from coursekit.learn import services as learning
from coursekit.learn.tickets import issue_ticket
from coursekit.orgs.models import Organisation
from coursekit.scorm.dispatch import Dispatch, mint
from tests.conftest import SECRET, login

LMS = "https://lms.example.com"
MODULE = "m01-what-are-expectations"  # a lesson and a check, no role-play
DISPATCH = Dispatch(
    package_id="pkg-test",
    organisation_id=1,
    namespace="lms.example.com",
    course_id="customer-expectations",
    module_id=MODULE,
    origins=(LMS,),
    expires_at=int(time.time()) + 3600,
    scorm_version="1.2",
)


def launch(  # type: ignore[no-untyped-def]
    client: FlaskClient, dispatch: Dispatch = DISPATCH, origin: str | None = LMS, prefix="", **form
):
    data = {
        "credential": mint(SECRET, dispatch),
        "learner_id": "student-42",
        "learner_name": "Lovelace, Ada",
        "language": "",
        **form,
    }
    headers = {"Origin": origin} if origin else {}
    # No CSRF token: a cross-site POST from the LMS's page.
    return client.post(f"{prefix}/scorm/launch", data=data, headers=headers)


def users(app: Flask) -> list[tuple[str, str, int]]:
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        rows = session.execute(
            select(Identity.issuer, Identity.subject, User.name, User.organisation_id, User.email)
            .join(User, User.id == Identity.user_id)
            .order_by(Identity.id)
        ).all()
        return [tuple(row) for row in rows]
    finally:
        session.close()


def names(app: Flask) -> list[tuple[int, str]]:
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        return [tuple(row) for row in session.execute(select(User.id, User.name)).all()]
    finally:
        session.close()


def user_count(app: Flask) -> int:
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        return session.scalar(select(func.count()).select_from(User)) or 0
    finally:
        session.close()


def test_a_launch_signs_the_learner_in_and_lets_the_lms_frame_the_player(
    app: Flask, client: FlaskClient
) -> None:
    response = launch(client, language="zh-CN")
    assert response.status_code == 303 and response.headers["Location"] == "/scorm/player"
    [(issuer, subject, name, org, email)] = users(app)
    assert (issuer, subject, name, org) == (
        "scorm:1:lms.example.com",
        "student-42",
        "Ada Lovelace",
        1,
    )
    assert email.startswith("scorm-") and email.endswith("@scorm.invalid")

    player = client.get("/scorm/player")
    assert player.status_code == 200
    policy = player.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {LMS}" in policy
    html = player.get_data(as_text=True)
    assert f'src="/modules/{MODULE}"' in html
    assert f'data-target-origin="{LMS}"' in html
    assert 'lang="zh-Hans"' in html  # the LMS's language preference
    lesson = client.get(f"/modules/{MODULE}")  # CourseKit's own pages, framed by the player
    assert lesson.status_code == 200
    assert f"frame-ancestors 'self' {LMS}" in lesson.headers["Content-Security-Policy"]


def test_the_same_lms_learner_is_found_again_and_renamed_by_the_lms(
    app: Flask, client: FlaskClient
) -> None:
    launch(client)
    assert launch(app.test_client(), learner_name="Byron, Ada").status_code == 303
    assert [u[2] for u in users(app)] == ["Ada Byron"]
    other_lms = dataclasses.replace(DISPATCH, namespace="other-lms")
    assert launch(app.test_client(), other_lms).status_code == 303
    assert [u[0] for u in users(app)] == ["scorm:1:lms.example.com", "scorm:1:other-lms"]


def test_a_launch_replaces_whoever_was_signed_in(
    app: Flask, client: FlaskClient, make_user
) -> None:  # type: ignore[no-untyped-def]
    make_user(email="someone@example.com")
    login(client, "someone@example.com")
    launch(client)
    with client.session_transaction() as cookie:
        signed_in = int(cookie["_user_id"].split(":")[0])
    assert [name for id_, name in names(app) if id_ == signed_in] == ["Ada Lovelace"]


def test_learners_join_the_dispatch_organisation(app: Flask, client: FlaskClient) -> None:
    session = app.extensions["coursekit"].db.sessionmaker()
    session.add(Organisation(id=7, slug="acme", name="Acme"))
    session.commit()
    session.close()
    assert launch(client, dataclasses.replace(DISPATCH, organisation_id=7)).status_code == 303
    assert users(app)[0][0::3] == ("scorm:7:lms.example.com", 7)


def test_status_follows_the_module_work(app: Flask, client: FlaskClient) -> None:
    launch(client)
    assert client.get("/scorm/status").get_json() == {
        "completion": "incomplete",
        "success": "unknown",
        "progress": 0.0,
        "score": None,
    }
    state = app.extensions["coursekit"]
    session = state.db.sessionmaker()
    user_id = session.scalar(select(User.id))
    module = state.course.module(MODULE)
    learning.complete_lesson(session, user_id, state.course.id, MODULE)
    _, ticket = issue_ticket(SECRET, user_id, MODULE, module.check.hash)
    form = answers_to_form(correct_answers(module.check))
    learning.submit_check(
        session, user_id=user_id, course=state.course, module=module, ticket=ticket, form=form
    )
    session.close()
    status = client.get("/scorm/status")
    assert status.headers["Cache-Control"] == "no-store"
    assert status.get_json() == {
        "completion": "completed",
        "success": "passed",
        "progress": 1.0,
        "score": {"raw": 100.0, "min": 0, "max": 100, "scaled": 1.0},
    }


def test_the_course_package_lands_on_the_course(app: Flask, client: FlaskClient) -> None:
    launch(client, dataclasses.replace(DISPATCH, module_id=None))
    assert 'src="/"' in client.get("/scorm/player").get_data(as_text=True)
    assert client.get("/scorm/status").get_json()["score"] is None


def _expired(d: Dispatch) -> Dispatch:
    return dataclasses.replace(d, expires_at=int(time.time()) - 1)


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (lambda form: {**form, "credential": form["credential"][:-3] + "abc"}, 400, "damaged"),
        (lambda form: {**form, "credential": ""}, 400, "damaged"),
        (lambda form: {**form, "dispatch": _expired(DISPATCH)}, 403, "has expired"),
        (
            lambda form: {**form, "dispatch": dataclasses.replace(DISPATCH, course_id="other")},
            404,
            "for a course or module this site does not offer",
        ),
        (
            lambda form: {**form, "dispatch": dataclasses.replace(DISPATCH, module_id="m99")},
            404,
            "for a course or module this site does not offer",
        ),
        (
            lambda form: {**form, "dispatch": dataclasses.replace(DISPATCH, organisation_id=99)},
            400,
            "did not say who you are",  # the organisation is gone
        ),
        (lambda form: {**form, "origin": "https://evil.example"}, 403, "from this website"),
        (lambda form: {**form, "origin": None}, 403, "from this website"),
        (lambda form: {**form, "learner_id": ""}, 400, "did not say who you are"),
        (lambda form: {**form, "learner_id": "x" * 256}, 400, "did not say who you are"),
    ],
)
def test_refused_launches_write_nothing_and_say_why(
    app: Flask, client: FlaskClient, change, code: int, message: str, caplog
) -> None:  # type: ignore[no-untyped-def]
    form = change({"credential": mint(SECRET, DISPATCH), "dispatch": None, "origin": LMS})
    dispatch, origin = form.pop("dispatch"), form.pop("origin")
    if dispatch is not None:
        form["credential"] = mint(SECRET, dispatch)
    headers = {"Origin": origin} if origin else {}
    data = {"learner_id": "student-42", "learner_name": "Ada", **form}
    response = client.post("/scorm/launch", data=data, headers=headers)
    assert response.status_code == code
    assert message in response.get_data(as_text=True)
    assert "SCORM coursekit.scorm.launch refused" in caplog.text
    assert user_count(app) == 0
    assert client.get("/scorm/status").status_code == 403  # nobody signed in
    if origin:  # the refusal shows in the frame that asked, and only there
        assert response.headers["Content-Security-Policy"].count(origin) == 1


def test_a_revoked_package_is_refused(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(COURSEKIT_SCORM_REVOKED_PACKAGES=["pkg-test"])
    response = launch(app.test_client())
    assert response.status_code == 403 and "withdrawn" in response.get_data(as_text=True)
    assert user_count(app) == 0


def test_player_and_status_need_a_launch(app: Flask, client: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(email="someone@example.com")
    login(client, "someone@example.com")
    assert client.get("/scorm/player").status_code == 403
    assert client.get("/scorm/status").status_code == 403


def test_other_cross_site_posts_still_need_csrf(app: Flask, client: FlaskClient) -> None:
    launch(client)
    response = client.post(f"/modules/{MODULE}/done", headers={"Origin": LMS})
    assert response.status_code == 400  # only the launch is exempt


def test_over_https_the_session_cookie_works_in_the_lms_frame(app: Flask) -> None:
    client = app.test_client()
    response = client.post(
        "/scorm/launch",
        base_url="https://training.example.com",
        data={"credential": mint(SECRET, DISPATCH), "learner_id": "s1", "learner_name": "A"},
        headers={"Origin": LMS},
    )
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "SameSite=None" in cookie and "Partitioned" in cookie


def test_a_host_that_checks_csrf_everywhere_still_lets_the_launch_in(
    tmp_path, database_url
) -> None:  # type: ignore[no-untyped-def]
    from flask_wtf.csrf import CSRFProtect

    from coursekit import CourseKit

    host = Flask("host", instance_path=str(tmp_path / "host"))
    host.config.update(SECRET_KEY=SECRET, COURSEKIT_DATABASE_URL=database_url)
    CSRFProtect(host)  # checks every POST on every route by default
    CourseKit(host)
    try:
        assert launch(host.test_client(), prefix="/training").status_code == 303
    finally:
        host.extensions["coursekit"].db.dispose()
