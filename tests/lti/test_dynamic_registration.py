"""Dynamic registration against the test LMS: its OpenID configuration and registration
endpoint are real HTTP; the tool is reached through a one-time URL an admin made."""

import json
import logging

import pytest
from flask import Flask
from sqlalchemy import select

from coursekit.lti import dynamic, registrations
from coursekit.lti.models import RegistrationToken
from tests.conftest import MINI_CONTENT
from tests.lti.flow import continue_url, launch
from tests.lti.platform import TestPlatform

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


@pytest.fixture
def app_and_token(make_app, platform: TestPlatform) -> tuple[Flask, str]:  # type: ignore[no-untyped-def]
    app = make_app(COURSEKIT_CONTENT_DIR=str(MINI_CONTENT))
    session = app.extensions["coursekit"].db.sessionmaker()
    token = dynamic.issue_token(session, organisation_id=1, created_by=None, days=7)
    session.close()
    return app, token


def _register(app: Flask, token: str, platform: TestPlatform, **args: str):  # type: ignore[no-untyped-def]
    query = {
        "openid_configuration": platform.openid_configuration_url,
        "registration_token": platform.registration_token,
        **args,
    }
    return app.test_client().get(f"/lti/register/{token}", query_string=query)


def _platforms(app: Flask) -> list[registrations.Listed]:
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        return registrations.listing(session)
    finally:
        session.close()


def test_an_lms_registers_the_tool_and_can_launch_it(
    app_and_token: tuple[Flask, str], platform: TestPlatform, caplog
) -> None:
    app, token = app_and_token
    with caplog.at_level(logging.INFO, logger="coursekit.lti"):
        response = _register(app, token, platform)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert f'data-lti-close="{platform.url}"' in page and "/static/lti." in page
    assert f"frame-ancestors 'self' {platform.url}" in response.headers["Content-Security-Policy"]
    assert "LTI dynamic registration" in caplog.text

    [sent] = platform.registrations
    assert sent["initiate_login_uri"] == "http://localhost/lti/login"
    assert sent["redirect_uris"] == ["http://localhost/lti/launch"]
    assert sent["jwks_uri"] == "http://localhost/lti/jwks"
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert set(sent["grant_types"]) == {"implicit", "client_credentials"}
    scopes = sent["scope"].split()
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in scopes
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem" in scopes
    assert "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly" in scopes
    tool = sent[TOOL_CONFIGURATION]
    assert (
        tool["domain"] == "localhost" and tool["target_link_uri"] == "http://localhost/lti/launch"
    )
    assert {m["type"] for m in tool["messages"]} == {
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
    }
    assert {"email", "name", "sub"} <= set(tool["claims"])

    [stored] = _platforms(app)
    assert stored.platform.issuer == platform.issuer
    assert stored.platform.client_id == "dynamic-client-1"
    assert stored.platform.auth_login_url == platform.auth_url
    assert stored.platform.token_url == platform.token_url
    assert stored.platform.jwks_url == platform.jwks_url
    assert stored.deployment_ids == ["dynamic-deployment-1"]
    print(f"registered: {stored.platform.name}, client {stored.platform.client_id}")

    again = _register(app, token, platform)
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)

    # The LMS launches with the client id and deployment it was given.
    platform.client_id, platform.deployment_id = "dynamic-client-1", "dynamic-deployment-1"
    response = launch(app.test_client(), platform)
    assert response.status_code == 200 and continue_url(response) == "/"


def test_a_configuration_whose_issuer_is_elsewhere_is_refused(
    app_and_token: tuple[Flask, str], platform: TestPlatform, caplog
) -> None:
    app, token = app_and_token
    platform.registration_issuer = "https://lms.evil.example"
    with caplog.at_level(logging.INFO, logger="coursekit.lti"):
        response = _register(app, token, platform)
    assert response.status_code == 400
    assert "does not match the configuration" in response.get_data(as_text=True)
    assert "LTI dynamic registration refused" in caplog.text
    assert platform.registrations == [] and _platforms(app) == []
    # The URL was not spent: with the right configuration it still works.
    platform.registration_issuer = None
    assert _register(app, token, platform).status_code == 200


def test_a_refused_registration_keeps_the_url_usable(
    app_and_token: tuple[Flask, str], platform: TestPlatform
) -> None:
    app, token = app_and_token
    response = _register(app, token, platform, registration_token="wrong")
    assert response.status_code == 502
    assert "refused the registration (HTTP 401)" in response.get_data(as_text=True)
    assert _platforms(app) == []
    session = app.extensions["coursekit"].db.sessionmaker()
    assert session.scalar(select(RegistrationToken.used_at)) is None
    session.close()


def test_bad_registration_urls(app_and_token: tuple[Flask, str], platform: TestPlatform) -> None:
    app, token = app_and_token
    client = app.test_client()
    assert client.get(f"/lti/register/{token}").status_code == 400  # not from an LMS
    assert _register(app, "made-up", platform).status_code == 404
    session = app.extensions["coursekit"].db.sessionmaker()
    expired = dynamic.issue_token(session, organisation_id=1, created_by=None, days=-1)
    session.close()
    assert _register(app, expired, platform).status_code == 410
    outside = _register(app, token, platform, openid_configuration="http://lms.example/config")
    assert outside.status_code == 400  # plain http is for this machine only


@pytest.mark.parametrize(
    ("issuer", "configuration", "matches"),
    [
        (
            "https://moodle.school.example",
            "https://moodle.school.example/mod/lti/openid-configuration.php",
            True,
        ),
        ("https://moodle.school.example", "https://evil.example/openid-configuration", False),
        (
            "https://canvas.instructure.com",
            "https://school.instructure.com/api/lti/security/openid-configuration",
            True,
        ),
        ("https://canvas.instructure.com", "https://instructure.com.evil.example/x", False),
        ("https://lms.example", "https://sub.lms.example/x", False),
    ],
)
def test_issuer_and_configuration_url(issuer: str, configuration: str, matches: bool) -> None:
    assert dynamic.issuer_matches(issuer, configuration) is matches


def test_in_production_only_https_lmss_register(make_app, platform: TestPlatform) -> None:  # type: ignore[no-untyped-def]
    app = make_app(COURSEKIT_CONTENT_DIR=str(MINI_CONTENT), COURSEKIT_PRODUCTION=True)
    session = app.extensions["coursekit"].db.sessionmaker()
    token = dynamic.issue_token(session, organisation_id=1, created_by=None, days=7)
    session.close()
    response = _register(app, token, platform)
    assert response.status_code == 400
    assert "openid_configuration must be an https URL" in response.get_data(as_text=True)
    assert platform.registrations == []


def test_the_registration_goes_to_the_configurations_host_only(
    app_and_token: tuple[Flask, str], platform: TestPlatform, monkeypatch
) -> None:
    app, token = app_and_token
    original = platform._openid_configuration

    def elsewhere(request):  # type: ignore[no-untyped-def]
        response = original(request)
        config = response.get_json()
        config["registration_endpoint"] = "http://localhost:9/register"
        return type(response)(json.dumps(config), content_type="application/json")

    monkeypatch.setattr(platform, "_openid_configuration", elsewhere)
    response = _register(app, token, platform)
    assert response.status_code == 400
    assert "not on the configuration&#39;s host" in response.get_data(as_text=True)
