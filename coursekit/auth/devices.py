"""Device cookies (OWASP's answer to account lockout): a browser that has signed in to an
account carries a signed cookie naming it, and its login attempts for that account are
limited on their own, so an attacker guessing that account's password from elsewhere slows
down only the browsers that never proved themselves, never the owner's."""

import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "ck_device"
MAX_AGE = 365 * 24 * 3600
_SALT = "coursekit.device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=_SALT)


def trusted_device(email: str) -> str | None:
    """This browser's device id if it has signed in to `email` before, else None."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("e") != email:
        return None
    return str(data.get("n", "")) or None


def remember_device(response: Response, email: str) -> None:
    """After a successful login: this browser is now a known device of the account."""
    token = _serializer().dumps({"e": email, "n": secrets.token_urlsafe(12)})
    response.set_cookie(
        COOKIE,
        token,
        max_age=MAX_AGE,
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
    )
