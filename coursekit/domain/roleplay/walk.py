"""Every path through a scenario, scored by the one scoring function as the walk goes (each
branch carries what it has earned), and what one walk tells the validator."""

from collections.abc import Iterator
from dataclasses import dataclass

from .engine import Playthrough, advance, start
from .model import Scenario
from .scoring import Result, Tags, Tally, decisions_of, finish, true_tags

MAX_PATHS = 50_000  # beyond this a scenario is too bushy to check (or to play sensibly)
MIN_DECISIONS, MAX_DECISIONS = 2, 12


@dataclass(frozen=True)
class Walked:
    play: Playthrough
    chance: float  # that a player choosing at random takes this path
    result: Result


def walk(scenario: Scenario, tags: Tags | None = None) -> Iterator[Walked]:
    """Every finished conversation, depth first in authored order; `tags` None tags every
    uncovered expectation right (the most generous assumption about a player)."""
    table = decisions_of(scenario)
    tags = true_tags(scenario) if tags is None else tags
    stack = [(start(scenario), 1.0, Tally())]
    while stack:
        play, chance, earned = stack.pop()
        if play.finished:
            yield Walked(play, chance, finish(scenario, play.state, earned, tags))
            continue
        decision, options = table[play.node_id], scenario.node(play.node_id).choices
        for choice in reversed(options):
            step = earned.add(decision, len(play.steps), choice)
            stack.append((advance(play, choice.id), chance / len(options), step))


@dataclass(frozen=True)
class Survey:
    """What one walk of every path tells the validator and its gate."""

    paths: int
    too_many: bool  # more than MAX_PATHS: nothing else was checked
    bad_length: tuple[str, ...] | None  # the first path outside MIN_DECISIONS..MAX_DECISIONS
    delighted_promise: tuple[str, str, tuple[str, ...]] | None  # node, choice, path
    best: tuple[tuple[str, ...], Result] | None
    worst: tuple[tuple[str, ...], Result] | None
    random_pass: float


_SURVEYS: dict[str, Survey] = {}


def survey(scenario: Scenario) -> Survey:
    """One walk of every path (cached by content hash: the validator and the gate share it)."""
    if scenario.hash in _SURVEYS:
        return _SURVEYS[scenario.hash]
    count, random_pass = 0, 0.0
    bad_length = delighted = best = worst = None
    for walked in walk(scenario):
        count += 1
        if count > MAX_PATHS:
            return Survey(count, True, None, None, None, None, 0.0)
        path, result = walked.play.path, walked.result
        if bad_length is None and not MIN_DECISIONS <= len(path) <= MAX_DECISIONS:
            bad_length = path
        promised = next((s for s in walked.play.steps if s.choice.overpromise), None)
        if delighted is None and promised is not None and result.band == "delighted":
            delighted = (promised.node_id, promised.choice.id, path)
        if best is None or result.score > best[1].score:
            best = (path, result)
        if worst is None or result.score < worst[1].score:
            worst = (path, result)
        random_pass += walked.chance * result.passed
    found = Survey(count, False, bad_length, delighted, best, worst, random_pass)
    if len(_SURVEYS) > 256:
        _SURVEYS.clear()
    _SURVEYS[scenario.hash] = found
    return found
