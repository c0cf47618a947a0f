"""Launches from the test LMS, through its real authorisation endpoint: who is signed in, the
cohort the LMS course becomes, the roles, the language, and where the launch lands."""

import logging
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coursekit.auth.models import Identity, Role, User
from coursekit.auth.services import register
from coursekit.cohorts.models import Cohort, CohortInstructor, CohortMember
from coursekit.lti.links import grade_targets, roster_sources
from coursekit.lti.models import LtiContext, ResourceLink, UserLink
from coursekit.lti.provisioning import synthetic_email
from tests.conftest import PASSWORD
from tests.lti.flow import continue_url, counts, launch, start_login
from tests.lti.platform import INSTRUCTOR, LEARNER, LIS, LTI, TestPlatform

CUSTOM = LTI + "custom"


def _db(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["coursekit"].db.sessionmaker()


def test_the_login_redirect_carries_every_oidc_parameter(
    lti_client: FlaskClient, platform: TestPlatform
) -> None:
    for method in ("GET", "POST"):
        login = start_login(lti_client, platform, "hint-9", method=method)
        assert login.params["scope"] == "openid"
        assert login.params["response_type"] == "id_token"
        assert login.params["response_mode"] == "form_post"
        assert login.params["prompt"] == "none"
        assert login.params["client_id"] == platform.client_id
        assert login.params["redirect_uri"] == "http://localhost/lti/launch"
        assert login.params["login_hint"] == "lms-user-1"
        assert login.params["lti_message_hint"] == "hint-9"
        assert len(login.state) >= 40 and len(login.nonce) >= 40
        cookie = lti_client.get_cookie(f"coursekit_lti_state_{login.state}", path="/lti/launch")
        assert cookie is not None and cookie.value == login.state
    print(f"login redirect: {login.redirect[:110]}...")


def test_a_learner_lands_signed_in_on_the_linked_module(
    lti_app: Flask, lti_client: FlaskClient, platform: TestPlatform
) -> None:
    response = launch(lti_client, platform, **{CUSTOM: {"coursekit_target": "module:one"}})
    assert response.status_code == 200
    assert "Welcome, Wang Fang" in response.get_data(as_text=True)
    assert continue_url(response) == "/modules/one"
    page = lti_client.get("/modules/one")
    assert page.status_code == 200 and "Module one" in page.get_data(as_text=True)
    assert lti_client.get("/lti/session").get_json() == {"signed_in": True}

    session = _db(lti_app)
    user = session.scalar(select(User))
    assert (user.name, user.email, user.role) == (
        "Wang Fang",
        "wang.fang@school.example",
        "trainee",
    )
    identity = session.scalar(select(Identity))
    assert (identity.issuer, identity.subject) == (platform.issuer, "lms-user-1")
    context = session.scalar(select(LtiContext))
    cohort = session.get(Cohort, context.cohort_id)
    assert cohort.name == "Service excellence 2026" and cohort.join_code is None
    assert context.memberships_url == platform.url + "/courses/7/memberships"
    assert session.get(CohortMember, (cohort.id, user.id)) is not None
    link = session.scalar(select(ResourceLink))
    assert (link.resource_link_id, link.target) == ("link-1", "module:one")
    assert link.lineitem_url == platform.url + "/courses/7/lineitems/1"
    user_link = session.get(UserLink, (link.id, user.id))
    assert user_link.subject == "lms-user-1" and "score" in user_link.ags_scopes[1]
    session.close()
    print(f"launched: {counts(lti_app)}")


def test_launching_again_finds_the_same_user_and_updates_the_name(
    lti_app: Flask, platform: TestPlatform
) -> None:
    launch(lti_app.test_client(), platform)
    launch(lti_app.test_client(), platform, name="Wang Fang (王芳)")
    after = counts(lti_app)
    assert after["coursekit_users"] == 1 and after["coursekit_cohorts"] == 1
    assert after["coursekit_cohort_members"] == 1 and after["coursekit_lti_user_links"] == 1
    session = _db(lti_app)
    assert session.scalar(select(User.name)) == "Wang Fang (王芳)"
    session.close()


def test_an_instructor_runs_the_cohort_of_the_lms_course(
    lti_app: Flask, lti_client: FlaskClient, platform: TestPlatform
) -> None:
    launch(lti_app.test_client(), platform, sub="learner-1")
    ta = LIS + "membership/Instructor#TeachingAssistant"
    response = launch(lti_client, platform, sub="teacher-1", roles=[INSTRUCTOR, ta], name="Li Wei")
    assert response.status_code == 200
    session = _db(lti_app)
    teacher = session.scalar(select(User).where(User.name == "Li Wei"))
    assert teacher.role == Role.INSTRUCTOR
    cohort = session.scalar(select(Cohort))
    assert session.get(CohortInstructor, (cohort.id, teacher.id)) is not None
    assert session.get(CohortMember, (cohort.id, teacher.id)) is None
    session.close()
    dashboard = lti_client.get(f"/cohorts/{cohort.id}")
    assert dashboard.status_code == 200, dashboard.status_code
    assert "Service excellence 2026" in dashboard.get_data(as_text=True)


def test_the_lms_never_demotes_or_makes_an_admin(lti_app: Flask, platform: TestPlatform) -> None:
    launch(lti_app.test_client(), platform, roles=[INSTRUCTOR, LIS + "system/person#Administrator"])
    launch(lti_app.test_client(), platform, roles=[LEARNER])
    session = _db(lti_app)
    assert session.scalar(select(User.role)) == Role.INSTRUCTOR
    session.close()


def test_the_lms_locale_sets_the_language(
    lti_app: Flask, lti_client: FlaskClient, platform: TestPlatform
) -> None:
    presentation = {"locale": "zh-CN", "document_target": "iframe"}
    response = launch(lti_client, platform, **{LTI + "launch_presentation": presentation})
    assert 'lang="zh-Hans"' in response.get_data(as_text=True)
    page = lti_client.get(continue_url(response))
    assert 'lang="zh-Hans"' in page.get_data(as_text=True)
    assert "迷你课程" in page.get_data(as_text=True)
    session = _db(lti_app)
    assert session.scalar(select(User.locale)) == "zh"
    session.close()


def test_targets_from_the_target_link_uri_and_for_each_kind(
    lti_client: FlaskClient, platform: TestPlatform
) -> None:
    uri = platform.tool("/lti/launch?target=check:two")
    response = launch(lti_client, platform, **{LTI + "target_link_uri": uri})
    assert continue_url(response) == "/modules/two/check"
    assert lti_client.get("/modules/two/check").status_code == 200
    response = launch(lti_client, platform, **{CUSTOM: {"coursekit_target": "roleplay:mini-call"}})
    assert continue_url(response) == "/roleplays/mini-call"
    assert lti_client.get("/roleplays/mini-call").status_code == 200


def test_an_unknown_target_lands_on_the_course_and_says_so_in_the_log(
    lti_client: FlaskClient, platform: TestPlatform, caplog
) -> None:
    with caplog.at_level(logging.WARNING, logger="coursekit.lti"):
        response = launch(lti_client, platform, **{CUSTOM: {"coursekit_target": "module:nine"}})
    assert continue_url(response) == "/"
    assert "launch asks for 'module:nine', which the course does not have" in caplog.text


def test_no_email_and_no_name_still_make_a_stable_account(
    lti_app: Flask, platform: TestPlatform
) -> None:
    launch(lti_app.test_client(), platform, email=None, name=None, sub="anon-ish-7")
    launch(lti_app.test_client(), platform, email=None, name=None, sub="anon-ish-7")
    session = _db(lti_app)
    users = list(session.scalars(select(User)))
    assert len(users) == 1
    assert users[0].email == synthetic_email(platform.issuer, "anon-ish-7")
    assert users[0].email.endswith("@lti.invalid") and users[0].name == "LMS user"
    session.close()


def test_an_lms_cannot_take_over_an_account_with_a_password(
    lti_app: Flask, platform: TestPlatform
) -> None:
    """The LMS names the email of an existing admin: a new account is made, not a sign-in
    as the admin."""
    session = _db(lti_app)
    admin = register(
        session, email="wang.fang@school.example", name="Admin", password=PASSWORD, role=Role.ADMIN
    )
    session.close()
    client = lti_app.test_client()
    launch(client, platform)
    session = _db(lti_app)
    launched = session.scalar(select(Identity.user_id))
    assert launched != admin.id
    assert session.get(User, launched).email == synthetic_email(platform.issuer, "lms-user-1")
    assert session.get(User, admin.id).role == Role.ADMIN
    session.close()


def test_a_roster_account_without_password_is_claimed_by_its_lms_launch(
    lti_app: Flask, platform: TestPlatform
) -> None:
    session = _db(lti_app)
    roster = register(session, email="wang.fang@school.example", name="W. Fang", password=None)
    session.close()
    launch(lti_app.test_client(), platform)
    session = _db(lti_app)
    assert session.scalar(select(Identity.user_id)) == roster.id
    assert session.get(User, roster.id).name == "Wang Fang"
    session.close()


def test_launch_records_feed_the_grade_and_roster_services(
    lti_app: Flask, platform: TestPlatform
) -> None:
    launch(lti_app.test_client(), platform, **{CUSTOM: {"coursekit_target": "check:one"}})
    session = _db(lti_app)
    user_id = session.scalar(select(User.id))
    [target] = grade_targets(session, user_id, "check:one")
    assert target.platform.issuer == platform.issuer
    assert target.platform.token_audience == platform.token_url  # no audience: the token URL
    assert target.subject == "lms-user-1"
    assert target.lineitem_url == platform.url + "/courses/7/lineitems/1"
    assert grade_targets(session, user_id, "check:two") == []
    cohort_id = session.scalar(select(Cohort.id))
    [source] = roster_sources(session, cohort_id)
    assert source.memberships_url == platform.url + "/courses/7/memberships"
    assert source.context_id == "course-7"
    session.close()


def test_a_launch_lets_the_lms_frame_coursekit(
    lti_client: FlaskClient, platform: TestPlatform
) -> None:
    response = launch(lti_client, platform)
    page = lti_client.get(continue_url(response))
    policy = page.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {platform.url}" in policy
    # Another browser, not launched, may not be framed by the LMS.
    other = lti_client.application.test_client().get("/")
    assert "frame-ancestors 'self'" in other.headers["Content-Security-Policy"]
    assert platform.url not in other.headers["Content-Security-Policy"]


def test_the_redirect_uri_is_absolute_and_launch_url_is_the_registered_one(
    lti_client: FlaskClient, platform: TestPlatform
) -> None:
    login = start_login(lti_client, platform)
    assert urlsplit(login.params["redirect_uri"]).path == "/lti/launch"
    assert parse_qs(urlsplit(login.redirect).query)["redirect_uri"] == [
        platform.tool("/lti/launch")
    ]
