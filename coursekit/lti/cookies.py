"""Cookies inside an LMS frame.

The launch is a cross-site POST into an iframe, and browsers refuse third-party cookies: so
over https the login state cookie, and the session cookie of a browser that came through a
launch, are `Secure; SameSite=None; Partitioned` (CHIPS: kept per embedding site, which
browsers that block third-party cookies still allow). Over plain http (development) browsers
refuse SameSite=None without Secure, so no SameSite is sent at all, and a top-level launch
still works within Chrome's two-minute allowance for fresh cookies."""

from typing import Any

from flask import Flask, Response, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface

STATE_COOKIE_PREFIX = "coursekit_lti_state_"
# Set in the session by a verified launch: this browser's session cookie must work in a frame.
LTI_SESSION_KEY = "ck_lti"


def embedded_attributes() -> dict[str, Any]:
    """set_cookie() keywords for a cookie that must reach us inside an LMS frame."""
    if request.is_secure:
        return {"secure": True, "samesite": "None", "partitioned": True}
    return {"secure": False, "samesite": None}


def set_state_cookie(response: Response, state: str, path: str, max_age: int) -> None:
    """Bind a login's state to this browser: the launch must come back with the same."""
    response.set_cookie(
        STATE_COOKIE_PREFIX + state,
        state,
        max_age=max_age,
        path=path,
        httponly=True,
        **embedded_attributes(),
    )


def browser_state(state: str | None) -> str | None:
    """The state this browser was given for `state`'s login, if it still has it."""
    if not state:
        return None
    return request.cookies.get(STATE_COOKIE_PREFIX + state)


def clear_state_cookie(response: Response, state: str, path: str) -> None:
    response.delete_cookie(
        STATE_COOKIE_PREFIX + state, path=path, httponly=True, **embedded_attributes()
    )


def _launched_over_https() -> bool:
    return has_request_context() and request.is_secure and bool(session.get(LTI_SESSION_KEY))


class LaunchAwareSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, whose cookie works inside an LMS frame for browsers
    that came through a launch (decided per request: only over https). Everyone else keeps
    the app's own cookie settings (SameSite=Lax by default)."""

    def get_cookie_samesite(self, app: Flask) -> str | None:
        return "None" if _launched_over_https() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        return True if _launched_over_https() else super().get_cookie_secure(app)

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return True if _launched_over_https() else super().get_cookie_partitioned(app)
