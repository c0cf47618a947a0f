"""Scoring a finished conversation: five rubric dimensions from the evidence on the trainee's
own path, and an outcome from the final gap P - E read against the zone of tolerance and
blended with trust. Every number can be explained from its parts (content/roleplays/README.md)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from .engine import Playthrough, Step
from .schema import DIMENSIONS, Choice, Scoring, Zone

Band = Literal["dissatisfied", "tolerated", "delighted"]

# How the gap maps to 0-100: 50 at the adequate edge, 80 at the desired edge, 100 when
# DELIGHT_SPAN above desired, 0 when DISSATISFACTION_SPAN below adequate.
DISSATISFACTION_SPAN = 30
DELIGHT_SPAN = 20


def round1(value: float) -> float:
    """Round half up to one decimal, as a person checking the review by hand would."""
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Contribution:
    """One decision's evidence on one dimension, against what was on offer there."""

    step: int
    choice_id: str
    value: int
    best: int
    worst: int
    best_choice_id: str


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    score: float | None  # None: never at stake on this path ("not assessed")
    contributions: tuple[Contribution, ...]


@dataclass(frozen=True)
class Result:
    dimensions: dict[str, DimensionScore]
    gap: int
    band: Band
    trust: int
    gap_score: float
    outcome: float
    score: float
    passed: bool
    better: tuple[Choice | None, ...]  # per decision: the choice that would have scored better
    overpromised: bool  # the trainee promised more than could be delivered somewhere


def band(gap: int, zone: Zone) -> Band:
    if gap < zone.adequate:
        return "dissatisfied"
    if gap > zone.desired:
        return "delighted"
    return "tolerated"


def gap_score(gap: int, zone: Zone) -> float:
    """The gap P - E as 0-100, piecewise linear across the zone of tolerance."""
    if gap < zone.adequate:
        return 50 * max(0.0, 1 - (zone.adequate - gap) / DISSATISFACTION_SPAN)
    if gap > zone.desired:
        return 80 + 20 * min(1.0, (gap - zone.desired) / DELIGHT_SPAN)
    width = zone.desired - zone.adequate
    return 65.0 if width == 0 else 50 + 30 * (gap - zone.adequate) / width


def dimension_score(steps: tuple[Step, ...], dimension: str) -> DimensionScore:
    """100 * sum(chosen - worst) / sum(best - worst) over the decisions where it was at stake."""
    contributions = []
    for step in steps:
        values = [c.evidence.get(dimension, 0) for c in step.options]
        best, worst = max(values), min(values)
        if best == worst:
            continue
        best_choice = step.options[values.index(best)]
        chosen = step.choice.evidence.get(dimension, 0)
        contributions.append(
            Contribution(step.index, step.choice.id, chosen, best, worst, best_choice.id)
        )
    if not contributions:
        return DimensionScore(dimension, None, ())
    gained = sum(c.value - c.worst for c in contributions)
    possible = sum(c.best - c.worst for c in contributions)
    return DimensionScore(dimension, round1(100 * gained / possible), tuple(contributions))


def choice_value(choice: Choice, scoring: Scoring) -> float:
    """A choice's evidence weighted as the final score weighs the dimensions."""
    return sum(scoring.weights[d] * choice.evidence.get(d, 0) for d in DIMENSIONS)


def better_choice(step: Step, scoring: Scoring) -> Choice | None:
    """The best-valued choice at this decision, if it beats the one taken."""
    best = max(step.options, key=lambda c: choice_value(c, scoring))
    if choice_value(best, scoring) > choice_value(step.choice, scoring):
        return best
    return None


def score(play: Playthrough) -> Result:
    """Score a finished playthrough. Deterministic: the same path, the same result."""
    if not play.finished:
        raise ValueError("only a finished conversation can be scored")
    spec = play.scenario.spec
    dimensions = {d: dimension_score(play.steps, d) for d in DIMENSIONS}
    gap = play.state.gap
    # Parts are rounded as the review shows them, so the shown numbers add up exactly.
    gap_part = round1(gap_score(gap, spec.zone))
    share = spec.scoring.trust_share
    outcome = round1((1 - share) * gap_part + share * play.state.T)
    weights = spec.scoring.weights
    parts = [(weights[d], s.score) for d, s in dimensions.items() if s.score is not None]
    parts.append((weights["outcome"], outcome))
    total_weight = sum(w for w, _ in parts)
    final = sum(w * s for w, s in parts) / total_weight if total_weight else outcome
    final = round1(final)
    return Result(
        dimensions=dimensions,
        gap=gap,
        band=band(gap, spec.zone),
        trust=play.state.T,
        gap_score=gap_part,
        outcome=outcome,
        score=final,
        passed=final >= spec.scoring.pass_score
        and not (
            spec.scoring.pass_needs_satisfied_customer and band(gap, spec.zone) == "dissatisfied"
        ),
        better=tuple(better_choice(step, spec.scoring) for step in play.steps),
        overpromised=any(step.choice.overpromise for step in play.steps),
    )
