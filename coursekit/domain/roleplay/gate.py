"""The validator's gate: a scenario must be passed by judgement, not by the surface of the
replies. Each cue strategy plays greedily in each language and must fail; the best reply may
be the longest at few nodes; a random player rarely passes; enough decisions offer two
defensible replies that trade one strength for another."""

from dataclasses import dataclass

from .cues import STRATEGIES, length
from .engine import Playthrough, advance, start
from .model import Scenario
from .schema import DIMENSIONS, Choice, Node
from .scoring import Decision, Result, decisions_of, score, true_tags
from .validate import reachable
from .walk import survey

LANGS = ("en", "zh")
MAX_LONGEST_BEST = 0.40  # share of decisions where the best reply is also the longest
MAX_RANDOM_PASS = 0.15  # chance that a player picking at random passes
MIN_TRADEOFFS = 1 / 3  # share of decisions with two defensible replies in a real trade-off
CLOSE_VALUE = 1.5  # "close": within this much overall value of each other

Problems = list[tuple[str, str]]


@dataclass(frozen=True)
class StrategyRun:
    strategy: str
    lang: str
    path: tuple[str, ...]
    result: Result


@dataclass(frozen=True)
class GateReport:
    runs: tuple[StrategyRun, ...]
    longest_best: dict[str, float]  # per language
    random_pass: float
    tradeoffs: float
    dominated: float  # share of decisions where one reply is best on every dimension at stake
    best: Result


def decisions(scenario: Scenario) -> dict[str, Node]:
    """The decision nodes a conversation can reach, in authored order."""
    found = reachable(scenario.spec)
    return {n: node for n, node in scenario.spec.nodes.items() if n in found and not node.ending}


def play_strategy(scenario: Scenario, strategy: str, lang: str) -> Playthrough:
    pick = STRATEGIES[strategy]
    play = start(scenario)
    while not play.finished:
        play = advance(play, pick(scenario.node(play.node_id).choices, lang).id)
    return play


def longest_is_best(node: Node, decision: Decision, lang: str) -> bool:
    top = decision.values[decision.best.id]
    longest = max(length(c.say.get(lang)) for c in node.choices)
    return any(
        decision.values[c.id] == top and length(c.say.get(lang)) == longest for c in node.choices
    )


def _stronger_somewhere(a: Choice, b: Choice) -> bool:
    return any(a.evidence.get(d, 0) > b.evidence.get(d, 0) for d in DIMENSIONS)


def has_tradeoff(node: Node, decision: Decision) -> bool:
    """Two replies, both of positive value and close in value, each stronger than the other
    on some dimension."""
    values = decision.values
    good = [c for c in node.choices if values[c.id] > 0 and not c.overpromise]
    return any(
        abs(values[a.id] - values[b.id]) <= CLOSE_VALUE
        and _stronger_somewhere(a, b)
        and _stronger_somewhere(b, a)
        for i, a in enumerate(good)
        for b in good[i + 1 :]
    )


def is_dominated(node: Node, decision: Decision) -> bool:
    """One reply is best (or equal best) on every dimension at stake at this node."""
    stakes = decision.stakes.values()
    return any(all(s.values[c.id] == s.best for s in stakes) for c in node.choices)


def gate_report(scenario: Scenario) -> GateReport:
    tags = true_tags(scenario)  # the most generous assumption about a player's tagging
    runs = []
    for lang in LANGS:
        for strategy in STRATEGIES:
            play = play_strategy(scenario, strategy, lang)
            runs.append(StrategyRun(strategy, lang, play.path, score(play, tags)))
    nodes = decisions(scenario)
    table = decisions_of(scenario)
    walked = survey(scenario)
    assert walked.best is not None
    share = len(nodes) or 1
    return GateReport(
        runs=tuple(runs),
        longest_best={
            lang: sum(longest_is_best(n, table[i], lang) for i, n in nodes.items()) / share
            for lang in LANGS
        },
        random_pass=walked.random_pass,
        tradeoffs=sum(has_tradeoff(n, table[i]) for i, n in nodes.items()) / share,
        dominated=sum(is_dominated(n, table[i]) for i, n in nodes.items()) / share,
        best=walked.best[1],
    )


def gate_problems(scenario: Scenario) -> Problems:
    """Refuse a scenario that a surface cue passes, or whose replies give the best away."""
    report = gate_report(scenario)
    problems: Problems = []
    for run in report.runs:
        if run.result.passed:
            problems.append(
                (
                    "nodes",
                    f"the strategy '{run.strategy}' passes in {run.lang} with "
                    f"{run.result.score} ({' > '.join(run.path)}): the surface of the replies "
                    "gives the best one away",
                )
            )
    for lang, share in report.longest_best.items():
        if share > MAX_LONGEST_BEST:
            problems.append(
                (
                    "nodes",
                    f"the best reply is the longest at {share:.0%} of the decisions in {lang} "
                    f"(at most {MAX_LONGEST_BEST:.0%})",
                )
            )
    if report.random_pass >= MAX_RANDOM_PASS:
        problems.append(
            (
                "scoring.pass_score",
                f"a player choosing at random passes {report.random_pass:.1%} of the time "
                f"(must be under {MAX_RANDOM_PASS:.0%})",
            )
        )
    if report.tradeoffs < MIN_TRADEOFFS:
        problems.append(
            (
                "nodes",
                f"only {report.tradeoffs:.0%} of the decisions offer two defensible replies in a "
                f"real trade-off (close in value, each stronger on some dimension; at least "
                f"{MIN_TRADEOFFS:.0%})",
            )
        )
    return problems
