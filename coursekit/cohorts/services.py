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
from ..orgs.models import DEFAULT_ORGANISATION_ID
from .models import Cohort, CohortInstructor, CohortInvitation, CohortMember

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
    invited: int  # roster lines invited (or invited again): the same whatever the e-mail


def import_roster(
    session: Session, cohort_id: int, viewer: User, rows: list[RosterRow]
) -> ImportSummary:
    """Invite a checked roster in one transaction. No account is created or added: each
    person joins when they sign in with that e-mail and accept (or join with the code), so
    an instructor cannot pull in someone else's account, and the summary says nothing about
    which e-mails have one."""
    with write_transaction(session):
        cohort = cohort_for(session, cohort_id, viewer)
        invited = set(
            session.scalars(
                select(CohortInvitation.email).where(CohortInvitation.cohort_id == cohort.id)
            )
        )
        for row in rows:
            if row.email not in invited:
                session.add(CohortInvitation(cohort_id=cohort.id, email=row.email, name=row.name))
                invited.add(row.email)
    return ImportSummary(invited=len(rows))


def _may_accept(user: User, cohort: Cohort) -> bool:
    """Never across organisations: a trainee of the cohort's organisation, or of the default
    one (who signed up on their own), may accept; nobody else sees the invitation."""
    return user.role == Role.TRAINEE and user.organisation_id in (
        cohort.organisation_id,
        DEFAULT_ORGANISATION_ID,
    )


def invitations_for(session: Session, user: User) -> list[Cohort]:
    """The open cohorts that invited this user's e-mail and that they may join."""
    joined = select(CohortMember.cohort_id).where(CohortMember.user_id == user.id)
    cohorts = session.scalars(
        select(Cohort)
        .join(CohortInvitation, CohortInvitation.cohort_id == Cohort.id)
        .where(CohortInvitation.email == user.email, Cohort.archived_at.is_(None))
        .where(Cohort.id.not_in(joined))
        .order_by(Cohort.id)
    )
    return [c for c in cohorts if _may_accept(user, c)]


ANSWERS = ("accept", "decline")


def answer_invitation(session: Session, user: User, cohort_id: int, answer: str) -> Cohort:
    """Accept (join) or decline an invitation to this user's e-mail; either way it is used
    up. An invitation the user does not have is CohortNotFound, an answer other than those
    two a CohortError, and neither changes anything."""
    with write_transaction(session):
        invitation = session.get(CohortInvitation, (cohort_id, user.email))
        cohort = session.get(Cohort, cohort_id)
        if invitation is None or cohort is None or not _may_accept(user, cohort):
            raise CohortNotFound(f"no invitation to cohort {cohort_id}")
        if answer not in ANSWERS:
            raise CohortError("answer accept or decline", "answer")
        joining = answer == "accept" and cohort.archived_at is None
        if joining and session.get(CohortMember, (cohort.id, user.id)) is None:
            session.add(CohortMember(cohort_id=cohort.id, user_id=user.id))
        session.delete(invitation)
    return cohort


def pending_invitations(session: Session, cohort_id: int) -> list[CohortInvitation]:
    """A cohort's roster lines nobody has answered yet, for its instructors."""
    return list(
        session.scalars(
            select(CohortInvitation)
            .where(CohortInvitation.cohort_id == cohort_id)
            .order_by(CohortInvitation.email)
        )
    )


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
