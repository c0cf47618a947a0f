"""Every check of a launch, failing one at a time: each is a 4xx page that says why, a log
line, and nothing written (no user, identity, cohort or launch record)."""

import base64
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.lti.flow import counts, post_launch, start_login
from tests.lti.platform import INSTRUCTOR, LEARNER, LTI, TestPlatform, new_key, public_pem

Forge = Callable[[TestPlatform, str], str]  # (platform, nonce) -> id_token


def _signed(**extra: Any) -> Forge:
    return lambda p, nonce: p.sign(p.claims(nonce, **extra))


def _without(claim: str) -> Forge:
    return lambda p, nonce: p.sign({k: v for k, v in p.claims(nonce).items() if k != claim})


def _tampered(p: TestPlatform, nonce: str) -> str:
    header, payload, signature = p.sign(p.claims(nonce)).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _wrong_key(p: TestPlatform, nonce: str) -> str:
    return p.sign(p.claims(nonce), key=new_key())  # the platform's kid, another key


def _alg_none(p: TestPlatform, nonce: str) -> str:
    return p.sign(p.claims(nonce), algorithm="none")


def _hs256_with_public_key(p: TestPlatform, nonce: str) -> str:
    import hmac
    from hashlib import sha256

    # Signed by hand: PyJWT rightly refuses to use a PEM public key as an HMAC secret.
    header = {"alg": "HS256", "typ": "JWT", "kid": p.kid}

    def part(value: dict) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=")

    signing_input = part(header) + b"." + part(p.claims(nonce))
    mac = hmac.new(public_pem(p.key), signing_input, sha256).digest()
    return (signing_input + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")).decode()


def _unknown_kid(p: TestPlatform, nonce: str) -> str:
    return p.sign(p.claims(nonce), kid="not-published")


NOW = int(time.time())

REFUSALS: dict[str, tuple[Forge, int, str]] = {
    "tampered signature": (_tampered, 400, "signature does not verify"),
    "signed with another key": (_wrong_key, 400, "signature does not verify"),
    "alg none": (_alg_none, 400, "signed with 'none'; only RS256 is accepted"),
    "HS256 with the public key": (_hs256_with_public_key, 400, "signed with 'HS256'"),
    "unknown kid": (_unknown_kid, 400, "has no key 'not-published'"),
    "wrong aud": (_signed(aud="another-tool"), 403, "no registration for issuer"),
    "wrong iss": (_signed(iss="https://evil.example.com"), 403, "no registration for issuer"),
    "several aud, no azp": (
        _signed(aud=["coursekit-at-test-lms", "other-tool"]),
        400,
        "several audiences but no authorized party (azp)",
    ),
    "several aud, wrong azp": (
        _signed(aud=["coursekit-at-test-lms", "other-tool"], azp="other-tool"),
        400,
        "authorized party (azp) is another client",
    ),
    "azp of another client": (_signed(azp="other-tool"), 400, "azp) is another client"),
    "expired": (_signed(iat=NOW - 900, exp=NOW - 600), 400, "the id_token has expired"),
    "iat in the future": (
        _signed(iat=NOW + 600, exp=NOW + 900),
        400,
        "issued in the future (iat)",
    ),
    "unknown deployment": (
        _signed(**{LTI + "deployment_id": "deployment-x"}),
        403,
        "deployment 'deployment-x' is not registered",
    ),
    "wrong version": (_signed(**{LTI + "version": "1.2.0"}), 400, "version '1.2.0'"),
    "no exp": (_signed(exp=None), 400, "lacks the 'exp' claim"),
    "no iat": (_signed(iat=None), 400, "lacks the 'iat' claim"),
    "no nonce": (_without("nonce"), 400, "lacks the 'nonce' claim"),
    "no sub": (_without("sub"), 400, "anonymous launches are not supported"),
    "no roles": (_signed(**{LTI + "roles": None}), 400, "roles claim is missing"),
    "no message type": (_signed(**{LTI + "message_type": None}), 400, "message type None"),
    "no deployment": (_signed(**{LTI + "deployment_id": None}), 400, "deployment_id claim"),
    "no resource link": (_signed(**{LTI + "resource_link": None}), 400, "resource_link claim"),
    "no target link uri": (_signed(**{LTI + "target_link_uri": None}), 400, "target_link_uri"),
    "nonce not ours": (
        lambda p, nonce: p.sign(p.claims("a-nonce-we-never-issued")),
        400,
        "nonce was not issued by this tool",
    ),
    "deep linking by a learner": (
        _signed(message_type="LtiDeepLinkingRequest", roles=[LEARNER]),
        403,
        "only instructors can add CourseKit activities",
    ),
    "deep linking without resource links": (
        _signed(
            message_type="LtiDeepLinkingRequest",
            roles=[INSTRUCTOR],
            **{
                "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
                    "deep_link_return_url": "https://lms.example.com/r",
                    "accept_types": ["file"],
                }
            },
        ),
        400,
        "does not accept LTI resource links",
    ),
}


def _assert_refused(
    app: Flask, response: Any, status: int, reason: str, before: dict, caplog: Any
) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert "refused" in page and reason.replace("'", "&#39;") in page, page
    assert any(
        "LTI launch refused" in r.getMessage() and reason in r.getMessage() for r in caplog.records
    ), caplog.text
    assert counts(app) == before  # nothing written


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_launch_failing_one_check_is_refused(
    case: str, lti_app: Flask, lti_client: FlaskClient, platform: TestPlatform, caplog
) -> None:
    forge, status, reason = REFUSALS[case]
    before = counts(lti_app)
    login = start_login(lti_client, platform)
    with caplog.at_level(logging.INFO, logger="coursekit.lti"):
        response = post_launch(lti_client, forge(platform, login.nonce), login.state)
    _assert_refused(lti_app, response, status, reason, before, caplog)
    # The refusal page may be shown in the LMS's frame.
    assert platform.url in response.headers["Content-Security-Policy"]


def test_a_replayed_id_token_is_refused(
    lti_app: Flask, lti_client: FlaskClient, platform: TestPlatform, caplog
) -> None:
    login = start_login(lti_client, platform)
    token = platform.sign(platform.claims(login.nonce))
    assert post_launch(lti_client, token, login.state).status_code == 200
    before = counts(lti_app)
    # The same id_token and state again, the state cookie put back as an attacker would.
    lti_client.set_cookie(f"coursekit_lti_state_{login.state}", login.state, path="/lti/launch")
    with caplog.at_level(logging.INFO, logger="coursekit.lti"):
        response = post_launch(lti_client, token, login.state)
    _assert_refused(lti_app, response, 400, "already used", before, caplog)
    # ... and under the state of a new login in the same browser.
    fresh = start_login(lti_client, platform)
    with caplog.at_level(logging.INFO, logger="coursekit.lti"):
        response = post_launch(lti_client, token, fresh.state)
    _assert_refused(lti_app, response, 400, "already used", before, caplog)


def test_a_nonce_bound_to_another_login_is_refused(
    lti_app: Flask, lti_client: FlaskClient, platform: TestPlatform, caplog
) -> None:
    first, second = start_login(lti_client, platform), start_login(lti_client, platform)
    before = counts(lti_app)
    with caplog.at_level(logging.INFO, logger="coursekit.lti"):
        response = post_launch(
            lti_client, platform.sign(platform.claims(first.nonce)), second.state
        )
    _assert_refused(lti_app, response, 400, "nonce belongs to another login", before, caplog)


@pytest.mark.parametrize("state", ["missing", "mismatched", "no cookie"])
def test_the_state_must_be_this_browsers(
    state: str, lti_app: Flask, lti_client: FlaskClient, platform: TestPlatform, caplog
) -> None:
    login = start_login(lti_client, platform)
    token = platform.sign(platform.claims(login.nonce))
    before = counts(lti_app)
    with caplog.at_level(logging.INFO, logger="coursekit.lti"):
        if state == "missing":
            response = lti_client.post("/lti/launch", data={"id_token": token})
            reason = "carries no state"
        elif state == "mismatched":
            other = start_login(lti_client, platform)
            lti_client.set_cookie(
                f"coursekit_lti_state_{login.state}", other.state, path="/lti/launch"
            )
            response = post_launch(lti_client, token, login.state)
            reason = "state does not match this browser"
        else:  # a login started in one browser, answered in another
            response = post_launch(lti_client.application.test_client(), token, login.state)
            reason = "state does not match this browser"
    _assert_refused(lti_app, response, 400, reason, before, caplog)


def test_a_login_too_old_is_refused(
    make_lti_app: Callable[..., Flask], platform: TestPlatform, caplog
) -> None:
    app = make_lti_app(COURSEKIT_LTI_LOGIN_MAX_AGE=-1)
    client = app.test_client()
    login = start_login(client, platform)
    before = counts(app)
    with caplog.at_level(logging.INFO, logger="coursekit.lti"):
        response = post_launch(client, platform.sign(platform.claims(login.nonce)), login.state)
    # Expired nonces are dropped at the next login, so this one may already be gone.
    assert response.status_code == 400
    assert counts(app) == before


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"iss": "https://unknown.example.com"}, 403, "no platform is registered with issuer"),
        ({"client_id": "not-ours"}, 403, "and client id 'not-ours'"),
        ({"login_hint": ""}, 400, "must carry iss, login_hint and target_link_uri"),
        ({"target_link_uri": ""}, 400, "must carry iss, login_hint and target_link_uri"),
        ({"lti_deployment_id": "deployment-x"}, 403, "deployment 'deployment-x'"),
    ],
)
def test_a_bad_login_initiation_is_refused(
    change: dict,
    status: int,
    reason: str,
    lti_client: FlaskClient,
    platform: TestPlatform,
    caplog,
) -> None:
    with caplog.at_level(logging.INFO, logger="coursekit.lti"):
        response = lti_client.get("/lti/login", query_string=platform.login_params(**change))
    assert response.status_code == status
    assert reason.replace("'", "&#39;") in response.get_data(as_text=True)
    assert "LTI login refused" in caplog.text and reason in caplog.text
    assert not [c for c in lti_client._cookies if c[2].startswith("coursekit_lti_state_")]


def test_an_error_from_the_lms_is_shown(
    lti_client: FlaskClient, platform: TestPlatform, caplog
) -> None:
    login = start_login(lti_client, platform)
    with caplog.at_level(logging.INFO, logger="coursekit.lti"):
        response = lti_client.post(
            "/lti/launch",
            data={
                "error": "login_required",
                "error_description": "No session",
                "state": login.state,
            },
        )
    assert response.status_code == 400
    assert "login_required: No session" in response.get_data(as_text=True)
    assert "LTI launch refused" in caplog.text
