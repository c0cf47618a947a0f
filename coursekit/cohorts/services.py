"""Cohort services: create and edit, join codes, joining, roster import."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..access import instructs
from ..auth.models import Role, User
from ..auth.services import normalise_email
from ..db import utcnow, write_transaction
from ..domain.roster import RosterRow
from .models import Cohort, CohortInstructor, CohortMember

# No 0/O, 1/I/L: a code read off a projector must not be mistyped.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


class CohortError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class CohortNotFound(CohortError):
    pass


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What the trainee typed, as a code: case, spaces and dashes do not matter."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def cohort_for(session: Session, cohort_id: int, viewer: User) -> Cohort:
    """A cohort the viewer runs; any other is "not found", so its existence is not revealed."""
    cohort = session.get(Cohort, cohort_id)
    if cohort is None or not instructs(session, viewer, cohort_id):
        raise CohortNotFound(f"no cohort {cohort_id}")
    return cohort


def cohorts_for(session: Session, viewer: User) -> list[Cohort]:
    """The cohorts the viewer runs (all of them for an admin), newest first."""
    query = select(Cohort).order_by(Cohort.created_at.desc(), Cohort.id.desc())
    if not viewer.is_admin:
        query = query.join(CohortInstructor, CohortInstructor.cohort_id == Cohort.id).where(
            CohortInstructor.user_id == viewer.id
        )
    return list(session.scalars(query))


def instructor_ids(session: Session, cohort_id: int) -> list[int]:
    return list(
        session.scalars(
            select(CohortInstructor.user_id).where(CohortInstructor.cohort_id == cohort_id)
        )
    )


def _co_instructors(session: Session, creator: User, emails: Sequence[str]) -> list[User]:
    wanted = {normalise_email(e) for e in emails if e.strip()} - {creator.email}
    if not wanted:
        return []
    found = {u.email: u for u in session.scalars(select(User).where(User.email.in_(wanted)))}
    for email in sorted(wanted):
        user = found.get(email)
        if (
            user is None
            or not user.is_instructor
            or user.organisation_id != creator.organisation_id
        ):
            raise CohortError(f"{email} is not an instructor account here", "co_instructors")
    return list(found.values())


def _check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise CohortError("the end date is before the start date", "ends_on")


def create(
    session: Session,
    creator: User,
    *,
    name: str,
    course_id: str,
    starts_on: date | None = None,
    ends_on: date | None = None,
    co_instructors: Sequence[str] = (),
) -> Cohort:
    if not creator.is_instructor:
        raise CohortError("only instructors create cohorts")
    _check_dates(starts_on, ends_on)
    with write_transaction(session):
        others = _co_instructors(session, creator, co_instructors)
        cohort = Cohort(
            organisation_id=creator.organisation_id,
            course_id=course_id,
            name=name.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            join_code=_free_code(session),
            created_by=creator.id,
        )
        session.add(cohort)
        session.flush()
        for user in [creator, *others]:
            session.add(CohortInstructor(cohort_id=cohort.id, user_id=user.id))
    return cohort


def update(
    session: Session,
    cohort_id: int,
    editor: User,
    *,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    co_instructors: Sequence[str],
) -> Cohort:
    _check_dates(starts_on, ends_on)
    with write_transaction(session):
        cohort = cohort_for(session, cohort_id, editor)
        creator = session.get(User, cohort.created_by) if cohort.created_by else None
        others = _co_instructors(session, creator or editor, co_instructors)
        cohort.name, cohort.starts_on, cohort.ends_on = name.strip(), starts_on, ends_on
        # The creator stays, and so does an instructor editing it (they cannot lock
        # themselves out by accident); everyone else is as listed.
        keep = {u.id for u in others}
        keep |= {cohort.created_by} if cohort.created_by else set()
        keep |= set() if editor.is_admin else {editor.id}
        session.execute(
            delete(CohortInstructor).where(
                CohortInstructor.cohort_id == cohort.id, CohortInstructor.user_id.not_in(keep)
            )
        )
        current = set(instructor_ids(session, cohort.id))
        for user_id in keep - current:
            session.add(CohortInstructor(cohort_id=cohort.id, user_id=user_id))
    return cohort


def _free_code(session: Session) -> str:
    while True:  # 31^6 codes: a collision is rare, and then we draw again
        code = new_code()
        if session.scalar(select(Cohort.id).where(Cohort.join_code == code)) is None:
            return code


def rotate_code(session: Session, cohort_id: int, viewer: User) -> Cohort:
    """A new code (the old one stops working); this also reopens a closed cohort."""
    with write_transaction(session):
        cohort = cohort_for(session, cohort_id, viewer)
        if cohort.archived_at is not None:
            raise CohortError("an archived cohort cannot be joined")
        cohort.join_code = _free_code(session)
    return cohort


def close_code(session: Session, cohort_id: int, viewer: User) -> Cohort:
    with write_transaction(session):
        cohort = cohort_for(session, cohort_id, viewer)
        cohort.join_code = None
    return cohort


def set_archived(session: Session, cohort_id: int, viewer: User, archived: bool) -> Cohort:
    """Archiving closes joining and moves the cohort out of the current list; nothing is lost."""
    with write_transaction(session):
        cohort = cohort_for(session, cohort_id, viewer)
        cohort.archived_at = utcnow() if archived else None
        if archived:
            cohort.join_code = None
    return cohort


def find_by_code(session: Session, code: str) -> Cohort | None:
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return session.scalar(
        select(Cohort).where(Cohort.join_code == code, Cohort.archived_at.is_(None))
    )


@dataclass(frozen=True)
class Joined:
    cohort: Cohort
    already: bool


def join(session: Session, user_id: int, code: str) -> Joined:
    """Join the cohort with this open code; joining again is harmless."""
    try:
        with write_transaction(session):
            cohort = find_by_code(session, code)
            if cohort is None:
                raise CohortError("no open cohort has this code", "code")
            member = session.get(CohortMember, (cohort.id, user_id))
            if member is not None:
                return Joined(cohort, already=True)
            session.add(CohortMember(cohort_id=cohort.id, user_id=user_id))
    except IntegrityError:  # a double-click joined already
        cohort = find_by_code(session, code)
        if cohort is None:
            raise
        return Joined(cohort, already=True)
    return Joined(cohort, already=False)


@dataclass(frozen=True)
class ImportSummary:
    added: int  # new members
    already: int  # were members
    new_accounts: int  # accounts created (they set a password when they sign up)


def import_roster(
    session: Session, cohort_id: int, viewer: User, rows: list[RosterRow]
) -> ImportSummary:
    """Add a checked roster in one transaction: existing accounts are reused (by email), the
    rest are created without a password, to be claimed when the trainee signs up."""
    with write_transaction(session):
        cohort = cohort_for(session, cohort_id, viewer)
        emails = [row.email for row in rows]
        users = {u.email: u for u in session.scalars(select(User).where(User.email.in_(emails)))}
        created = 0
        for row in rows:
            if row.email not in users:
                user = User(
                    email=row.email,
                    name=row.name,
                    password_hash=None,
                    role=Role.TRAINEE,
                    organisation_id=cohort.organisation_id,
                )
                session.add(user)
                users[row.email] = user
                created += 1
        session.flush()
        members = set(
            session.scalars(select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id))
        )
        added = 0
        for row in rows:
            user_id = users[row.email].id
            if user_id not in members:
                session.add(CohortMember(cohort_id=cohort.id, user_id=user_id))
                members.add(user_id)
                added += 1
    return ImportSummary(added=added, already=len(rows) - added, new_accounts=created)


def emails_of(session: Session, user_ids: list[int]) -> list[str]:
    if not user_ids:
        return []
    return list(
        session.scalars(select(User.email).where(User.id.in_(user_ids)).order_by(User.email))
    )


def member(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise CohortNotFound(f"no user {user_id}")
    return user
