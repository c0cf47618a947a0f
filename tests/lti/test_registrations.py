"""Platform registrations: the CLI commands, the admin page, and what they refuse."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from coursekit.auth.models import User
from coursekit.cohorts.models import Cohort
from coursekit.lti import registrations
from coursekit.lti.types import PlatformEndpoints
from tests.conftest import csrf_from, login, post_form
from tests.lti.flow import launch
from tests.lti.platform import TestPlatform

MOODLE = [
    "--name",
    "Acme Moodle",
    "--issuer",
    "https://moodle.acme.example",
    "--client-id",
    "abc123",
    "--auth-login-url",
    "https://moodle.acme.example/mod/lti/auth.php",
    "--token-url",
    "https://moodle.acme.example/mod/lti/token.php",
    "--jwks-url",
    "https://moodle.acme.example/mod/lti/certs.php",
    "--deployment-id",
    "1",
]


def _run(app: Flask, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["coursekit", "lti", *args], input=input)


def test_the_registration_commands(app: Flask) -> None:
    added = _run(app, "add-platform", *MOODLE)
    assert added.exit_code == 0, added.output
    assert "platform 1: Acme Moodle (https://moodle.acme.example)" in added.output
    again = _run(app, "add-platform", *MOODLE)
    assert again.exit_code != 0 and "already registered" in again.output

    assert _run(app, "add-deployment", "1", "2").exit_code == 0
    duplicate = _run(app, "add-deployment", "1", "2")
    assert duplicate.exit_code != 0 and "already registered" in duplicate.output
    assert "no platform 9" in _run(app, "add-deployment", "9", "1").output

    listed = _run(app, "list-platforms")
    print(listed.output)
    assert "1  Acme Moodle" in listed.output
    assert "issuer https://moodle.acme.example  client abc123" in listed.output
    assert "deployments 1, 2" in listed.output

    assert _run(app, "remove-platform", "1", input="n\n").exit_code != 0  # asks first
    removed = _run(app, "remove-platform", "1", "--yes")
    assert removed.exit_code == 0 and "removed" in removed.output
    assert "no platforms registered" in _run(app, "list-platforms").output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--issuer", "http://moodle.acme.example"), "issuer must be an https URL"),
        (("--jwks-url", "ftp://x"), "jwks_url must be an https URL"),
        (("--issuer", "https://moodle.acme.example/?x=1"), "issuer must not have a query"),
        (("--frame-origin", "https://school.example/path"), "is not an origin"),
    ],
)
def test_add_platform_refuses_unsafe_urls(app: Flask, change: tuple, message: str) -> None:
    args = list(MOODLE)
    if change[0] in args:
        args[args.index(change[0]) + 1] = change[1]
    else:
        args += list(change)
    result = _run(app, "add-platform", *args)
    assert result.exit_code != 0 and message in result.output


def test_endpoints_for_the_grade_and_roster_clients(app: Flask) -> None:
    session = app.extensions["coursekit"].db.sessionmaker()
    platform = registrations.add_platform(
        session,
        name="Canvas",
        issuer="https://canvas.instructure.com",
        client_id="10000000000042",
        auth_login_url="https://sso.canvaslms.com/api/lti/authorize_redirect",
        token_url="https://sso.canvaslms.com/login/oauth2/token",
        jwks_url="https://sso.canvaslms.com/api/lti/security/jwks",
        token_audience="https://canvas.instructure.com/login/oauth2/token",
        frame_origins="https://school.instructure.com",
    )
    assert registrations.endpoints(platform) == PlatformEndpoints(
        issuer="https://canvas.instructure.com",
        client_id="10000000000042",
        token_url="https://sso.canvaslms.com/login/oauth2/token",
        token_audience="https://canvas.instructure.com/login/oauth2/token",
    )
    assert registrations.frame_origins(platform, "https://other.instructure.com/x") == [
        "https://canvas.instructure.com",
        "https://school.instructure.com",
        "https://other.instructure.com",
    ]
    session.close()


def test_the_admin_page(
    lti_app: Flask, make_user, platform: TestPlatform, lti_client: FlaskClient
) -> None:
    make_user(email="teacher@example.com", role="instructor", target=lti_app)
    login(lti_client, "teacher@example.com")
    assert lti_client.get("/admin/lti/").status_code == 403

    client = lti_app.test_client()
    make_user(email="admin@example.com", role="admin", target=lti_app)
    login(client, "admin@example.com")
    page = client.get("/admin/lti/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for url in ("/lti/login", "/lti/launch", "/lti/jwks", "/lti/canvas.json"):
        assert f"<code>http://localhost{url}</code>" in text
    assert "Test LMS" in text and platform.issuer in text

    added = post_form(
        client,
        "/admin/lti/",
        "/admin/lti/platforms",
        data={
            "name": "Acme Moodle",
            "issuer": "https://moodle.acme.example",
            "client_id": "abc123",
            "deployment_ids": "7\n8",
            "auth_login_url": "https://moodle.acme.example/mod/lti/auth.php",
            "token_url": "https://moodle.acme.example/mod/lti/token.php",
            "jwks_url": "https://moodle.acme.example/mod/lti/certs.php",
        },
    )
    assert added.status_code == 303
    text = client.get("/admin/lti/").get_data(as_text=True)
    assert "Acme Moodle is registered." in text and "<code>7</code>, <code>8</code>" in text

    refused = post_form(
        client,
        "/admin/lti/",
        "/admin/lti/platforms",
        data={"issuer": "http://insecure.example", "client_id": "x", "auth_login_url": "x"},
    )
    assert refused.status_code == 422
    # Without a CSRF token nothing is changed.
    assert (
        client.post("/admin/lti/platforms", data={"issuer": "https://x.example"}).status_code == 400
    )

    session = lti_app.extensions["coursekit"].db.sessionmaker()
    acme = next(
        i.platform for i in registrations.listing(session) if i.platform.name == "Acme Moodle"
    )
    session.close()
    token = csrf_from(client.get("/admin/lti/").get_data(as_text=True))
    deployment = client.post(
        f"/admin/lti/platforms/{acme.id}/deployments",
        data={"csrf_token": token, "deployment_id": "9"},
    )
    assert deployment.status_code == 303
    removed = client.post(f"/admin/lti/platforms/{acme.id}/delete", data={"csrf_token": token})
    assert removed.status_code == 303
    assert "Acme Moodle is removed." in client.get("/admin/lti/").get_data(as_text=True)


def test_removing_a_platform_refuses_its_launches_and_keeps_its_users(
    lti_app: Flask, platform: TestPlatform
) -> None:
    launch(lti_app.test_client(), platform)
    assert _run(lti_app, "remove-platform", "1", "--yes").exit_code == 0
    response = lti_app.test_client().get("/lti/login", query_string=platform.login_params())
    assert response.status_code == 403
    session = lti_app.extensions["coursekit"].db.sessionmaker()
    assert session.query(User).count() == 1 and session.query(Cohort).count() == 1
    session.close()


def test_the_admin_makes_a_one_time_registration_url(lti_app: Flask, make_user) -> None:
    client = lti_app.test_client()
    make_user(email="admin@example.com", role="admin", target=lti_app)
    login(client, "admin@example.com")
    response = post_form(client, "/admin/lti/", "/admin/lti/registration-urls")
    assert response.status_code == 200
    url = re.search(r'<code id="registration-url">([^<]+)</code>', response.get_data(as_text=True))
    assert url and url.group(1).startswith("http://localhost/lti/register/")
    cli = _run(lti_app, "registration-url", "--base-url", "https://training.example.com")
    assert cli.exit_code == 0 and "https://training.example.com/lti/register/" in cli.output
