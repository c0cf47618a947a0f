"""What an HTTP answer means for a delivery: sent, try again later, or give up (pure)."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from .services import Outcome

# Worth another try: the server was busy, down or slow, or asked us to wait.
RETRYABLE = {408, 425, 429, 500, 502, 503, 504}


def retry_after_seconds(response: httpx.Response, now: datetime | None = None) -> float | None:
    """The Retry-After header as seconds (it may be a number or an HTTP date)."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def describe(response: httpx.Response) -> str:
    """A short reason for the log and the instructor's page: status and the start of the body."""
    body = " ".join(response.text.split())[:300]
    reason = response.reason_phrase or ""
    return f"HTTP {response.status_code} {reason}".strip() + (f": {body}" if body else "")


def outcome_of(response: httpx.Response) -> Outcome:
    """2xx: sent. 401 (after a fresh token), 408, 429, 5xx: retry. Any other 4xx: the request
    itself is wrong and will stay wrong, so it fails at once, with the server's reason."""
    code = response.status_code
    if 200 <= code < 300:
        return Outcome.sent()
    if code == 401 or code in RETRYABLE or code >= 500:
        return Outcome.retry(describe(response), retry_after_seconds(response))
    return Outcome.failed(describe(response))


def transport_outcome(error: httpx.HTTPError) -> Outcome:
    """A timeout or a connection that failed: the server may be back later."""
    return Outcome.retry(f"{type(error).__name__}: {error}")
