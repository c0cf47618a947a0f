"""Pydantic schema of a role-play scenario file (content/roleplays/<id>.yaml)."""

from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..content.schema import LocalText, Slug, Strict, _unique_ids

DIMENSIONS = ("discover", "classify", "calibrate", "deliver", "trust")
Dimension = Literal["discover", "classify", "calibrate", "deliver", "trust"]
Kind = Literal["explicit", "implicit", "basic", "enhanced"]
Evidence = int  # -2..+2 per dimension, checked by the field constraint below


class Effects(Strict):
    """Changes to the customer's state; each meter stays within 0-100."""

    E: int = Field(default=0, ge=-40, le=40)
    P: int = Field(default=0, ge=-40, le=40)
    T: int = Field(default=0, ge=-40, le=40)


class Expectation(Strict):
    """One of the customer's hidden expectations, for the trainee to uncover."""

    id: Slug
    kinds: tuple[Kind, ...] = Field(min_length=1, max_length=2)
    text: LocalText


class Choice(Strict):
    id: Slug
    say: LocalText  # what the trainee says
    next: Slug
    effects: Effects = Effects()
    reveals: tuple[Slug, ...] = ()
    evidence: dict[Dimension, int] = Field(default_factory=dict)
    feedback: LocalText  # why this was a good or poor move
    overpromise: bool = False  # promises more than can be delivered

    @field_validator("evidence")
    @classmethod
    def _evidence_range(cls, evidence: dict[str, int]) -> dict[str, int]:
        for dimension, value in evidence.items():
            if not -2 <= value <= 2:
                raise ValueError(f"evidence for {dimension} must be between -2 and +2, not {value}")
        return evidence


class Node(Strict):
    say: LocalText  # the customer's line (or, at an ending, what happens next)
    choices: tuple[Choice, ...] = ()
    ending: bool = False
    effects: Effects = Effects()  # at an ending: what delivery finally brings

    @model_validator(mode="after")
    def _ending_or_choices(self) -> "Node":
        if self.ending and self.choices:
            raise ValueError("an ending has no choices")
        if not self.ending and not 2 <= len(self.choices) <= 5:
            raise ValueError("a decision needs 2 to 5 choices (or `ending: true`)")
        if not self.ending and self.effects != Effects():
            raise ValueError("only an ending has effects of its own; put effects on the choices")
        _unique_ids(self.choices, "choice")
        return self


class State(Strict):
    E: int = Field(ge=0, le=100)
    P: int = Field(ge=0, le=100)
    T: int = Field(ge=0, le=100)


class Zone(Strict):
    """Zone of tolerance on the gap P - E: below `adequate` the customer is dissatisfied,
    above `desired` delighted, in between tolerant."""

    adequate: int = Field(ge=-100, le=0)
    desired: int = Field(ge=0, le=100)


class Scoring(Strict):
    weights: dict[Dimension | Literal["outcome"], float]
    pass_score: int = Field(ge=0, le=100)
    trust_share: float = Field(default=0.4, ge=0, le=1)  # of the outcome: trust vs the gap
    # A conversation that leaves the customer dissatisfied does not pass, whatever its score.
    pass_needs_satisfied_customer: bool = True

    @field_validator("weights")
    @classmethod
    def _all_weights(cls, weights: dict[str, float]) -> dict[str, float]:
        missing = [d for d in (*DIMENSIONS, "outcome") if d not in weights]
        if missing:
            raise ValueError(f"weights missing for {', '.join(missing)}")
        if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        return weights


class Persona(Strict):
    name: LocalText
    role: LocalText


class ScenarioSpec(Strict):
    id: Slug
    title: LocalText
    briefing: LocalText  # the situation, shown before the first line
    customer: Persona
    minutes: int = Field(ge=1, le=120)
    initial: State
    zone: Zone
    scoring: Scoring
    expectations: tuple[Expectation, ...] = Field(min_length=1)
    start: Slug
    nodes: dict[Slug, Node] = Field(min_length=2)

    @field_validator("expectations")
    @classmethod
    def _expectations_unique(cls, expectations: tuple) -> tuple:
        return _unique_ids(expectations, "expectation")
