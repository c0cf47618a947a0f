"""When to try a failed delivery again: exponential backoff with jitter (pure)."""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 10  # after this many failed tries a message is marked failed
    base_seconds: float = 30.0  # the first retry comes after about this long
    max_seconds: float = 6 * 3600.0  # the wait never grows beyond this
    lease_seconds: float = 600.0  # a claimed message is free again after this (worker died)


def retry_delay(
    attempts: int,
    policy: RetryPolicy,
    *,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after the `attempts`-th failed try: base * 2^(attempts-1), capped, with
    "equal jitter" (half fixed, half random) so that messages that failed together (an LMS
    outage) do not all come back at the same moment; never sooner than the server's
    Retry-After, and never less than a second."""
    exponent = min(max(attempts - 1, 0), 32)
    ceiling = min(policy.max_seconds, policy.base_seconds * 2**exponent)
    delay = ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
    if retry_after is not None:
        delay = max(delay, min(retry_after, policy.max_seconds))
    return max(delay, 1.0)
