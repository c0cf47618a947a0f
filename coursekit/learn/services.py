"""Learning services: lesson progress and knowledge-check attempts."""

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..access import may_see_work_of
from ..auth.models import User
from ..catalog.services import remember_version, stored_check
from ..db import upsert, utcnow, write_transaction
from ..domain.content import Course, KnowledgeCheck, Module
from ..domain.progress import CourseProgress, LessonVisit, course_progress, roleplay_progress
from ..domain.quiz import answers_to_json, parse_answers, score
from ..roleplay.services import facts as roleplay_facts
from ..signals import check_submitted, lesson_completed, progress_changed
from .models import CheckAttempt, LessonProgress
from .tickets import CheckTicket


class LearnError(Exception):
    pass


class AlreadySubmitted(LearnError):
    def __init__(self, attempt_id: int):
        super().__init__(f"this form was already submitted as attempt {attempt_id}")
        self.attempt_id = attempt_id


class StaleCheck(LearnError):
    """The check changed since the form was issued; its answers may not fit any more."""


class WrongTicket(LearnError):
    """The ticket was issued to another user or for another check."""


class AttemptNotFound(LearnError):
    pass


def open_lesson(session: Session, user_id: int, course_id: str, module_id: str) -> None:
    """Record that the trainee opened a lesson (for "continue where you left off")."""
    _touch_lesson(session, user_id, course_id, module_id, completed=False)


def complete_lesson(session: Session, user_id: int, course_id: str, module_id: str) -> None:
    """Mark a lesson read (once: the first completion time is kept)."""
    _touch_lesson(session, user_id, course_id, module_id, completed=True)


def _touch_lesson(
    session: Session, user_id: int, course_id: str, module_id: str, *, completed: bool
) -> None:
    now = utcnow()
    changes: dict = {"last_opened_at": now}
    if completed:
        changes["completed_at"] = func.coalesce(LessonProgress.completed_at, now)
    statement = (
        upsert(session, LessonProgress)
        .values(
            user_id=user_id,
            course_id=course_id,
            module_id=module_id,
            first_opened_at=now,
            last_opened_at=now,
            completed_at=now if completed else None,
        )
        .on_conflict_do_update(index_elements=["user_id", "course_id", "module_id"], set_=changes)
    )
    with write_transaction(session):
        session.execute(statement)
    if completed:
        lesson_completed.send(user_id, session=session, course_id=course_id, module_id=module_id)
        progress_changed.send(user_id, session=session, course_id=course_id)


def _attempt_with_nonce(session: Session, nonce: str) -> int | None:
    return session.scalar(select(CheckAttempt.id).where(CheckAttempt.nonce == nonce))


def submit_check(
    session: Session,
    *,
    user_id: int,
    course: Course,
    module: Module,
    ticket: CheckTicket,
    form: Mapping[str, list[str]],
) -> CheckAttempt:
    """Score and store one attempt. Refuses (and stores nothing) a ticket for someone or
    something else, a stale check, a second submission of the same form, or answers that do
    not fit the questions (quiz.AnswerError)."""
    if ticket.user_id != user_id or ticket.module_id != module.id:
        raise WrongTicket("this form was not issued to you for this check")
    existing = _attempt_with_nonce(session, ticket.nonce)
    if existing is not None:
        raise AlreadySubmitted(existing)
    check = module.check
    if ticket.check_hash != check.hash:
        raise StaleCheck("the questions changed after this form was opened")
    answers = parse_answers(check, form)
    result = score(check, answers)
    attempt = CheckAttempt(
        user_id=user_id,
        course_id=course.id,
        module_id=module.id,
        course_hash=course.hash,
        check_hash=check.hash,
        seed=ticket.seed,
        nonce=ticket.nonce,
        answers=answers_to_json(answers),
        score=result.score,
        passed=result.passed,
    )
    try:
        with write_transaction(session):
            # Checked again under the write lock: a double-click's twin may have won the race.
            existing = _attempt_with_nonce(session, ticket.nonce)
            if existing is not None:
                raise AlreadySubmitted(existing)
            remember_version(session, "check", module.id, check.hash, check.definition)
            session.add(attempt)
    except IntegrityError as exc:  # PostgreSQL: the unique nonce stopped the twin
        existing = _attempt_with_nonce(session, ticket.nonce)
        if existing is None:
            raise
        raise AlreadySubmitted(existing) from exc
    check_submitted.send(attempt, session=session, course=course, module=module, result=result)
    progress_changed.send(user_id, session=session, course_id=course.id)
    return attempt


def progress(session: Session, user_id: int, course: Course) -> CourseProgress:
    """The trainee's progress, from three queries whatever the size of the course."""
    rows = session.execute(
        select(
            LessonProgress.module_id, LessonProgress.completed_at, LessonProgress.last_opened_at
        ).where(LessonProgress.user_id == user_id, LessonProgress.course_id == course.id)
    ).all()
    done = {r.module_id for r in rows if r.completed_at is not None}
    last = max(rows, key=lambda r: r.last_opened_at).module_id if rows else None
    scores = session.execute(
        select(CheckAttempt.module_id, func.max(CheckAttempt.score), func.count())
        .where(CheckAttempt.user_id == user_id, CheckAttempt.course_id == course.id)
        .group_by(CheckAttempt.module_id)
    ).all()
    best = {module_id: best for module_id, best, _ in scores}
    counts = {module_id: n for module_id, _, n in scores}
    return course_progress(
        course, done, best, counts, last, roleplay_facts(session, user_id, course.id)
    )


def lesson_visit(session: Session, user_id: int, course: Course, module: Module) -> LessonVisit:
    """What the lesson page shows and needs, from one query (two when the module has
    role-plays): the page is the one every trainee reloads, so it reads no more than that."""
    table = LessonProgress.__table__.c  # a Core query: no ORM entities to build
    rows = session.execute(
        select(table.module_id, table.completed_at, table.last_opened_at).where(
            table.user_id == user_id, table.course_id == course.id
        )
    ).all()
    last = max(rows, key=lambda r: r.last_opened_at).module_id if rows else None
    done = any(r.module_id == module.id and r.completed_at is not None for r in rows)
    scores = roleplay_facts(session, user_id, course.id, module.roleplays)
    return LessonVisit(done, last, roleplay_progress(course, module, scores))


def attempts(session: Session, user_id: int, course_id: str, module_id: str) -> list[CheckAttempt]:
    """The trainee's attempts at a check, newest first."""
    return list(
        session.scalars(
            select(CheckAttempt)
            .where(
                CheckAttempt.user_id == user_id,
                CheckAttempt.course_id == course_id,
                CheckAttempt.module_id == module_id,
            )
            .order_by(CheckAttempt.created_at.desc(), CheckAttempt.id.desc())
        )
    )


def attempt_for_viewer(session: Session, attempt_id: int, viewer: User) -> CheckAttempt:
    """An attempt the viewer may see (their own, their cohorts' for an instructor, any for an
    admin). Others are reported as not found, so their existence is not revealed."""
    attempt = session.get(CheckAttempt, attempt_id)
    if attempt is None or not may_see_work_of(session, viewer, attempt.user_id):
        raise AttemptNotFound(attempt_id)
    return attempt


def check_for_attempt(session: Session, module: Module, attempt: CheckAttempt) -> KnowledgeCheck:
    """The check exactly as the attempt saw it: today's if unchanged, else the stored version."""
    if attempt.check_hash == module.check.hash:
        return module.check
    stored = stored_check(session, attempt.check_hash)
    if stored is None:
        raise AttemptNotFound(attempt.id)
    return stored
