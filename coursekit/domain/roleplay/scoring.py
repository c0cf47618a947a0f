"""Scoring a finished conversation: five rubric dimensions from the trainee's own path, and an
outcome from the customer's satisfaction, perceived performance P read against the zone of
tolerance [A, D]. Every number can be explained from its parts (content/roleplays/README.md).
This is the only scoring function: attempts, reviews and the content validator all call it."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from .engine import CustomerState, Playthrough, Step
from .model import Scenario
from .schema import DIMENSIONS, Choice, Scoring

Band = Literal["dissatisfied", "tolerated", "delighted"]
Tags = Mapping[str, Sequence[str]]  # expectation id -> the kinds the trainee tagged it with

# How P maps to 0-100: 50 at the adequate level, 80 at the desired level, 100 when
# DELIGHT_SPAN above desired, 0 when DISSATISFACTION_SPAN below adequate.
DISSATISFACTION_SPAN = 30
DELIGHT_SPAN = 20
# Uncovering a basic or implicit expectation counts double: those are the ones a customer
# does not say and still judges by.
KIND_WEIGHTS = {"basic": 2, "implicit": 2, "explicit": 1, "enhanced": 1}


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
    evidence: float | None = None  # the part from the decisions' evidence
    act: float | None = None  # discover: expectations uncovered; classify: tagging


@dataclass(frozen=True)
class Result:
    dimensions: dict[str, DimensionScore]
    state: CustomerState  # the customer's state at the ending
    band: Band
    satisfaction: float  # P against the zone, 0-100
    outcome: float
    score: float
    passed: bool
    better: tuple[Choice | None, ...]  # per decision: the reply with the best overall value
    costs: tuple[float, ...]  # per decision: value of the best reply minus the one taken
    overpromised: bool  # the trainee promised more than could be delivered somewhere

    @property
    def trust(self) -> int:
        return self.state.T

    @property
    def adequacy(self) -> int:
        return self.state.adequacy

    @property
    def superiority(self) -> int:
        return self.state.superiority


def band(state: CustomerState) -> Band:
    if state.P < state.A:
        return "dissatisfied"
    if state.P > state.D:
        return "delighted"
    return "tolerated"


def satisfaction_score(state: CustomerState) -> float:
    """P as 0-100, piecewise linear across the zone of tolerance [A, D]."""
    p, a, d = state.P, state.A, state.D
    if p < a:
        return 50 * max(0.0, 1 - (a - p) / DISSATISFACTION_SPAN)
    if p > d:
        return 80 + 20 * min(1.0, (p - d) / DELIGHT_SPAN)
    return 80.0 if d == a else 50 + 30 * (p - a) / (d - a)


@dataclass(frozen=True)
class Stake:
    """One dimension at one decision: each reply's evidence, and the best and worst on offer."""

    values: Mapping[str, int]  # choice id -> evidence
    best: int
    worst: int
    best_choice_id: str


@dataclass(frozen=True)
class Decision:
    """What a decision offers, worked out once per scenario version: every path the validator
    walks and every attempt scored looks it up instead of recomputing it."""

    values: Mapping[str, float]  # choice id -> overall value
    best: Choice  # the reply with the best overall value (the first authored among equals)
    stakes: Mapping[str, Stake]  # the dimensions at stake here


def _decision(options: Sequence[Choice], scoring: Scoring) -> Decision:
    stakes = {}
    for dimension in DIMENSIONS:
        values = {c.id: c.evidence.get(dimension, 0) for c in options}
        best, worst = max(values.values()), min(values.values())
        if best != worst:
            best_id = next(c for c, v in values.items() if v == best)
            stakes[dimension] = Stake(values, best, worst, best_id)
    return Decision(
        values={c.id: choice_value(c, scoring) for c in options},
        best=best_reply(options, scoring),
        stakes=stakes,
    )


_DECISIONS: dict[str, dict[str, Decision]] = {}


def decisions_of(scenario: Scenario) -> dict[str, Decision]:
    """Every decision node's table, cached by the scenario's content hash."""
    found = _DECISIONS.get(scenario.hash)
    if found is None:
        if len(_DECISIONS) > 256:  # a long-lived process that saw many versions
            _DECISIONS.clear()
        scoring = scenario.spec.scoring
        found = {
            node_id: _decision(node.choices, scoring)
            for node_id, node in scenario.spec.nodes.items()
            if not node.ending
        }
        _DECISIONS[scenario.hash] = found
    return found


@dataclass(frozen=True)
class Tally:
    """What a path has earned so far, one decision at a time: per dimension the evidence
    against what was on offer, and per decision the better reply and its cost. An attempt
    folds its steps into one; the validator carries one down every branch it walks."""

    contributions: tuple[tuple[Contribution, ...], ...] = tuple(() for _ in DIMENSIONS)
    better: tuple[Choice | None, ...] = ()
    costs: tuple[float, ...] = ()
    overpromised: bool = False

    def add(self, decision: Decision, index: int, chosen: Choice) -> "Tally":
        contributions = tuple(
            found
            if (stake := decision.stakes.get(dimension)) is None
            else (
                *found,
                Contribution(
                    index,
                    chosen.id,
                    stake.values[chosen.id],
                    stake.best,
                    stake.worst,
                    stake.best_choice_id,
                ),
            )
            for dimension, found in zip(DIMENSIONS, self.contributions, strict=True)
        )
        values = decision.values
        gain = values[decision.best.id] - values[chosen.id]
        return Tally(
            contributions,
            (*self.better, decision.best if gain > 0 else None),
            (*self.costs, round1(gain)),
            self.overpromised or chosen.overpromise,
        )


def tally(scenario: Scenario, steps: Sequence[Step]) -> Tally:
    table = decisions_of(scenario)
    total = Tally()
    for step in steps:
        total = total.add(table[step.node_id], step.index, step.choice)
    return total


def evidence_score(dimension: str, contributions: tuple[Contribution, ...]) -> DimensionScore:
    """100 * sum(chosen - worst) / sum(best - worst) over the decisions where it was at stake."""
    if not contributions:
        return DimensionScore(dimension, None, ())
    gained = sum(c.value - c.worst for c in contributions)
    possible = sum(c.best - c.worst for c in contributions)
    value = round1(100 * gained / possible)
    return DimensionScore(dimension, value, contributions, evidence=value)


def coverage(scenario: Scenario, revealed: frozenset[str]) -> float:
    """The weighted share of the customer's hidden expectations the trainee uncovered."""
    weights = {e.id: max(KIND_WEIGHTS[k] for k in e.kinds) for e in scenario.spec.expectations}
    return round1(100 * sum(w for e, w in weights.items() if e in revealed) / sum(weights.values()))


def tagging(scenario: Scenario, revealed: frozenset[str], tags: Tags | None) -> float | None:
    """How well the trainee tagged what they uncovered: per expectation, the overlap of the
    kinds tagged with the true kinds (|both| / |either|), averaged; None when not asked."""
    if tags is None or not revealed:
        return None
    overlaps = []
    for expectation in scenario.spec.expectations:
        if expectation.id in revealed:
            truth, given = set(expectation.kinds), set(tags.get(expectation.id, ()))
            overlaps.append(len(truth & given) / len(truth | given))
    return round1(100 * sum(overlaps) / len(overlaps))


def true_tags(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """Every expectation tagged right: what the validator assumes, to judge content at its
    most generous to a player."""
    return {e.id: e.kinds for e in scenario.spec.expectations}


def _with_act(part: DimensionScore, act: float | None) -> DimensionScore:
    """Half the evidence, half the act; the act alone when no decision put it at stake."""
    if act is None:
        return part
    total = act if part.score is None else round1((part.score + act) / 2)
    return DimensionScore(part.dimension, total, part.contributions, part.evidence, act)


def choice_value(choice: Choice, scoring: Scoring) -> float:
    """A reply's overall value: its evidence weighted as the final score weighs the
    dimensions."""
    return sum(scoring.weights[d] * choice.evidence.get(d, 0) for d in DIMENSIONS)


def best_reply(options: Sequence[Choice], scoring: Scoring) -> Choice:
    """The reply with the best overall value (the first authored among equals)."""
    return max(options, key=lambda c: choice_value(c, scoring))


def score(play: Playthrough, tags: Tags | None = None) -> Result:
    """Score a finished playthrough; `tags` are the trainee's classification of what they
    uncovered. Deterministic: the same path and tags, the same result."""
    if not play.finished:
        raise ValueError("only a finished conversation can be scored")
    return finish(play.scenario, play.state, tally(play.scenario, play.steps), tags)


def finish(scenario: Scenario, state: CustomerState, earned: Tally, tags: Tags | None) -> Result:
    """The result of a conversation that ended in `state` having earned `earned`."""
    spec = scenario.spec
    dimensions = {
        d: evidence_score(d, found)
        for d, found in zip(DIMENSIONS, earned.contributions, strict=True)
    }
    if spec.scoring.model == 2:
        found = state.revealed
        dimensions["discover"] = _with_act(dimensions["discover"], coverage(scenario, found))
        dimensions["classify"] = _with_act(dimensions["classify"], tagging(scenario, found, tags))
    # Parts are rounded as the review shows them, so the shown numbers add up exactly.
    satisfaction = round1(satisfaction_score(state))
    share = spec.scoring.trust_share
    outcome = round1((1 - share) * satisfaction + share * state.T)
    weights = spec.scoring.weights
    parts = [(weights[d], s.score) for d, s in dimensions.items() if s.score is not None]
    parts.append((weights["outcome"], outcome))
    total_weight = sum(w for w, _ in parts)
    final = round1(sum(w * s for w, s in parts) / total_weight if total_weight else outcome)
    customer = band(state)
    scoring = spec.scoring
    return Result(
        dimensions=dimensions,
        state=state,
        band=customer,
        satisfaction=satisfaction,
        outcome=outcome,
        score=final,
        passed=final >= scoring.pass_score
        and not (scoring.pass_needs_satisfied_customer and customer == "dissatisfied"),
        better=earned.better,
        costs=earned.costs,
        overpromised=earned.overpromised,
    )
