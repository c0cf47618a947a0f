"""Retry timing (pure): exponential, capped, jittered, never sooner than Retry-After; and what
an HTTP answer means for a delivery."""

import random
from datetime import UTC, datetime

import httpx
import pytest

from coursekit.outbox.backoff import RetryPolicy, retry_delay
from coursekit.outbox.http import outcome_of, retry_after_seconds

POLICY = RetryPolicy(max_attempts=8, base_seconds=30, max_seconds=3600)


@pytest.mark.parametrize(
    ("attempts", "ceiling"), [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (40, 3600)]
)
def test_the_wait_doubles_up_to_the_cap_with_jitter(attempts: int, ceiling: float) -> None:
    rng = random.Random(7)
    delays = [retry_delay(attempts, POLICY, rng=rng) for _ in range(200)]
    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert len({round(d, 3) for d in delays}) > 100  # spread out, not in lockstep


def test_retry_after_is_a_floor_and_the_cap_still_holds() -> None:
    assert retry_delay(1, POLICY, retry_after=600) == 600
    assert retry_delay(1, POLICY, retry_after=99999) == 3600
    assert retry_delay(1, RetryPolicy(base_seconds=0.01)) == 1.0  # never a busy loop


def response(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(
        status, headers=headers, text="why", request=httpx.Request("POST", "http://x")
    )


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, "sent"),
        (204, "sent"),
        (401, "retry"),
        (408, "retry"),
        (429, "retry"),
        (500, "retry"),
        (503, "retry"),
        (400, "failed"),
        (403, "failed"),
        (404, "failed"),
        (409, "failed"),
        (415, "failed"),
    ],
)
def test_what_an_answer_means(status: int, verdict: str) -> None:
    outcome = outcome_of(response(status))
    assert outcome.status == verdict
    if verdict != "sent":
        assert outcome.error.startswith(f"HTTP {status}") and outcome.error.endswith(": why")


def test_retry_after_as_seconds_or_a_date() -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert retry_after_seconds(response(503, **{"Retry-After": "120"})) == 120
    dated = response(503, **{"Retry-After": "Sun, 22 Nov 2026 12:05:00 GMT"})
    assert retry_after_seconds(dated, now) == 300
    assert retry_after_seconds(response(503, **{"Retry-After": "soon"})) is None
    assert outcome_of(response(429, **{"Retry-After": "42"})).retry_after == 42
