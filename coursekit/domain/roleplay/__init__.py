"""The role-play engine: a branching conversation with a simulated customer, the customer's
state (expectation E, perceived performance P, trust T, expectations uncovered), and the
scoring of how the trainee handled the customer's expectations."""

from .engine import CustomerState, InvalidStep, Playthrough, Step, advance, replay, start
from .model import Scenario
from .scoring import Result, score

__all__ = [
    "CustomerState",
    "InvalidStep",
    "Playthrough",
    "Result",
    "Scenario",
    "Step",
    "advance",
    "replay",
    "score",
    "start",
]
