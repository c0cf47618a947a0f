"""The tool's keys (JWKS, rotation with overlap) and the platforms' keys (cached, fetched
again on an unknown kid)."""

from collections.abc import Callable
from datetime import timedelta

import jwt
from flask import Flask
from flask.testing import FlaskClient
from jwt.algorithms import RSAAlgorithm

from coursekit.db import utcnow
from coursekit.lti import keys
from coursekit.lti.tokens import sign
from tests.lti.flow import launch, post_launch, start_login
from tests.lti.platform import TestPlatform


def _db(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["coursekit"].db.sessionmaker()


def test_the_jwks_publishes_public_rs256_signing_keys(app: Flask, client: FlaskClient) -> None:
    response = client.get("/lti/jwks")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "max-age" in response.headers["Cache-Control"]
    [key] = response.get_json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert key["kid"] and key["n"] and key["e"] == "AQAB"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)  # nothing private
    # What the current key signs verifies with the published key.
    session = _db(app)
    current = keys.current_key(session)
    session.close()
    assert current.kid == key["kid"]
    token = sign({"iss": "coursekit", "aud": "lms"}, current)
    assert jwt.get_unverified_header(token)["kid"] == key["kid"]
    claims = jwt.decode(token, RSAAlgorithm.from_jwk(key), algorithms=["RS256"], audience="lms")
    assert claims["iss"] == "coursekit"


def test_rotation_keeps_the_previous_key_published_for_the_overlap(app: Flask) -> None:
    session = _db(app)
    first = keys.current_key(session)
    rotation = keys.rotate(session, timedelta(hours=2))
    assert rotation.retired_kid == first.kid and rotation.new_kid != first.kid
    assert keys.current_key(session).kid == rotation.new_kid  # the new key signs at once
    now = utcnow()
    published = [k["kid"] for k in keys.published_keys(session, now)]
    assert published == [rotation.new_kid, first.kid]  # both, during the overlap
    later = [k["kid"] for k in keys.published_keys(session, now + timedelta(hours=3))]
    assert later == [rotation.new_kid]  # the old key has left the JWKS
    # A rotation after the overlap deletes the old private key for good.
    again = keys.rotate(session, timedelta(hours=2), now=now + timedelta(hours=3))
    assert again.dropped == 1 and again.retired_kid == rotation.new_kid
    session.close()


def test_rotate_key_command(app: Flask, client: FlaskClient) -> None:
    before = client.get("/lti/jwks").get_json()["keys"][0]["kid"]
    result = app.test_cli_runner().invoke(
        args=["coursekit", "lti", "rotate-key", "--overlap-hours", "24"]
    )
    assert result.exit_code == 0, result.output
    print(result.output.strip())
    assert f"{before} stays published until" in result.output
    kids = [k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]]
    assert len(kids) == 2 and kids[1] == before and f"signing with {kids[0]}" in result.output


def test_the_platforms_keys_are_cached_and_fetched_again_on_an_unknown_kid(
    lti_app: Flask, platform: TestPlatform
) -> None:
    launch(lti_app.test_client(), platform)
    launch(lti_app.test_client(), platform, sub="lms-user-2")
    assert platform.jwks_requests == 1  # the second launch used the cached key set
    platform.rotate()  # the LMS signs with a new key, unknown to the cache
    response = launch(lti_app.test_client(), platform, sub="lms-user-3")
    assert response.status_code == 200
    assert platform.jwks_requests == 2
    print(f"platform key set fetched {platform.jwks_requests} times for 3 launches")


def test_unknown_kids_do_not_flood_the_platform(
    make_lti_app: Callable[..., Flask], platform: TestPlatform
) -> None:
    app = make_lti_app(COURSEKIT_LTI_JWKS_MIN_REFETCH_SECONDS=60)
    client = app.test_client()
    launch(client, platform)
    for _ in range(3):
        login = start_login(client, platform)
        forged = platform.sign(platform.claims(login.nonce), kid="made-up")
        response = post_launch(client, forged, login.state)
        assert response.status_code == 400
    assert platform.jwks_requests == 1  # fetched again at most once a minute


def test_rotation_retires_every_key_marked_current(app: Flask) -> None:
    """Two first requests racing (on PostgreSQL) may each have made a key: both retire."""
    session = _db(app)
    for _ in range(2):
        pem = keys.new_private_pem()
        session.add(keys.ToolKey(kid=keys._thumbprint(pem), private_pem=pem))
    session.commit()
    rotation = keys.rotate(session, timedelta(hours=1))
    later = keys.published_keys(session, utcnow() + timedelta(hours=2))
    assert [k["kid"] for k in later] == [rotation.new_kid]
    session.close()
