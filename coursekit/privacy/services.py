"""Export and erasure of a person's data; the search behind the admin's list of users.

Erasure keeps the user row (so attempts, scores and cohort membership still count in the
cohort statistics) but leaves nothing that identifies the person: see ERASURE_POLICY."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import MetaData, Table, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from ..auth.models import Role, User
from ..db import Base, utcnow, write_transaction
from . import walk

log = logging.getLogger("coursekit.privacy")

ERASED_DOMAIN = "deleted.invalid"  # RFC 2606: can never receive mail
UNUSABLE_PASSWORD = "!erased"  # not an Argon2 hash: no password ever matches it
REVOKE, KEEP_VALID = "revoke", "keep"
CERTIFICATE_MODES = (REVOKE, KEEP_VALID)

KEEP, DELETE, CERTIFICATES = "keep", "delete", "certificates"
# What erasure does with each table holding a person's rows (owned, or one hop below).
# KEEP: rows stay, pointing at the scrubbed user (they hold ids, numbers and choices, no free
# text) so that cohort statistics survive. DELETE: rows that identify the person elsewhere
# (an LMS subject, a host account). A table not listed (added later) is kept with its text
# scrubbed of the name and email; a test fails until it is listed here.
ERASURE_POLICY: Mapping[str, str] = {
    "coursekit_lesson_progress": KEEP,
    "coursekit_check_attempts": KEEP,
    "coursekit_roleplay_attempts": KEEP,
    "coursekit_roleplay_steps": KEEP,
    "coursekit_cohort_members": KEEP,
    "coursekit_cohort_instructors": KEEP,
    "coursekit_certificates": CERTIFICATES,
    "coursekit_identities": DELETE,  # the LMS's or host's issuer and subject
    "coursekit_lti_user_links": DELETE,  # the LMS subject per resource link
    "coursekit_lti_one_time_values": DELETE,  # short-lived launch links
    "coursekit_outbox": DELETE,  # grades and statements carry the LMS subject
    "coursekit_sign_ins": DELETE,  # when and how often the person signed in
}


class PrivacyError(Exception):
    """A refusal a person can act on."""


class PersonNotFound(PrivacyError):
    pass


class AlreadyErased(PrivacyError):
    pass


class ErasureRefused(PrivacyError):
    pass


@dataclass(frozen=True)
class ErasureTexts:
    """What replaces the person, in the deployment's language (the caller translates)."""

    name: str  # "Deleted trainee"
    reason: str  # the revocation reason: "account deleted"


@dataclass
class Erasure:
    user_id: int
    certificates: str
    at: datetime
    deleted: dict[str, int] = field(default_factory=dict)
    scrubbed: dict[str, int] = field(default_factory=dict)
    revoked: int = 0
    in_flight: int = 0  # outbox messages a worker was sending, left to finish


def placeholder_email(user_id: int) -> str:
    return f"deleted-{user_id}@{ERASED_DOMAIN}"


def is_erased(email: str) -> bool:
    return email.endswith("@" + ERASED_DOMAIN)


def export(
    session: Session,
    user_id: int,
    *,
    now: datetime | None = None,
    metadata: MetaData = Base.metadata,
) -> dict[str, Any]:
    """Everything CourseKit holds about the person (secrets and binaries left out)."""
    data = walk.export_person(session, user_id, now=now or utcnow(), metadata=metadata)
    if data is None:
        raise PersonNotFound(f"no user {user_id}")
    return data


def erase(
    session: Session,
    user_id: int,
    *,
    actor_id: int | None,
    via: str,
    texts: ErasureTexts,
    certificates: str = REVOKE,
    now: datetime | None = None,
    metadata: MetaData = Base.metadata,
) -> Erasure:
    """Make a trainee unidentifiable in one transaction; record who did it (a log line)."""
    if certificates not in CERTIFICATE_MODES:
        raise ValueError(f"COURSEKIT_ERASURE_CERTIFICATES must be one of {CERTIFICATE_MODES}")
    now = now or utcnow()
    users = metadata.tables[walk.USERS]
    report = Erasure(user_id=user_id, certificates=certificates, at=now)
    with write_transaction(session):
        query = select(users.c.email, users.c.name, users.c.role).where(users.c.id == user_id)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        person = session.execute(query).one_or_none()
        if person is None:
            raise PersonNotFound(f"no user {user_id}")
        if is_erased(person.email):
            raise AlreadyErased("this account is already erased")
        if actor_id == user_id:
            raise ErasureRefused("you cannot erase your own account")
        if person.role != Role.TRAINEE:
            raise ErasureRefused("only a trainee's account can be erased")
        words = walk.needles(person.email, person.name)
        for table, where in walk.rows_of(walk.person_map(metadata), user_id):
            policy = ERASURE_POLICY.get(table.name)
            if policy == DELETE:
                _delete(session, table, where, now, report)
            elif policy == CERTIFICATES and certificates == REVOKE:
                _scrub(session, table, where, words, texts.name, report)
                report.revoked = _revoke(session, table, where, actor_id, now, texts)
            elif policy is None:  # a table nobody classified yet: keep it, minus the text
                _scrub(session, table, where, words, texts.name, report)
        # Roster invitations name the e-mail, not the account.
        invitations = metadata.tables.get("coursekit_cohort_invitations")
        if invitations is not None:
            session.execute(delete(invitations).where(invitations.c.email == person.email))
        session.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(
                name=texts.name,
                email=placeholder_email(user_id),
                password_hash=UNUSABLE_PASSWORD,
                locale=None,
                session_version=users.c.session_version + 1,  # every open session ends
            )
        )
    # The audit record: ids only (a name or email here would outlive the erasure).
    log.info(
        "user %s erased by %s via %s (certificates: %s)",
        user_id,
        actor_id,
        via,
        certificates,
        extra={
            "event": "privacy.user_erased",
            "erased_user_id": user_id,
            "erased_by_user_id": actor_id,
            "via": via,
            "certificates": certificates,
            "erased_at": now.isoformat(),
        },
    )
    return report


def _delete(session: Session, table: Table, where: Any, now: datetime, report: Erasure) -> None:
    if "locked_until" in table.c:
        # A message a worker is sending right now is left to it (its lease ends soon).
        leased = and_(table.c.locked_until.is_not(None), table.c.locked_until > now)
        report.in_flight += (
            session.scalar(select(func.count()).select_from(table).where(where, leased)) or 0
        )
        where = and_(where, ~leased)
    deleted = session.execute(table.delete().where(where)).rowcount  # type: ignore[attr-defined]
    report.deleted[table.name] = deleted or 0


def _scrub(
    session: Session, table: Table, where: Any, words: tuple[str, ...], label: str, report: Erasure
) -> None:
    """Replace the person's name and email in the text columns of the selected rows."""
    columns = [c for c in table.columns if walk.texty(c)]
    keys = list(table.primary_key.columns)
    if not columns or not keys or not words:
        return
    changed = 0
    for row in session.execute(select(*keys, *columns).where(where)).mappings().all():
        values = {c.name: walk.replace_in(row[c.name], words, label) for c in columns}
        values = {name: v for name, v in values.items() if v != row[name]}
        if values:
            match = and_(*(k == row[k.name] for k in keys))
            session.execute(update(table).where(match).values(**values))
            changed += 1
    if changed:
        report.scrubbed[table.name] = report.scrubbed.get(table.name, 0) + changed


def _revoke(
    session: Session,
    table: Table,
    where: Any,
    actor_id: int | None,
    now: datetime,
    texts: ErasureTexts,
) -> int:
    """Revoke the person's certificates, replace the holder's name and drop the stored PDF."""
    result = session.execute(
        update(table)
        .where(where, table.c.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by=actor_id, revoke_reason=texts.reason)
    )
    # Already revoked ones too: their earlier reason may name the person.
    session.execute(
        update(table)
        .where(where)
        .values(name=texts.name, revoke_reason=texts.reason, pdf=None, pdf_revision=None)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def find_people(
    session: Session, text: str = "", *, page: int = 1, per_page: int = 50
) -> tuple[list[User], int]:
    """Users whose email or name contains `text` (any case), by email; and how many match."""
    query = select(User)
    text = text.strip().lower()
    if text:
        query = query.where(
            or_(
                User.email.contains(text, autoescape=True),
                func.lower(User.name).contains(text, autoescape=True),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    people = session.scalars(
        query.order_by(User.email).limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return list(people), total
