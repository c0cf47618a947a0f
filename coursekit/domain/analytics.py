"""Cohort statistics, computed from plain rows: item analysis of knowledge-check questions,
role-play dimension summaries, choice shares and who is at risk."""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .content.model import KnowledgeCheck
from .quiz import Answers, credit
from .roleplay.schema import DIMENSIONS


@dataclass(frozen=True)
class ItemStats:
    question_id: str
    responses: int
    facility: float | None  # mean share of the question's points earned, 0..1
    discrimination: float | None  # corrected item-total correlation, -1..1


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def item_analysis(check: KnowledgeCheck, attempts: Iterable[Answers]) -> list[ItemStats]:
    """Facility (how many got it right) and discrimination (whether those who did well on the
    rest of the check got it right: the correlation between the question's credit and the
    score on the other questions) for each question, over one attempt per trainee."""
    credits: dict[str, list[float]] = {q.id: [] for q in check.questions}
    totals: list[float] = []
    known: dict[tuple, float] = {}  # a cohort gives the same answers again and again
    for answers in attempts:
        earned = 0.0
        for q in check.questions:
            answer = answers.get(q.id)
            key = (q.id, _hashable(answer))
            if key not in known:
                known[key] = credit(q, answer) if answer is not None else 0.0
            credits[q.id].append(known[key])
            earned += known[key] * q.points
        totals.append(earned)
    stats = []
    for q in check.questions:
        item = credits[q.id]
        rest = [total - c * q.points for total, c in zip(totals, item, strict=True)]
        stats.append(
            ItemStats(
                question_id=q.id,
                responses=len(item),
                facility=sum(item) / len(item) if item else None,
                discrimination=pearson(item, rest),
            )
        )
    return stats


def _hashable(answer: object) -> object:
    if isinstance(answer, Mapping):
        return tuple(sorted(answer.items()))
    if isinstance(answer, list | set | frozenset):
        return frozenset(answer)
    return answer


def histogram(values: Iterable[float], bins: int = 5) -> list[int]:
    """Counts of 0-100 values in equal bins; 100 falls in the top bin."""
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int(value * bins / 100))] += 1
    return counts


@dataclass(frozen=True)
class DimensionSummary:
    dimension: str
    mean: float | None
    assessed: int  # attempts in which the dimension was at stake
    histogram: list[int]


def dimension_summaries(rows: Iterable[Mapping[str, float | None]]) -> list[DimensionSummary]:
    """Mean and distribution of each rubric dimension over role-play attempts; an attempt in
    which a dimension was not assessed does not count for it."""
    values: dict[str, list[float]] = {d: [] for d in DIMENSIONS}
    for row in rows:
        for dimension in DIMENSIONS:
            value = row.get(dimension)
            if value is not None:
                values[dimension].append(value)
    return [
        DimensionSummary(d, round(sum(v) / len(v), 1) if v else None, len(v), histogram(v))
        for d, v in values.items()
    ]


def shares(counts: Mapping[str, int]) -> dict[str, float]:
    """Each key's share of the total (0..1)."""
    total = sum(counts.values())
    return {key: (n / total if total else 0.0) for key, n in counts.items()}


@dataclass(frozen=True)
class Risk:
    inactive_days: int | None  # days since the last activity, when past the limit
    failing: tuple[str, ...]  # checks or role-plays tried and not (yet) passed


def risk(
    *,
    now: datetime,
    joined_at: datetime,
    last_active: datetime | None,
    inactive_limit: int,
    failing: Sequence[str],
) -> Risk | None:
    """Why a trainee needs attention, or None: no activity for `inactive_limit` days (counted
    from joining when they never started), or something tried and not passed."""
    since = last_active or joined_at
    idle = (now - since) // timedelta(days=1)
    inactive = idle if idle >= inactive_limit else None
    if inactive is None and not failing:
        return None
    return Risk(inactive, tuple(failing))
