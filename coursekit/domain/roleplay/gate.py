"""The validator's gate: a scenario must be passed by judgement, not by the surface of the
replies. Each cue strategy plays greedily in each language and must fail; the best reply may
be the longest at few nodes; a random player rarely passes; enough decisions offer two
defensible replies that trade one strength for another."""

from dataclasses import dataclass

from .cues import STRATEGIES, length
from .engine import Playthrough, advance, start
from .model import Scenario
from .schema import DIMENSIONS, Choice, Node, Scoring
from .scoring import Result, best_reply, choice_value, score, true_tags
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
    """The decision nodes a conversation can reach."""
    nodes, seen, todo = {}, set(), [scenario.spec.start]
    while todo:
        node_id = todo.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        node = scenario.node(node_id)
        if not node.ending:
            nodes[node_id] = node
            todo.extend(c.next for c in node.choices)
    return nodes


def play_strategy(scenario: Scenario, strategy: str, lang: str) -> Playthrough:
    pick = STRATEGIES[strategy]
    play = start(scenario)
    while not play.finished:
        play = advance(play, pick(scenario.node(play.node_id).choices, lang).id)
    return play


def longest_is_best(node: Node, scoring: Scoring, lang: str) -> bool:
    top = choice_value(best_reply(node.choices, scoring), scoring)
    longest = max(length(c.say.get(lang)) for c in node.choices)
    return any(
        choice_value(c, scoring) == top and length(c.say.get(lang)) == longest for c in node.choices
    )


def _stronger_somewhere(a: Choice, b: Choice) -> bool:
    return any(a.evidence.get(d, 0) > b.evidence.get(d, 0) for d in DIMENSIONS)


def has_tradeoff(node: Node, scoring: Scoring) -> bool:
    """Two replies, both of positive value and close in value, each stronger than the other
    on some dimension."""
    good = [c for c in node.choices if choice_value(c, scoring) > 0 and not c.overpromise]
    return any(
        abs(choice_value(a, scoring) - choice_value(b, scoring)) <= CLOSE_VALUE
        and _stronger_somewhere(a, b)
        and _stronger_somewhere(b, a)
        for i, a in enumerate(good)
        for b in good[i + 1 :]
    )


def is_dominated(node: Node) -> bool:
    """One reply is best (or equal best) on every dimension at stake at this node."""
    stakes = [d for d in DIMENSIONS if len({c.evidence.get(d, 0) for c in node.choices}) > 1]
    return any(
        all(c.evidence.get(d, 0) == max(o.evidence.get(d, 0) for o in node.choices) for d in stakes)
        for c in node.choices
    )


def gate_report(scenario: Scenario) -> GateReport:
    tags = true_tags(scenario)  # the most generous assumption about a player's tagging
    runs = []
    for lang in LANGS:
        for strategy in STRATEGIES:
            play = play_strategy(scenario, strategy, lang)
            runs.append(StrategyRun(strategy, lang, play.path, score(play, tags)))
    nodes = decisions(scenario)
    scoring = scenario.spec.scoring
    walked = survey(scenario)
    assert walked.best is not None
    share = len(nodes) or 1
    return GateReport(
        runs=tuple(runs),
        longest_best={
            lang: sum(longest_is_best(n, scoring, lang) for n in nodes.values()) / share
            for lang in LANGS
        },
        random_pass=walked.random_pass,
        tradeoffs=sum(has_tradeoff(n, scoring) for n in nodes.values()) / share,
        dominated=sum(is_dominated(n) for n in nodes.values()) / share,
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
