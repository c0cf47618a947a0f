"""Turn a playthrough and its result into rows the play and review pages show."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..domain.roleplay import Playthrough, Result
from ..domain.roleplay.engine import CustomerState
from ..domain.roleplay.schema import DIMENSIONS, Choice

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
    better: Choice | None


def transcript(play: Playthrough, lang: str, result: Result | None = None) -> list[Exchange]:
    scenario = play.scenario
    return [
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
        )
        for step in play.steps
    ]


@dataclass(frozen=True)
class Evidence:
    number: int  # decision number, from 1
    said: str
    value: int
    best: int
    best_said: str | None  # what would have earned the best, when the trainee did not


@dataclass(frozen=True)
class DimensionRow:
    id: str
    label: str
    hint: str
    score: float | None
    evidence: tuple[Evidence, ...]


def dimension_rows(play: Playthrough, result: Result, lang: str) -> list[DimensionRow]:
    rows = []
    for dimension in DIMENSIONS:
        scored = result.dimensions[dimension]
        evidence = []
        for c in scored.contributions:
            step = play.steps[c.step]
            best = next(o for o in step.options if o.id == c.best_choice_id)
            evidence.append(
                Evidence(
                    number=c.step + 1,
                    said=step.choice.say.get(lang),
                    value=c.value,
                    best=c.best,
                    best_said=None if c.value == c.best else best.say.get(lang),
                )
            )
        rows.append(
            DimensionRow(
                dimension,
                str(DIMENSION_LABELS[dimension]),
                str(DIMENSION_HINTS[dimension]),
                scored.score,
                tuple(evidence),
            )
        )
    return rows


@dataclass(frozen=True)
class Chart:
    """An SVG line chart of E, P and T along the path (drawn by the template)."""

    width: int
    height: int
    labels: tuple[tuple[float, str], ...]  # (x, label) under the axis
    series: tuple[tuple[str, str, str], ...]  # (key, css class, polyline points)
    gridlines: tuple[tuple[float, int], ...]  # (y, value)


def chart(play: Playthrough, width: int = 320, height: int = 180) -> Chart:
    """Points: the start, after each decision, and the ending's outcome."""
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

    series = tuple(
        (key, f"line-{key}", " ".join(f"{x(i)},{y(getattr(s, key))}" for i, s in enumerate(states)))
        for key in ("E", "P", "T")
    )
    return Chart(
        width=width,
        height=height,
        labels=tuple((x(i), label) for i, label in enumerate(labels)),
        series=series,
        gridlines=tuple((y(v), v) for v in (0, 50, 100)),
    )
