"""Retention: trainee accounts idle longer than COURSEKIT_RETENTION_INACTIVE_DAYS are erased.

Activity is the latest of account creation, lesson progress, knowledge-check attempts and
role-play attempts. Instructors and admins are never candidates."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth.models import Role, User
from ..learn.models import CheckAttempt, LessonProgress
from ..roleplay.models import RoleplayAttempt
from . import services
from .services import ERASED_DOMAIN, ErasureTexts, PrivacyError


@dataclass(frozen=True)
class Idle:
    user_id: int
    email: str
    name: str
    last_active: datetime

    def idle_days(self, now: datetime) -> int:
        return (now - self.last_active).days


def _latest(column, *more):  # type: ignore[no-untyped-def]
    """Per user: the latest of the given times (one row per user, grouped)."""
    model_user = column.class_.user_id
    return (
        select(
            model_user.label("user_id"),
            *(func.max(c).label(f"t{i}") for i, c in enumerate((column, *more))),
        )
        .group_by(model_user)
        .subquery()
    )


def idle_trainees(session: Session, *, now: datetime, days: int) -> list[Idle]:
    """Trainees (not yet erased) with no activity in the last `days` days, longest idle
    first. One query, whatever the number of accounts."""
    if days < 1:
        raise ValueError("the retention period must be at least one day")
    lessons = _latest(LessonProgress.last_opened_at, LessonProgress.completed_at)
    checks = _latest(CheckAttempt.created_at)
    roleplays = _latest(RoleplayAttempt.updated_at, RoleplayAttempt.finished_at)
    times = [lessons.c.t0, lessons.c.t1, checks.c.t0, roleplays.c.t0, roleplays.c.t1]
    query = (
        select(User.id, User.email, User.name, User.created_at, *times)
        .outerjoin(lessons, lessons.c.user_id == User.id)
        .outerjoin(checks, checks.c.user_id == User.id)
        .outerjoin(roleplays, roleplays.c.user_id == User.id)
        .where(User.role == Role.TRAINEE, ~User.email.endswith("@" + ERASED_DOMAIN))
    )
    cutoff = now - timedelta(days=days)
    found = []
    for row in session.execute(query):
        last = max(t for t in row[3:] if t is not None)
        if last < cutoff:
            found.append(Idle(row.id, row.email, row.name, last))
    session.rollback()  # a read: end it before any erasure starts its own transaction
    return sorted(found, key=lambda idle: (idle.last_active, idle.user_id))


@dataclass
class Sweep:
    erased: list[Idle]
    skipped: list[tuple[Idle, str]]


def erase_idle(
    session: Session,
    candidates: list[Idle],
    *,
    texts: ErasureTexts,
    certificates: str,
    now: datetime,
) -> Sweep:
    """Erase each candidate in its own transaction (one failure does not stop the rest)."""
    sweep = Sweep(erased=[], skipped=[])
    for idle in candidates:
        try:
            services.erase(
                session,
                idle.user_id,
                actor_id=None,
                via="retention",
                texts=texts,
                certificates=certificates,
                now=now,
            )
        except PrivacyError as error:  # erased meanwhile, or made an instructor
            sweep.skipped.append((idle, str(error)))
        else:
            sweep.erased.append(idle)
    return sweep
