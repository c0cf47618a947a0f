"""OAuth2 client credentials with a signed JWT assertion, against the fake platform: the
claims it verifies, one token for many calls, a new one near expiry or after a 401."""

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from coursekit.lti import ags
from coursekit.lti.oauth import ServiceClient, TokenClient, TokenError
from tests.lti.services_server import CLIENT_ID, FakePlatform, new_key, running


@pytest.fixture
def tool_key():  # type: ignore[no-untyped-def]
    return new_key()


@pytest.fixture
def platform(tool_key) -> Iterator[FakePlatform]:  # type: ignore[no-untyped-def]
    with running(FakePlatform(tool_public_pem=tool_key[1])) as fake:
        yield fake


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def score(user: str = "lms-user-1", given: float = 80) -> dict:
    return ags.Score(
        user_id=user,
        score_given=given,
        score_maximum=100,
        activity_progress="Completed",
        grading_progress="FullyGraded",
        timestamp=datetime.now(UTC),
    ).to_json()


def test_the_platform_verifies_the_signed_assertion(platform: FakePlatform, tool_key) -> None:
    key, _public = tool_key
    with httpx.Client(timeout=5) as http:
        token = TokenClient().token(http, platform.endpoints, key, [ags.SCOPE_SCORE])
    assert token in platform.tokens
    [seen] = platform.assertions
    claims, header = seen["claims"], seen["header"]
    assert header == {"alg": "RS256", "kid": "tool-key-1", "typ": "JWT"}
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert claims["aud"] == platform.endpoints.token_audience
    assert 0 < claims["exp"] - claims["iat"] <= 300
    assert len(claims["jti"]) >= 32
    assert seen["scope"] == {ags.SCOPE_SCORE}


def test_an_assertion_signed_with_another_key_is_refused(platform: FakePlatform) -> None:
    stranger, _public = new_key(kid="tool-key-1")  # same kid, wrong key
    with httpx.Client(timeout=5) as http, pytest.raises(TokenError) as refused:
        TokenClient().token(http, platform.endpoints, stranger, [ags.SCOPE_SCORE])
    assert refused.value.status == 401
    assert "Signature verification failed" in platform.token_refusals[0]
    assert platform.tokens == {}


def test_one_token_serves_many_calls_until_shortly_before_it_expires(
    platform: FakePlatform, tool_key
) -> None:
    key, _public = tool_key
    clock = Clock()
    tokens = TokenClient(clock=clock)
    lineitem = platform.add_lineitem("Quiz")
    with httpx.Client(timeout=5) as http:
        client = ServiceClient(http, platform.endpoints, key, tokens)
        for given in (10, 20, 30):
            assert ags.publish_score(client, lineitem, score(given=given)).status_code == 204
        assert len(platform.assertions) == 1 and len(platform.scores) == 3
        clock.now += 3600 - 120  # two minutes before expiry: still good
        ags.publish_score(client, lineitem, score())
        assert len(platform.assertions) == 1
        clock.now += 90  # 30 s before expiry: renewed first, not used until it fails
        ags.publish_score(client, lineitem, score())
        assert len(platform.assertions) == 2
        # Different scopes are a different token.
        tokens.token(http, platform.endpoints, key, [ags.SCOPE_LINEITEM])
        assert len(platform.assertions) == 3
    # Every assertion was fresh: the platform refuses a replayed jti.
    assert platform.token_refusals == []


def test_a_revoked_token_is_dropped_and_replaced_on_401(platform: FakePlatform, tool_key) -> None:
    key, _public = tool_key
    tokens = TokenClient()
    lineitem = platform.add_lineitem("Quiz")
    with httpx.Client(timeout=5) as http:
        client = ServiceClient(http, platform.endpoints, key, tokens)
        ags.publish_score(client, lineitem, score())
        platform.revoke_tokens()  # the platform forgets every token it issued
        response = ags.publish_score(client, lineitem, score(given=55))
    assert response.status_code == 204
    assert len(platform.assertions) == 2
    assert [s["body"]["scoreGiven"] for s in platform.scores] == [80, 55]
