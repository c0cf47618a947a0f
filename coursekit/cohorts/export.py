"""Cohort data as CSV, streamed row by row: UTF-8 with a byte-order mark (so Excel reads
Chinese correctly) and text cells neutralised against formula injection."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..auth.models import User
from ..domain.content import Course
from ..domain.roleplay.schema import DIMENSIONS
from ..domain.spreadsheet import safe_cell
from ..learn.models import CheckAttempt
from ..roleplay.models import RoleplayAttempt
from .queries import TraineeRow, members_of

BOM = "\ufeff"
STREAM_BATCH = 1000  # rows fetched from the database at a time


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Sequence[Any]) -> str:
        writer.writerow([safe_cell(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield BOM + line(header)
    for row in rows:
        yield line(row)


def _iso(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


def matrix(course: Course, trainees: list[TraineeRow]) -> Iterator[str]:
    """One row per trainee: progress, and per module the lesson, check and role-plays."""
    header = ["name", "email", "joined", "last_active", "progress_percent", "at_risk"]
    for module in course.modules:
        header += [f"{module.id}:lesson_done", f"{module.id}:check_best"]
        header += [f"{module.id}:roleplay:{rid}_best" for rid in module.roleplays]

    def rows() -> Iterator[list[Any]]:
        for t in trainees:
            assert t.progress is not None
            row: list[Any] = [
                t.name,
                t.email,
                _iso(t.joined_at),
                _iso(t.last_active),
                t.progress.percent,
                "yes" if t.risk else "no",
            ]
            for module in course.modules:
                row += [
                    "yes" if module.id in t.lessons_done else "no",
                    t.check_best.get(module.id, ""),
                ]
                row += [
                    t.roleplays[rid].best_score
                    if rid in t.roleplays and t.roleplays[rid].best_score is not None
                    else ""
                    for rid in module.roleplays
                ]
            yield row

    return csv_lines(header, rows())


def attempts(sessions: sessionmaker[Session], course: Course, cohort_id: int) -> Iterator[str]:
    """Every knowledge-check and role-play attempt of the cohort's trainees, read from the
    database in batches so memory stays flat however many there are. The rows come from a
    session of their own, closed as soon as the last row is out: a streamed response may
    outlive the request's session, and an open read must not hold locks meanwhile."""
    header = [
        "name",
        "email",
        "kind",
        "module_or_scenario",
        "started",
        "finished",
        "score",
        "passed",
        "customer",
        *(f"dimension:{d}" for d in DIMENSIONS),
        "path",
    ]
    members = members_of(cohort_id)

    def rows() -> Iterator[list[Any]]:
        with sessions() as session:
            yield from _attempt_rows(session, course, members)

    return csv_lines(header, rows())


def _attempt_rows(session: Session, course: Course, members) -> Iterator[list[Any]]:  # type: ignore[no-untyped-def]
    checks = session.execute(
        select(
            User.name,
            User.email,
            CheckAttempt.module_id,
            CheckAttempt.created_at,
            CheckAttempt.score,
            CheckAttempt.passed,
        )
        .join(User, User.id == CheckAttempt.user_id)
        .where(CheckAttempt.user_id.in_(members), CheckAttempt.course_id == course.id)
        .order_by(User.name, CheckAttempt.id)
        .execution_options(yield_per=STREAM_BATCH)
    )
    for name, email, module_id, created, score, passed in checks:
        yield [
            name,
            email,
            "check",
            module_id,
            _iso(created),
            _iso(created),
            score,
            "yes" if passed else "no",
            "",
            *([""] * len(DIMENSIONS)),
            "",
        ]
    plays = session.execute(
        select(
            User.name,
            User.email,
            RoleplayAttempt.scenario_id,
            RoleplayAttempt.started_at,
            RoleplayAttempt.finished_at,
            RoleplayAttempt.score,
            RoleplayAttempt.passed,
            RoleplayAttempt.band,
            RoleplayAttempt.dimensions,
            RoleplayAttempt.path,
        )
        .join(User, User.id == RoleplayAttempt.user_id)
        .where(RoleplayAttempt.user_id.in_(members), RoleplayAttempt.course_id == course.id)
        .order_by(User.name, RoleplayAttempt.id)
        .execution_options(yield_per=STREAM_BATCH)
    )
    for name, email, scenario_id, started, finished, score, passed, band, dims, path in plays:
        dims = dims or {}
        yield [
            name,
            email,
            "roleplay",
            scenario_id,
            _iso(started),
            _iso(finished),
            "" if score is None else score,
            "" if passed is None else ("yes" if passed else "no"),
            band or "",
            *("" if dims.get(d) is None else dims[d] for d in DIMENSIONS),
            " > ".join(path),
        ]
