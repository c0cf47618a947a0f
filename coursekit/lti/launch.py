"""The OIDC login and the launch check: nothing is trusted until every check has passed,
and nothing is written until then either (the nonce is spent last)."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..db import utcnow, write_transaction
from . import claims as c
from . import registrations, tokens
from .jwks import KeySetCache
from .models import OneTimeValue, Platform

NONCE = "nonce"
OPEN = "open"


class LaunchError(Exception):
    """A refused login or launch: `status` is the HTTP status, the message says why."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class LoginRequest:
    """A third-party initiated login, as the platform sent it."""

    issuer: str
    login_hint: str
    target_link_uri: str
    lti_message_hint: str | None = None
    client_id: str | None = None
    deployment_id: str | None = None


@dataclass(frozen=True)
class LoginStart:
    platform: Platform
    state: str
    redirect_url: str  # the platform's authorisation endpoint, with the OIDC parameters


def begin_login(
    session: Session, request: LoginRequest, *, redirect_uri: str, max_age: int
) -> LoginStart:
    """Check a login initiation and make its state and nonce. The nonce is stored (hashed,
    bound to the state's hash) to be spent once by the launch that answers this login."""
    if not request.issuer or not request.login_hint or not request.target_link_uri:
        raise LaunchError("the login initiation must carry iss, login_hint and target_link_uri")
    try:
        platform = registrations.for_login(session, request.issuer, request.client_id)
    except registrations.UnknownPlatform as error:
        raise LaunchError(str(error), 403) from error
    if request.deployment_id and not registrations.has_deployment(
        session, platform.id, request.deployment_id
    ):
        raise LaunchError(f"deployment {request.deployment_id!r} is not registered", 403)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    with write_transaction(session):
        # Expired values are useless (a launch with one is refused either way): drop them.
        session.execute(delete(OneTimeValue).where(OneTimeValue.expires_at < now))
        session.add(
            OneTimeValue(
                purpose=NONCE,
                value_hash=digest(nonce),
                state_hash=digest(state),
                platform_id=platform.id,
                expires_at=now + timedelta(seconds=max_age),
            )
        )
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": redirect_uri,
        "login_hint": request.login_hint,
        "state": state,
        "nonce": nonce,
    }
    if request.lti_message_hint:
        params["lti_message_hint"] = request.lti_message_hint
    separator = "&" if urlsplit(platform.auth_login_url).query else "?"
    return LoginStart(platform, state, platform.auth_login_url + separator + urlencode(params))


@dataclass(frozen=True)
class VerifiedLaunch:
    platform: Platform
    message: c.LaunchMessage
    claims: dict[str, Any]
    nonce_hash: str


def verify_launch(
    session: Session,
    *,
    id_token: str | None,
    state: str | None,
    browser_state: str | None,
    cache: KeySetCache,
    leeway: float,
    now: datetime | None = None,
) -> VerifiedLaunch:
    """Check a launch completely: the state against the browser's, the signature against
    the platform's key, issuer, audience and authorised party, times, the LTI claims, the
    deployment, and the nonce (issued by us, for this state, unused, unexpired)."""
    if not id_token:
        raise LaunchError("the launch carries no id_token")
    if not state:
        raise LaunchError("the launch carries no state")
    if not browser_state or not hmac.compare_digest(browser_state, state):
        raise LaunchError(
            "the launch's state does not match this browser's login (the login was started "
            "in another browser, took too long, or the browser blocked the tool's cookie)"
        )
    try:
        header, unverified = tokens.unverified_header_and_claims(id_token)
        aud = unverified.get("aud")
        platform = registrations.for_token(
            session, str(unverified.get("iss")), aud if isinstance(aud, list) else [aud]
        )
    except tokens.TokenError as error:
        raise LaunchError(str(error)) from error
    except registrations.UnknownPlatform as error:
        raise LaunchError(str(error), 403) from error
    try:
        verified = tokens.verify(
            id_token,
            cache=cache,
            jwks_url=platform.jwks_url,
            kid=str(header["kid"]),
            issuer=platform.issuer,
            client_id=platform.client_id,
            leeway=leeway,
        )
        c.check_audience(verified, platform.client_id)
        message = c.parse_launch(verified)
    except (tokens.TokenError, c.ClaimError) as error:
        raise LaunchError(str(error)) from error
    if not registrations.has_deployment(session, platform.id, message.deployment_id):
        raise LaunchError(f"deployment {message.deployment_id!r} is not registered", 403)
    if message.deep_link is not None:
        _check_deep_link(message)
    nonce_hash = digest(str(verified["nonce"]))
    _check_nonce(session, nonce_hash, digest(state), platform.id, now or utcnow())
    return VerifiedLaunch(platform, message, verified, nonce_hash)


def _check_deep_link(message: c.LaunchMessage) -> None:
    assert message.deep_link is not None
    if not message.is_instructor:
        raise LaunchError("only instructors can add CourseKit activities (deep linking)", 403)
    if "ltiResourceLink" not in message.deep_link.accept_types:
        raise LaunchError("the LMS does not accept LTI resource links here (accept_types)")


def _check_nonce(
    session: Session, nonce_hash: str, state_hash: str, platform_id: int, now: datetime
) -> None:
    row = session.scalar(
        select(OneTimeValue).where(
            OneTimeValue.value_hash == nonce_hash, OneTimeValue.purpose == NONCE
        )
    )
    if row is None:
        raise LaunchError("the id_token's nonce was not issued by this tool, or has expired")
    if row.used_at is not None:
        raise LaunchError("this launch was already used: an id_token is accepted once only")
    if row.state_hash != state_hash or row.platform_id != platform_id:
        raise LaunchError("the id_token's nonce belongs to another login")
    if row.expires_at <= now:
        raise LaunchError("the login took too long: start again from the LMS")


def spend_nonce(session: Session, nonce_hash: str) -> None:
    """Mark the nonce used; a concurrent second use of the same id_token loses here."""
    with write_transaction(session):
        spent = session.execute(
            update(OneTimeValue)
            .where(OneTimeValue.value_hash == nonce_hash, OneTimeValue.used_at.is_(None))
            .values(used_at=utcnow())
        ).rowcount
    if spent != 1:
        raise LaunchError("this launch was already used: an id_token is accepted once only")


def issue_open_link(session: Session, user_id: int, target: str, max_age: int) -> str:
    """A one-time value that signs this user in at `target` in a new, top-level window
    (for browsers that refuse the tool's cookies inside the LMS frame)."""
    value = secrets.token_urlsafe(32)
    with write_transaction(session):
        session.add(
            OneTimeValue(
                purpose=OPEN,
                value_hash=digest(value),
                user_id=user_id,
                target=target,
                expires_at=utcnow() + timedelta(seconds=max_age),
            )
        )
    return value


def spend_open_link(session: Session, value: str) -> tuple[int, str]:
    """The (user id, target) of an unused, unexpired open link, now spent."""
    now = utcnow()
    with write_transaction(session):
        row = session.scalar(
            select(OneTimeValue).where(
                OneTimeValue.value_hash == digest(value), OneTimeValue.purpose == OPEN
            )
        )
        if row is None or row.user_id is None or row.target is None:
            raise LaunchError("this link is not valid", 404)
        if row.used_at is not None:
            raise LaunchError(
                "this link was already used: open the activity again from the LMS", 410
            )
        if row.expires_at <= now:
            raise LaunchError("this link has expired: open the activity again from the LMS", 410)
        row.used_at = now
        return row.user_id, row.target
