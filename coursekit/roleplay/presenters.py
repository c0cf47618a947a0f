"""Turn a playthrough and its result into rows the play and review pages show."""

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..domain.roleplay import Playthrough, Result
from ..domain.roleplay.engine import CustomerState
from ..domain.roleplay.schema import DIMENSIONS, Choice
from ..domain.roleplay.scoring import band

DIMENSION_LABELS = {
    "discover": _l("Discover"),
    "classify": _l("Classify"),
    "calibrate": _l("Calibrate"),
    "deliver": _l("Deliver"),
    "trust": _l("Trust"),
}
DIMENSION_HINTS = {
    "discover": _l("uncover explicit and implicit expectations before answering"),
    "classify": _l("tell basic from enhanced, and serve the basics first"),
    "calibrate": _l("set realistic expectations; never over-promise"),
    "deliver": _l("meet the basics and add enhanced value where it is feasible"),
    "trust": _l("honest, transparent, timely communication and follow-up"),
}
BAND_LABELS = {
    "dissatisfied": _l("dissatisfied"),
    "tolerated": _l("tolerating it"),
    "delighted": _l("delighted"),
}
KIND_LABELS = {
    "explicit": _l("explicit"),
    "implicit": _l("implicit"),
    "basic": _l("basic"),
    "enhanced": _l("enhanced"),
}


ZONE_LABELS = {
    "dissatisfied": _l("below adequate"),
    "tolerated": _l("within the zone of tolerance"),
    "delighted": _l("above desired: delighted"),
}


@dataclass(frozen=True)
class Exchange:
    """One decision in the conversation, as the transcript and the review show it."""

    number: int
    customer: str
    said: str
    feedback: str
    before: CustomerState
    after: CustomerState
    evidence: tuple[tuple[str, int], ...]  # (dimension, value) for the dimensions it touched
    better: Choice | None  # the reply with the best overall value, when it beats this one
    cost: float  # overall value lost against that reply
    costly: bool  # among the decisions that cost the most on this path
    shown: tuple[str, ...]  # the replies in the order the trainee saw them


def transcript(
    play: Playthrough,
    lang: str,
    result: Result | None = None,
    orders: Sequence[Sequence[str]] = (),
) -> list[Exchange]:
    """`orders`: per decision, the choice ids in the order shown (the authored order where
    none was stored)."""
    scenario = play.scenario
    costs = result.costs if result else tuple(0.0 for _ in play.steps)
    worst = sorted((c for c in costs if c > 0), reverse=True)[:2]
    exchanges = []
    for step in play.steps:
        said = {c.id: c.say.get(lang) for c in step.options}
        stored = orders[step.index] if step.index < len(orders) else ()
        order = stored or [c.id for c in step.options]
        exchanges.append(
            Exchange(
                number=step.index + 1,
                customer=scenario.node(step.node_id).say.get(lang),
                said=step.choice.say.get(lang),
                feedback=step.choice.feedback.get(lang),
                before=step.before,
                after=step.after,
                evidence=tuple(
                    (d, step.choice.evidence[d]) for d in DIMENSIONS if step.choice.evidence.get(d)
                ),
                better=result.better[step.index] if result else None,
                cost=costs[step.index],
                costly=costs[step.index] > 0 and costs[step.index] in worst,
                shown=tuple(said[cid] for cid in order if cid in said),
            )
        )
    return exchanges


@dataclass(frozen=True)
class DimensionRow:
    id: str
    label: str
    hint: str
    score: float | None
    evidence: float | None  # the part from the decisions
    act: float | None  # discover: expectations uncovered; classify: the tagging
    gained: tuple[int, ...]  # decision numbers where the reply was the best on offer
    lost: tuple[int, ...]  # decision numbers where a reply on offer did better


def dimension_rows(result: Result) -> list[DimensionRow]:
    rows = []
    for dimension in DIMENSIONS:
        scored = result.dimensions[dimension]
        rows.append(
            DimensionRow(
                dimension,
                str(DIMENSION_LABELS[dimension]),
                str(DIMENSION_HINTS[dimension]),
                scored.score,
                scored.evidence,
                scored.act,
                tuple(c.step + 1 for c in scored.contributions if c.value == c.best),
                tuple(c.step + 1 for c in scored.contributions if c.value < c.best),
            )
        )
    return rows


@dataclass(frozen=True)
class Meter:
    """The practice meter: the zone of tolerance [A, D] on a 0-100 scale, P in or out of it."""

    state: CustomerState
    band: str  # dissatisfied | tolerated | delighted
    label: str
    change: tuple[tuple[str, int], ...]  # (level, change) the last reply made


def meter(play: Playthrough) -> Meter:
    state = play.state
    change: tuple[tuple[str, int], ...] = ()
    if play.steps:
        before = play.steps[-1].before
        change = tuple(
            (key, getattr(state, key) - getattr(before, key))
            for key in ("P", "A", "D", "T")
            if getattr(state, key) != getattr(before, key)
        )
    customer = band(state)
    return Meter(state, customer, str(ZONE_LABELS[customer]), change)


@dataclass(frozen=True)
class Chart:
    """An SVG chart along the path: the zone of tolerance as a band from A to D, P and T as
    lines, and the decisions that cost the most marked (drawn by the template)."""

    width: int
    height: int
    labels: tuple[tuple[float, str], ...]  # (x, label) under the axis
    zone: str  # polygon points: along D, then back along A
    series: tuple[tuple[str, str, str], ...]  # (key, css class, polyline points)
    gridlines: tuple[tuple[float, int], ...]  # (y, value)
    marks: tuple[tuple[float, int], ...]  # (x, decision number) of the costliest decisions


def chart(
    play: Playthrough, width: int = 320, height: int = 180, costly: Sequence[int] = ()
) -> Chart:
    """Points: the start, after each decision, and the ending's outcome. `costly`: the
    decision numbers to mark."""
    states = [play.steps[0].before if play.steps else play.state]
    labels = ["0"]
    for step in play.steps:
        states.append(step.after)
        labels.append(str(step.index + 1))
    if play.finished:
        states.append(play.state)
        labels.append("✓")
    left, right, top, bottom = 28, 8, 8, 22
    span_x = max(1, len(states) - 1)

    def x(i: int) -> float:
        return round(left + (width - left - right) * i / span_x, 1)

    def y(value: int) -> float:
        return round(top + (height - top - bottom) * (100 - value) / 100, 1)

    upper = [f"{x(i)},{y(s.D)}" for i, s in enumerate(states)]
    lower = [f"{x(i)},{y(s.A)}" for i, s in reversed(list(enumerate(states)))]
    series = tuple(
        (key, f"line-{key}", " ".join(f"{x(i)},{y(getattr(s, key))}" for i, s in enumerate(states)))
        for key in ("P", "T")
    )
    return Chart(
        width=width,
        height=height,
        labels=tuple((x(i), label) for i, label in enumerate(labels)),
        zone=" ".join(upper + lower),
        series=series,
        gridlines=tuple((y(v), v) for v in (0, 50, 100)),
        marks=tuple((x(n), n) for n in costly),
    )
