"""Everything a cohort dashboard shows, batch-loaded: a fixed number of queries however many
trainees the cohort has (a test counts them). The numbers are computed in pure code."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth.models import User
from ..domain.analytics import (
    DimensionSummary,
    ItemStats,
    Risk,
    dimension_summaries,
    item_analysis,
    risk,
)
from ..domain.content import Course
from ..domain.progress import CourseProgress, RoleplayFacts, course_progress
from ..learn.models import CheckAttempt, LessonProgress
from ..roleplay.models import ACTIVE, FINISHED, RoleplayAttempt, RoleplayStep
from .models import Cohort, CohortMember


@dataclass
class TraineeRow:
    user_id: int
    name: str
    email: str
    joined_at: datetime
    last_active: datetime | None = None
    lessons_done: set[str] = field(default_factory=set)
    last_opened: tuple[datetime, str] | None = None
    check_best: dict[str, float] = field(default_factory=dict)
    check_attempts: dict[str, int] = field(default_factory=dict)
    roleplays: dict[str, RoleplayFacts] = field(default_factory=dict)
    progress: CourseProgress | None = None
    risk: Risk | None = None

    def seen(self, when: datetime | None) -> None:
        if when is not None and (self.last_active is None or when > self.last_active):
            self.last_active = when


@dataclass(frozen=True)
class ChoiceShare:
    choice_id: str
    trainees: int
    share: float


@dataclass
class Dashboard:
    cohort: Cohort
    trainees: list[TraineeRow]
    dimensions: list[DimensionSummary]
    # scenario id -> node id -> shares of the choices taken there (by distinct trainees)
    choices: dict[str, dict[str, list[ChoiceShare]]]
    items: dict[str, list[ItemStats]]  # module id -> question statistics (current version)
    at_risk: list[TraineeRow]  # most in need first


def members_of(cohort_id: int):  # type: ignore[no-untyped-def]
    return select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id).scalar_subquery()


def load(
    session: Session, cohort: Cohort, course: Course, *, now: datetime, inactive_days: int
) -> Dashboard:
    members = members_of(cohort.id)
    trainees = trainee_rows(session, cohort, course, now=now, inactive_days=inactive_days)
    return Dashboard(
        cohort=cohort,
        trainees=trainees,
        dimensions=_dimensions(session, course, members),
        choices=_choices(session, course, members),
        items=_items(session, course, members),
        at_risk=sorted((t for t in trainees if t.risk is not None), key=_severity),
    )


def _severity(row: TraineeRow) -> tuple:
    """Longest idle first, then the most not passed."""
    assert row.risk is not None
    return (-(row.risk.inactive_days or 0), -len(row.risk.failing), row.name.lower())


def trainee_rows(
    session: Session, cohort: Cohort, course: Course, *, now: datetime, inactive_days: int
) -> list[TraineeRow]:
    """One row per member with progress and risk: four queries whatever the cohort's size."""
    members = members_of(cohort.id)
    rows = {
        r.id: TraineeRow(r.id, r.name, r.email, r.joined_at)
        for r in session.execute(
            select(User.id, User.name, User.email, CohortMember.joined_at)
            .join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == cohort.id)
            .order_by(User.name, User.id)
        )
    }
    _lessons(session, course, members, rows)
    _checks(session, course, members, rows)
    _roleplays(session, course, members, rows)
    for row in rows.values():
        row.progress = course_progress(
            course,
            row.lessons_done,
            row.check_best,
            row.check_attempts,
            row.last_opened[1] if row.last_opened else None,
            row.roleplays,
        )
        failing = [m.module_id for m in row.progress.modules if m.attempts and not m.passed]
        failing += [
            r.scenario_id
            for m in row.progress.modules
            for r in m.roleplays
            if r.facts.attempts and not r.passed
        ]
        row.risk = risk(
            now=now,
            joined_at=row.joined_at,
            last_active=row.last_active,
            inactive_limit=inactive_days,
            failing=failing,
        )
    return list(rows.values())


def _lessons(session: Session, course: Course, members, rows: dict[int, TraineeRow]) -> None:  # type: ignore[no-untyped-def]
    for r in session.execute(
        select(
            LessonProgress.user_id,
            LessonProgress.module_id,
            LessonProgress.completed_at,
            LessonProgress.last_opened_at,
        ).where(LessonProgress.user_id.in_(members), LessonProgress.course_id == course.id)
    ):
        row = rows[r.user_id]
        if r.completed_at is not None:
            row.lessons_done.add(r.module_id)
        if row.last_opened is None or r.last_opened_at > row.last_opened[0]:
            row.last_opened = (r.last_opened_at, r.module_id)
        row.seen(r.last_opened_at)


def _checks(session: Session, course: Course, members, rows: dict[int, TraineeRow]) -> None:  # type: ignore[no-untyped-def]
    for r in session.execute(
        select(
            CheckAttempt.user_id,
            CheckAttempt.module_id,
            func.max(CheckAttempt.score),
            func.count(),
            func.max(CheckAttempt.created_at),
        )
        .where(CheckAttempt.user_id.in_(members), CheckAttempt.course_id == course.id)
        .group_by(CheckAttempt.user_id, CheckAttempt.module_id)
    ):
        user_id, module_id, best, count, last = r
        rows[user_id].check_best[module_id] = best
        rows[user_id].check_attempts[module_id] = count
        rows[user_id].seen(last)


def _roleplays(session: Session, course: Course, members, rows: dict[int, TraineeRow]) -> None:  # type: ignore[no-untyped-def]
    for r in session.execute(
        select(
            RoleplayAttempt.user_id,
            RoleplayAttempt.scenario_id,
            func.max(RoleplayAttempt.score),
            func.count().filter(RoleplayAttempt.status == FINISHED),
            func.count().filter(RoleplayAttempt.status == ACTIVE),
            func.max(RoleplayAttempt.updated_at),
        )
        .where(RoleplayAttempt.user_id.in_(members), RoleplayAttempt.course_id == course.id)
        .group_by(RoleplayAttempt.user_id, RoleplayAttempt.scenario_id)
    ):
        user_id, scenario_id, best, finished, active, last = r
        rows[user_id].roleplays[scenario_id] = RoleplayFacts(best, finished, active > 0)
        rows[user_id].seen(last)


def _dimensions(session: Session, course: Course, members) -> list[DimensionSummary]:  # type: ignore[no-untyped-def]
    """Each trainee's best finished conversation per scenario counts once."""
    best: dict[tuple[int, str], tuple[float, dict]] = {}
    for user_id, scenario_id, score, dims in session.execute(
        select(
            RoleplayAttempt.user_id,
            RoleplayAttempt.scenario_id,
            RoleplayAttempt.score,
            RoleplayAttempt.dimensions,
        ).where(
            RoleplayAttempt.user_id.in_(members),
            RoleplayAttempt.course_id == course.id,
            RoleplayAttempt.status == FINISHED,
        )
    ):
        key = (user_id, scenario_id)
        if key not in best or score > best[key][0]:
            best[key] = (score, dims or {})
    return dimension_summaries(dims for _, dims in best.values())


def _choices(session: Session, course: Course, members) -> dict[str, dict[str, list[ChoiceShare]]]:  # type: ignore[no-untyped-def]
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for scenario_id, node_id, choice_id, trainees in session.execute(
        select(
            RoleplayAttempt.scenario_id,
            RoleplayStep.node_id,
            RoleplayStep.choice_id,
            func.count(func.distinct(RoleplayAttempt.user_id)),
        )
        .join(RoleplayAttempt, RoleplayAttempt.id == RoleplayStep.attempt_id)
        .where(RoleplayAttempt.user_id.in_(members), RoleplayAttempt.course_id == course.id)
        .group_by(RoleplayAttempt.scenario_id, RoleplayStep.node_id, RoleplayStep.choice_id)
    ):
        counts[scenario_id][node_id][choice_id] = trainees
    result: dict[str, dict[str, list[ChoiceShare]]] = {}
    for scenario_id, nodes in counts.items():
        scenario = course.roleplays.get(scenario_id)
        if scenario is None:
            continue
        ordered = {}
        for node_id, node in scenario.spec.nodes.items():  # in the scenario's own order
            taken = nodes.get(node_id)
            if not taken:
                continue
            total = sum(taken.values())
            ordered[node_id] = [
                ChoiceShare(c.id, taken.get(c.id, 0), taken.get(c.id, 0) / total)
                for c in node.choices
            ]
        result[scenario_id] = ordered
    return result


def _items(session: Session, course: Course, members) -> dict[str, list[ItemStats]]:  # type: ignore[no-untyped-def]
    """Question statistics from each trainee's first attempt at each check (later attempts
    are coached by the feedback). Only attempts on today's version of a check count: an
    older version may have asked different questions."""
    first = (
        select(func.min(CheckAttempt.id))
        .where(CheckAttempt.user_id.in_(members), CheckAttempt.course_id == course.id)
        .group_by(CheckAttempt.user_id, CheckAttempt.module_id)
    )
    current = {m.check.hash for m in course.modules}
    answers: dict[str, list] = defaultdict(list)
    for check_hash, stored in session.execute(
        select(CheckAttempt.check_hash, CheckAttempt.answers).where(
            CheckAttempt.id.in_(first), CheckAttempt.check_hash.in_(current)
        )
    ):
        answers[check_hash].append(stored)  # as stored: credit() reads lists and dicts as they are
    return {m.id: item_analysis(m.check, answers.get(m.check.hash, [])) for m in course.modules}
