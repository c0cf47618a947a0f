"""Platform registrations: add, list, find and remove LMSs and their deployments."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import write_transaction
from ..orgs.models import DEFAULT_ORGANISATION_ID
from .models import Deployment, Platform
from .types import PlatformEndpoints

# Plain http is only accepted for this machine (a test or development platform).
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class RegistrationError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class UnknownPlatform(RegistrationError):
    pass


def origin(url: str) -> str | None:
    """scheme://host[:port] of a URL, or None if it is not an http(s) URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS


def check_url(url: str, field: str, *, loopback_http: bool = True) -> str:
    """An https URL (plain http only on this machine, if allowed), without a fragment."""
    url = url.strip()
    parts = urlsplit(url)
    local = loopback_http and parts.scheme == "http" and is_loopback(url)
    if parts.scheme != "https" and not local:
        raise RegistrationError(f"{field} must be an https URL", field)
    if not parts.hostname or parts.fragment:
        raise RegistrationError(f"{field} must be a full URL without a fragment", field)
    return url


def _origins(text: str | None) -> str | None:
    found = []
    for item in (text or "").split():
        value = origin(item)
        if value is None or value != item.rstrip("/"):
            raise RegistrationError(
                f"{item!r} is not an origin like https://lms.example.com", "frame_origins"
            )
        found.append(value)
    return " ".join(dict.fromkeys(found)) or None


def add_platform(
    session: Session,
    *,
    name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    token_url: str,
    jwks_url: str,
    token_audience: str | None = None,
    frame_origins: str | None = None,
    deployment_ids: Sequence[str] = (),
    organisation_id: int = DEFAULT_ORGANISATION_ID,
) -> Platform:
    """Register an LMS; the issuer + client id pair names it and must be new."""
    issuer = check_url(issuer, "issuer")
    if urlsplit(issuer).query:
        raise RegistrationError("issuer must not have a query", "issuer")
    client_id = client_id.strip()
    if not client_id:
        raise RegistrationError("client_id is required", "client_id")
    platform = Platform(
        organisation_id=organisation_id,
        name=name.strip() or urlsplit(issuer).hostname or issuer,
        issuer=issuer,
        client_id=client_id,
        auth_login_url=check_url(auth_login_url, "auth_login_url"),
        token_url=check_url(token_url, "token_url"),
        jwks_url=check_url(jwks_url, "jwks_url"),
        token_audience=(token_audience or "").strip() or None,
        frame_origins=_origins(frame_origins),
    )
    try:
        with write_transaction(session):
            if _find(session, issuer, client_id) is not None:
                raise RegistrationError(
                    "this issuer and client id are already registered", "client_id"
                )
            session.add(platform)
            session.flush()
            for deployment_id in dict.fromkeys(d.strip() for d in deployment_ids if d.strip()):
                session.add(Deployment(platform_id=platform.id, deployment_id=deployment_id))
    except IntegrityError as error:  # registered concurrently
        raise RegistrationError(
            "this issuer and client id are already registered", "client_id"
        ) from error
    return platform


def _find(session: Session, issuer: str, client_id: str) -> Platform | None:
    return session.scalar(
        select(Platform).where(Platform.issuer == issuer, Platform.client_id == client_id)
    )


def get(session: Session, platform_id: int) -> Platform:
    platform = session.get(Platform, platform_id)
    if platform is None:
        raise UnknownPlatform(f"no platform {platform_id}")
    return platform


def add_deployment(session: Session, platform_id: int, deployment_id: str) -> Deployment:
    deployment_id = deployment_id.strip()
    if not deployment_id:
        raise RegistrationError("deployment_id is required", "deployment_id")
    try:
        with write_transaction(session):
            get(session, platform_id)
            if has_deployment(session, platform_id, deployment_id):
                raise RegistrationError("this deployment is already registered", "deployment_id")
            deployment = Deployment(platform_id=platform_id, deployment_id=deployment_id)
            session.add(deployment)
    except IntegrityError as error:
        raise RegistrationError("this deployment is already registered", "deployment_id") from error
    return deployment


def remove_deployment(session: Session, platform_id: int, deployment_id: str) -> None:
    with write_transaction(session):
        removed = session.execute(
            delete(Deployment).where(
                Deployment.platform_id == platform_id, Deployment.deployment_id == deployment_id
            )
        ).rowcount
    if not removed:
        raise RegistrationError(f"no deployment {deployment_id!r} on platform {platform_id}")


def remove_platform(session: Session, platform_id: int) -> Platform:
    """Forget a platform, its deployments and launch records (users and cohorts stay)."""
    with write_transaction(session):
        platform = get(session, platform_id)
        session.delete(platform)
    return platform


def has_deployment(session: Session, platform_id: int, deployment_id: str) -> bool:
    return (
        session.scalar(
            select(Deployment.id).where(
                Deployment.platform_id == platform_id, Deployment.deployment_id == deployment_id
            )
        )
        is not None
    )


@dataclass(frozen=True)
class Listed:
    platform: Platform
    deployment_ids: list[str]


def listing(session: Session, organisation_id: int | None = None) -> list[Listed]:
    """Every platform (of one organisation, if given) with its deployments, oldest first."""
    query = select(Platform).order_by(Platform.id)
    if organisation_id is not None:
        query = query.where(Platform.organisation_id == organisation_id)
    platforms = list(session.scalars(query))
    deployments: dict[int, list[str]] = {p.id: [] for p in platforms}
    rows = session.execute(
        select(Deployment.platform_id, Deployment.deployment_id)
        .where(Deployment.platform_id.in_(list(deployments)))
        .order_by(Deployment.id)
    )
    for platform_id, deployment_id in rows:
        deployments[platform_id].append(deployment_id)
    return [Listed(p, deployments[p.id]) for p in platforms]


def for_login(session: Session, issuer: str, client_id: str | None) -> Platform:
    """The registration a login initiation names: by issuer, and client id when several
    registrations share an issuer (as every Canvas Cloud school does)."""
    query = select(Platform).where(Platform.issuer == issuer)
    if client_id:
        query = query.where(Platform.client_id == client_id)
    found = list(session.scalars(query.limit(2)))
    if not found:
        raise UnknownPlatform(
            f"no platform is registered with issuer {issuer!r}"
            + (f" and client id {client_id!r}" if client_id else "")
        )
    if len(found) > 1:
        raise UnknownPlatform(
            f"several registrations have issuer {issuer!r}: the LMS must send client_id"
        )
    return found[0]


def for_token(session: Session, issuer: str, audiences: Iterable[str]) -> Platform:
    """The registration an id_token is for: its issuer and one of its audiences."""
    audiences = [a for a in audiences if isinstance(a, str)]
    platform = session.scalar(
        select(Platform).where(Platform.issuer == issuer, Platform.client_id.in_(audiences))
    )
    if platform is None:
        raise UnknownPlatform(f"no registration for issuer {issuer!r} and audience {audiences!r}")
    return platform


def endpoints(platform: Platform) -> PlatformEndpoints:
    """What the grade and roster clients need to get a token from this platform."""
    return PlatformEndpoints(
        issuer=platform.issuer,
        client_id=platform.client_id,
        token_url=platform.token_url,
        token_audience=platform.token_audience or platform.token_url,
    )


def frame_origins(platform: Platform, *urls: str | None) -> list[str]:
    """Origins whose pages may frame the tool after a launch from this platform: the
    issuer's, the configured ones, and those of URLs the verified launch itself names."""
    found = [origin(platform.issuer)]
    found += (platform.frame_origins or "").split()
    found += [origin(u) for u in urls if u]
    return [o for o in dict.fromkeys(found) if o]


def all_frame_origins(session: Session) -> list[str]:
    """Every registered platform's frame origins (for pages shown before a launch is verified)."""
    result: list[str] = []
    for platform in session.scalars(select(Platform)):
        result += frame_origins(platform)
    return list(dict.fromkeys(result))
