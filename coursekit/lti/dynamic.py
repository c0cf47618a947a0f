"""LTI Dynamic Registration 1.0: an LMS administrator pastes one URL and the LMS and CourseKit
register with each other.

The URL carries a one-time token an admin made in CourseKit, rather than requiring an admin
to be signed in: the LMS opens the URL in its own frame, where CourseKit's normal (top-level)
session cookie is not sent, so "only a signed-in admin" would refuse every real registration.
The token is single-use, expires, is stored hashed, and names the organisation it registers for."""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import utcnow, write_transaction
from . import claims as c
from . import registrations
from .models import Platform, RegistrationToken

log = logging.getLogger("coursekit.lti")

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
# Multi-tenant LMSs whose issuer is shared while each school's configuration is served from
# the school's own host (Canvas Cloud): issuer -> the host suffix its schools live under.
SHARED_ISSUERS = {
    "https://canvas.instructure.com": ".instructure.com",
    "https://canvas.beta.instructure.com": ".instructure.com",
    "https://canvas.test.instructure.com": ".instructure.com",
}


class RegistrationFailed(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, organisation_id: int, created_by: int | None, days: int) -> str:
    """A new one-time registration token (the URL path part); only its hash is stored."""
    token = secrets.token_urlsafe(24)
    with write_transaction(session):
        session.add(
            RegistrationToken(
                token_hash=_hash(token),
                organisation_id=organisation_id,
                created_by=created_by,
                expires_at=utcnow() + timedelta(days=days),
            )
        )
    return token


@dataclass(frozen=True)
class ToolUrls:
    name: str
    login_url: str
    launch_url: str
    jwks_url: str
    description: str = ""


def issuer_matches(issuer: str, configuration_url: str) -> bool:
    """The configuration is served by the issuer's own host (or, for a shared issuer such as
    Canvas Cloud's, by a host of that LMS)."""
    issuer_host = urlsplit(issuer).hostname or ""
    config_host = urlsplit(configuration_url).hostname or ""
    if issuer_host and issuer_host == config_host:
        return True
    suffix = SHARED_ISSUERS.get(issuer.rstrip("/"))
    return suffix is not None and config_host.endswith(suffix)


def tool_registration(tool: ToolUrls) -> dict[str, Any]:
    """The client registration CourseKit asks for (LTI-DR 3.3): launch, deep linking, and the
    grade and roster services."""
    domain = urlsplit(tool.launch_url).netloc
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.login_url,
        "redirect_uris": [tool.launch_url],
        "client_name": tool.name,
        "jwks_uri": tool.jwks_url,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SCOPES),
        TOOL_CONFIGURATION: {
            "domain": domain,
            "description": tool.description,
            "target_link_uri": tool.launch_url,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email", "locale"],
            "messages": [
                {"type": c.RESOURCE_LINK_REQUEST, "target_link_uri": tool.launch_url},
                {
                    "type": c.DEEP_LINKING_REQUEST,
                    "target_link_uri": tool.launch_url,
                    "label": tool.name,
                    "placements": ["link_selection", "assignment_selection"],
                    "supported_types": ["ltiResourceLink"],
                },
            ],
            # Canvas sends names and emails only to tools that ask for them.
            "https://canvas.instructure.com/lti/privacy_level": "public",
        },
    }


def _open_token(session: Session, token: str) -> RegistrationToken:
    row = session.scalar(
        select(RegistrationToken).where(RegistrationToken.token_hash == _hash(token))
    )
    if row is None:
        raise RegistrationFailed("this registration URL is not valid", 404)
    if row.used_at is not None:
        raise RegistrationFailed("this registration URL was already used: make a new one", 410)
    if row.expires_at <= utcnow():
        raise RegistrationFailed("this registration URL has expired: make a new one", 410)
    return row


def _claim(session: Session, row_id: int, claimed: bool) -> bool:
    """Take the token for this registration (or give it back after a failure), atomically."""
    with write_transaction(session):
        query = update(RegistrationToken).where(RegistrationToken.id == row_id)
        if claimed:
            query = query.where(RegistrationToken.used_at.is_(None))
        done = session.execute(query.values(used_at=utcnow() if claimed else None)).rowcount
    return done == 1


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code >= 400:
        # The body goes to the log only: the person holding the URL must not be able to
        # read whatever an address answers.
        log.warning(
            "LTI dynamic registration: %s answered %d: %s",
            what,
            response.status_code,
            response.text[:500],
        )
        raise RegistrationFailed(f"the LMS refused the {what} (HTTP {response.status_code})", 502)
    try:
        document = response.json()
    except ValueError as error:
        raise RegistrationFailed(f"the LMS's {what} is not JSON", 502) from error
    if not isinstance(document, dict):
        raise RegistrationFailed(f"the LMS's {what} is not a JSON object", 502)
    return document


def fetch_configuration(
    url: str, registration_token: str | None, timeout: float, loopback_http: bool = False
) -> dict[str, Any]:
    """The platform's OpenID configuration, checked (LTI-DR 3.4, 3.5)."""
    try:
        url = registrations.check_url(url, "openid_configuration", loopback_http=loopback_http)
    except registrations.RegistrationError as error:
        raise RegistrationFailed(str(error)) from error
    headers = {"Accept": "application/json"}
    if registration_token:  # Canvas wants it here too; others ignore it
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        config = _json(httpx.get(url, headers=headers, timeout=timeout), "OpenID configuration")
    except httpx.HTTPError as error:
        raise RegistrationFailed(
            f"the LMS's OpenID configuration could not be read: {error}", 502
        ) from error
    for key in (
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "registration_endpoint",
    ):
        if not isinstance(config.get(key), str) or not config[key]:
            raise RegistrationFailed(f"the LMS's OpenID configuration has no {key}")
    if not issuer_matches(config["issuer"], url):
        raise RegistrationFailed(
            f"the issuer {config['issuer']!r} does not match the configuration's address {url!r}"
        )
    # Registration goes to the host that served the configuration, nowhere else.
    if urlsplit(config["registration_endpoint"]).netloc != urlsplit(url).netloc:
        raise RegistrationFailed("the registration endpoint is not on the configuration's host")
    return config


def register(
    session: Session,
    *,
    token: str,
    openid_configuration: str | None,
    registration_token: str | None,
    tool: ToolUrls,
    timeout: float,
    loopback_http: bool = False,
) -> Platform:
    """Register with the LMS that sent us here, and store it as a platform. Plain http is
    refused unless `loopback_http` (a platform on this machine, outside production)."""
    row = _open_token(session, token)
    if not openid_configuration:
        raise RegistrationFailed("open this URL from your LMS's tool registration page")
    config = fetch_configuration(openid_configuration, registration_token, timeout, loopback_http)
    if not _claim(session, row.id, claimed=True):
        raise RegistrationFailed("this registration URL was already used: make a new one", 410)
    try:
        platform = _register(session, row, config, registration_token, tool, timeout)
    except BaseException:
        _claim(session, row.id, claimed=False)
        raise
    log.info("LTI dynamic registration: %s as client %r", platform.issuer, platform.client_id)
    return platform


def _register(
    session: Session,
    row: RegistrationToken,
    config: dict[str, Any],
    registration_token: str | None,
    tool: ToolUrls,
    timeout: float,
) -> Platform:
    try:
        endpoint = registrations.check_url(
            config["registration_endpoint"], "registration_endpoint", loopback_http=True
        )
    except registrations.RegistrationError as error:
        raise RegistrationFailed(str(error)) from error
    headers = {"Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        response = httpx.post(
            endpoint, json=tool_registration(tool), headers=headers, timeout=timeout
        )
    except httpx.HTTPError as error:
        raise RegistrationFailed(
            f"the LMS's registration endpoint could not be reached: {error}", 502
        ) from error
    registered = _json(response, "registration")
    client_id = registered.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise RegistrationFailed("the LMS's registration answer has no client_id", 502)
    tool_config = registered.get(TOOL_CONFIGURATION) or {}
    deployment_id = tool_config.get("deployment_id") if isinstance(tool_config, dict) else None
    platform_config = config.get(PLATFORM_CONFIGURATION)
    family = (
        platform_config.get("product_family_code") if isinstance(platform_config, dict) else None
    )
    try:
        platform = registrations.add_platform(
            session,
            name=f"{family or urlsplit(config['issuer']).hostname} (dynamic registration)",
            issuer=config["issuer"],
            client_id=client_id,
            auth_login_url=config["authorization_endpoint"],
            token_url=config["token_endpoint"],
            jwks_url=config["jwks_uri"],
            token_audience=config.get("authorization_server"),
            deployment_ids=[str(deployment_id)] if deployment_id else [],
            organisation_id=row.organisation_id,
        )
    except registrations.RegistrationError as error:
        raise RegistrationFailed(str(error)) from error
    with write_transaction(session):
        session.execute(
            update(RegistrationToken)
            .where(RegistrationToken.id == row.id)
            .values(platform_id=platform.id)
        )
    return platform
