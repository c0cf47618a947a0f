"""The customer's state and the step function: pure, deterministic, and strict about which
moves exist. The state follows Zeithaml, Berry and Parasuraman's zone of tolerance: two levels
of expectation, desired (D) and adequate (A), with the perceived performance P read against
both (content/roleplays/README.md gives the formulas)."""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .model import Scenario
from .schema import Choice, Effects


def _clamp(value: int) -> int:
    return max(0, min(100, value))


@dataclass(frozen=True)
class CustomerState:
    D: int  # desired: the service the customer hopes for
    A: int  # adequate: the least they will accept (never above D)
    P: int  # the performance the customer now perceives
    T: int  # trust
    revealed: frozenset[str] = frozenset()  # hidden expectations the trainee has uncovered

    @property
    def adequacy(self) -> int:
        """Measure of service adequacy, P - A: below zero the customer is dissatisfied."""
        return self.P - self.A

    @property
    def superiority(self) -> int:
        """Measure of service superiority, P - D: above zero the customer is delighted."""
        return self.P - self.D

    def apply(self, effects: Effects, reveals: Sequence[str] = ()) -> "CustomerState":
        desired = _clamp(self.D + effects.D)
        return CustomerState(
            D=desired,
            # The zone can narrow to nothing but not turn over: A stops at D.
            A=min(desired, _clamp(self.A + effects.A)),
            P=_clamp(self.P + effects.P),
            T=_clamp(self.T + effects.T),
            revealed=self.revealed | frozenset(reveals),
        )


class InvalidStep(Exception):
    """A move the scenario does not allow here: unknown choice, or the conversation is over."""


@dataclass(frozen=True)
class Step:
    index: int  # 0-based decision number along the path
    node_id: str
    choice: Choice
    options: tuple[Choice, ...]  # every choice that was on offer at this decision
    before: CustomerState
    after: CustomerState


@dataclass(frozen=True)
class Playthrough:
    scenario: Scenario
    node_id: str  # where the conversation is now
    state: CustomerState  # after the ending's own effects once finished
    steps: tuple[Step, ...] = ()

    @property
    def finished(self) -> bool:
        return self.scenario.node(self.node_id).ending

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(step.choice.id for step in self.steps)


def start(scenario: Scenario) -> Playthrough:
    initial = scenario.spec.initial
    return Playthrough(
        scenario, scenario.spec.start, CustomerState(initial.D, initial.A, initial.P, initial.T)
    )


def broken_promises(scenario: Scenario, steps: Sequence[Step]) -> Effects:
    """At the ending every over-promise on the path has been broken (it promised more than
    could be delivered): each narrows the zone from below by `scoring.broken_promise`."""
    count = sum(step.choice.overpromise for step in steps)
    return Effects(A=min(40, count * scenario.spec.scoring.broken_promise))


def advance(play: Playthrough, choice_id: str) -> Playthrough:
    """Take one choice at the current node; refuse anything the graph does not have."""
    node = play.scenario.node(play.node_id)
    if node.ending:
        raise InvalidStep("the conversation has already ended")
    choice = next((c for c in node.choices if c.id == choice_id), None)
    if choice is None:
        raise InvalidStep(f"node {play.node_id!r} has no choice {choice_id!r}")
    after = play.state.apply(choice.effects, choice.reveals)
    step = Step(len(play.steps), play.node_id, choice, node.choices, play.state, after)
    steps = (*play.steps, step)
    target = play.scenario.node(choice.next)
    final = after
    if target.ending:
        final = after.apply(target.effects).apply(broken_promises(play.scenario, steps))
    return replace(play, node_id=choice.next, state=final, steps=steps)


def replay(scenario: Scenario, choice_ids: Sequence[str]) -> Playthrough:
    """Walk a whole path from the start; raises InvalidStep at the first impossible move."""
    play = start(scenario)
    for choice_id in choice_ids:
        play = advance(play, choice_id)
    return play
