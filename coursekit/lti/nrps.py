"""Names and Role Provisioning Services 2.0: read a course's roster from the LMS (every page,
by the Link header) and bring a cohort in line with it."""

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.models import Identity, Role, User
from ..auth.services import ExternalPerson, normalise_email, provision
from ..cohorts.models import Cohort, CohortInstructor, CohortMember
from ..db import write_transaction
from .oauth import ServiceClient
from .types import PlatformEndpoints, SigningKey

SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
STAFF = {"Instructor", "Administrator"}  # run the cohort (a TA is an Instructor sub-role)
MAX_PAGES = 1000  # a platform whose "next" never ends must not keep us forever


class NrpsError(Exception):
    pass


_LINK = re.compile(r"<([^>]*)>")
_PARAM = re.compile(
    r"\s*;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*(\"(?:[^\"\\]|\\.)*\"|[^;,\s]*))?"
)


def parse_link_header(value: str) -> list[tuple[str, dict[str, str]]]:
    """RFC 8288 links: `<url>; rel="next"; title=x, <url2>; rel=last`. Parameter values may
    be quoted or not; a URL may contain commas; a quoted value may contain anything."""
    links: list[tuple[str, dict[str, str]]] = []
    position = 0
    while (match := _LINK.search(value, position)) is not None:
        url, position, params = match.group(1).strip(), match.end(), {}
        while (param := _PARAM.match(value, position)) is not None:
            raw = param.group(2) or ""
            if raw.startswith('"'):
                raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
            params.setdefault(param.group(1).lower(), raw)
            position = param.end()
        links.append((url, params))
    return links


def links_by_rel(headers: Iterable[str], base: str = "") -> dict[str, str]:
    """Every Link header (a response may carry several) as {rel: absolute url}; a link with
    several relations (`rel="next last"`) counts for each."""
    found: dict[str, str] = {}
    for header in headers:
        for url, params in parse_link_header(header):
            for rel in params.get("rel", "").lower().split():
                found.setdefault(rel, urljoin(base, url))
    return found


@dataclass(frozen=True)
class Member:
    user_id: str  # the LTI subject: the same `sub` the launches carry
    roles: tuple[str, ...]
    status: str = "Active"  # Active, Inactive or Deleted
    name: str = ""
    email: str | None = None

    @property
    def active(self) -> bool:
        return self.status == "Active"

    @property
    def context_roles(self) -> set[str]:
        return {r for r in (context_role(role) for role in self.roles) if r}

    @property
    def is_staff(self) -> bool:
        return bool(self.context_roles & STAFF)

    @property
    def is_learner(self) -> bool:
        return "Learner" in self.context_roles


def context_role(role: str) -> str | None:
    """The principal context role: ".../membership#Instructor" and the sub-role
    ".../membership/Instructor#TeachingAssistant" are both "Instructor"; the short form
    "Instructor" is accepted; institution and system roles say nothing about this course."""
    if role.startswith(MEMBERSHIP + "#"):
        return role.partition("#")[2] or None
    if role.startswith(MEMBERSHIP + "/"):
        return role[len(MEMBERSHIP) + 1 :].partition("#")[0] or None
    if "/" not in role and "#" not in role and ":" not in role:
        return role or None
    return None


def parse_member(data: Any) -> Member | None:
    if not isinstance(data, dict) or not isinstance(data.get("user_id"), str | int):
        return None
    roles = data.get("roles") or []
    name = data.get("name") or " ".join(
        str(p) for p in (data.get("given_name"), data.get("family_name")) if p
    )
    email = data.get("email")
    return Member(
        user_id=str(data["user_id"]),
        roles=tuple(str(r) for r in roles) if isinstance(roles, list) else (),
        status=str(data.get("status") or "Active"),
        name=str(name or "").strip(),
        email=str(email).strip() if email else None,
    )


@dataclass(frozen=True)
class Roster:
    context_id: str | None
    context_title: str | None
    members: tuple[Member, ...]
    pages: int


def fetch_roster(
    client: ServiceClient, url: str, *, role: str | None = None, limit: int | None = None
) -> Roster:
    """Every member of the context, page after page (rel="next"); `differences` links and
    other relations are ignored."""
    params: dict[str, str] = {}
    if role:
        params["role"] = role
    if limit:
        params["limit"] = str(limit)
    members: list[Member] = []
    context: dict = {}
    seen: set[str] = set()
    next_url: str | None = url
    pages = 0
    while next_url is not None and next_url not in seen and pages < MAX_PAGES:
        seen.add(next_url)
        response = client.request(
            "GET",
            next_url,
            [SCOPE],
            headers={"Accept": MEDIA_TYPE},
            params=params if pages == 0 else None,  # later pages carry their own query
        )
        pages += 1
        if response.status_code != 200:
            raise NrpsError(f"memberships: HTTP {response.status_code} {response.text[:200]}")
        body = response.json()
        context = context or body.get("context") or {}
        members += [m for m in map(parse_member, body.get("members") or []) if m is not None]
        rels = links_by_rel(response.headers.get_list("link"), str(response.url))
        next_url = rels.get("next")
    return Roster(context.get("id"), context.get("title"), tuple(members), pages)


@dataclass(frozen=True)
class SyncSummary:
    learners_added: int
    instructors_added: int
    already: int
    accounts_created: int
    promoted: int  # trainee accounts made instructors because the LMS says they teach
    skipped: tuple[str, ...]  # LMS user ids with no role we map (e.g. Mentor only)
    # Cohort members the LMS lists as Inactive/Deleted, or no longer lists at all. Cohort
    # services cannot remove a member (yet), so they are reported, not removed.
    inactive: tuple[int, ...]
    gone: tuple[int, ...]
    removal_supported: bool = False


def placeholder_email(issuer: str, subject: str) -> str:
    """A stable, undeliverable address (RFC 2606 .invalid) for a member the LMS shares no
    email for: accounts need one, and it must not collide with a real person's."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:24]
    return f"lti-{digest}@users.invalid"


def sync_cohort(
    session: Session, cohort_id: int, issuer: str, members: Sequence[Member]
) -> SyncSummary:
    """Provision every active member by (issuer, user_id); learners join the cohort and
    instructors/administrators run it. Nobody is removed (see SyncSummary)."""
    cohort = session.get(Cohort, cohort_id)
    if cohort is None:
        raise NrpsError(f"no cohort {cohort_id}")
    wanted = [m for m in members if m.active and (m.is_staff or m.is_learner)]
    chosen = {m.user_id for m in wanted}
    skipped = tuple(m.user_id for m in members if m.active and m.user_id not in chosen)
    linked = _linked(session, issuer, [m.user_id for m in wanted])
    emails = {normalise_email(m.email) for m in wanted if m.email}
    taken = set(session.scalars(select(User.email).where(User.email.in_(emails))))
    users: dict[str, int] = {}
    fresh: set[int] = set()
    for m in wanted:
        email = m.email or placeholder_email(issuer, m.user_id)
        role = Role.INSTRUCTOR if m.is_staff else Role.TRAINEE
        user = provision(session, ExternalPerson(issuer, m.user_id, email, m.name, role))
        users[m.user_id] = user.id
        if m.user_id not in linked and normalise_email(email) not in taken:
            fresh.add(user.id)
    counts = {"learners": 0, "instructors": 0, "already": 0, "promoted": 0}
    with write_transaction(session):
        in_cohort = set(
            session.scalars(select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id))
        )
        running = set(
            session.scalars(
                select(CohortInstructor.user_id).where(CohortInstructor.cohort_id == cohort_id)
            )
        )
        for m in wanted:
            user = session.get(User, users[m.user_id])
            assert user is not None
            if user.id in fresh:
                user.organisation_id = cohort.organisation_id
            if m.is_staff:
                _add_instructor(session, cohort_id, user, running, counts)
            elif user.id not in in_cohort:
                session.add(CohortMember(cohort_id=cohort_id, user_id=user.id))
                in_cohort.add(user.id)
                counts["learners"] += 1
            else:
                counts["already"] += 1
        inactive, gone = _departed(session, issuer, members, in_cohort)
    return SyncSummary(
        learners_added=counts["learners"],
        instructors_added=counts["instructors"],
        already=counts["already"],
        accounts_created=len(fresh),
        promoted=counts["promoted"],
        skipped=skipped,
        inactive=inactive,
        gone=gone,
    )


def sync_from_platform(
    session: Session,
    cohort_id: int,
    endpoints: PlatformEndpoints,
    key: SigningKey,
    memberships_url: str,
    *,
    timeout: float = 10.0,
) -> tuple[Roster, SyncSummary]:
    """Read the roster at `memberships_url` (the launch's NRPS claim) and sync the cohort."""
    with httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0))) as http:
        roster = fetch_roster(ServiceClient(http, endpoints, key), memberships_url)
    return roster, sync_cohort(session, cohort_id, endpoints.issuer, roster.members)


def _add_instructor(
    session: Session, cohort_id: int, user: User, running: set[int], counts: dict[str, int]
) -> None:
    if user.role == Role.TRAINEE:  # never a demotion: an admin stays an admin
        user.role = Role.INSTRUCTOR
        counts["promoted"] += 1
    if user.id in running:
        counts["already"] += 1
        return
    session.add(CohortInstructor(cohort_id=cohort_id, user_id=user.id))
    running.add(user.id)
    counts["instructors"] += 1


def _linked(session: Session, issuer: str, subjects: list[str]) -> set[str]:
    return set(
        session.scalars(
            select(Identity.subject).where(
                Identity.issuer == issuer, Identity.subject.in_(subjects)
            )
        )
    )


def _departed(
    session: Session, issuer: str, members: Sequence[Member], in_cohort: set[int]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Cohort members (known to this LMS) it lists as no longer active, or not at all."""
    status = {m.user_id: m.active for m in members}
    rows = session.execute(
        select(Identity.subject, Identity.user_id).where(
            Identity.issuer == issuer, Identity.user_id.in_(in_cohort)
        )
    ).all()
    inactive = sorted({uid for sub, uid in rows if status.get(sub) is False})
    gone = sorted({uid for sub, uid in rows if sub not in status})
    return tuple(inactive), tuple(gone)
