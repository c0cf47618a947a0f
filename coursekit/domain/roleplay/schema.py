"""Pydantic schema of a role-play scenario file (content/roleplays/<id>.yaml)."""

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ..content.schema import LocalText, Slug, Strict, _unique_ids

DIMENSIONS = ("discover", "classify", "calibrate", "deliver", "trust")
Dimension = Literal["discover", "classify", "calibrate", "deliver", "trust"]
KINDS = ("explicit", "implicit", "basic", "enhanced")
Kind = Literal["explicit", "implicit", "basic", "enhanced"]
Evidence = int  # -2..+2 per dimension, checked by the field constraint below


class Effects(Strict):
    """Changes to the customer's state; each level stays within 0-100 and A never above D."""

    D: int = Field(default=0, ge=-40, le=40)  # the desired level of service
    A: int = Field(default=0, ge=-40, le=40)  # the adequate level of service
    P: int = Field(default=0, ge=-40, le=40)  # the performance the customer perceives
    T: int = Field(default=0, ge=-40, le=40)  # trust

    @model_validator(mode="before")
    @classmethod
    def _legacy_expectation(cls, data: Any) -> Any:
        # Versions stored before the two-level zone moved one level E; the zone sat at fixed
        # offsets from it, so a change of E moved both of its edges alike.
        if isinstance(data, dict) and "E" in data:
            data = dict(data)
            level = data.pop("E")
            data.setdefault("D", level)
            data.setdefault("A", level)
        return data


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
    """The customer's state when the conversation opens: the zone of tolerance (adequate A up
    to desired D), the performance P they perceive so far, and trust T."""

    D: int = Field(ge=0, le=100)
    A: int = Field(ge=0, le=100)
    P: int = Field(ge=0, le=100)
    T: int = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _zone_order(self) -> "State":
        if self.A > self.D:
            raise ValueError(
                f"the adequate level A ({self.A}) is above the desired level D ({self.D})"
            )
        return self


class Scoring(Strict):
    weights: dict[Dimension | Literal["outcome"], float]
    pass_score: int = Field(ge=0, le=100)
    # Of the outcome: trust against satisfaction. 0 for current scenarios, where trust is the
    # Trust dimension's alone; stored versions from before kept their blend.
    trust_share: float = Field(default=0.0, ge=0, le=1)
    # How far a broken promise narrows the zone from below at the ending: A rises by this for
    # each over-promise on the path (a customer let down once tolerates less).
    broken_promise: int = Field(default=5, ge=0, le=40)
    # 2: Discover counts the expectations uncovered and Classify the trainee's tagging, as
    # well as the evidence; 1: evidence alone, as versions stored before were scored.
    model: Literal[1, 2] = 2
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
    scoring: Scoring
    expectations: tuple[Expectation, ...] = Field(min_length=1)
    start: Slug
    nodes: dict[Slug, Node] = Field(min_length=2)

    @model_validator(mode="before")
    @classmethod
    def _legacy_zone(cls, data: Any) -> Any:
        # Stored versions from before the two-level zone: one level E and a zone of offsets
        # from it (adequate <= 0 <= desired) become the levels A = E + adequate, D = E + desired,
        # and keep the trust blend they were scored with.
        if not (isinstance(data, dict) and "zone" in data and "E" in data.get("initial", {})):
            return data
        data = dict(data)
        zone, initial = data.pop("zone"), dict(data["initial"])
        level = initial.pop("E")
        initial["D"] = max(0, min(100, level + zone["desired"]))
        initial["A"] = max(0, min(100, level + zone["adequate"]))
        data["initial"] = initial
        scoring = dict(data.get("scoring", {}))
        scoring.setdefault("trust_share", 0.4)
        scoring.setdefault("broken_promise", 0)
        scoring.setdefault("model", 1)
        data["scoring"] = scoring
        return data

    @field_validator("expectations")
    @classmethod
    def _expectations_unique(cls, expectations: tuple) -> tuple:
        return _unique_ids(expectations, "expectation")
