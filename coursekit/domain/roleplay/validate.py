"""Checks a scenario's graph and every path through it. Each problem is (field, reason)."""

from collections.abc import Iterator
from dataclasses import dataclass

from .engine import replay
from .model import Scenario
from .schema import DIMENSIONS, Choice, ScenarioSpec
from .scoring import Result, band, gap_score, round1, score

MAX_PATHS = 50_000  # beyond this a scenario is too bushy to check (or to play sensibly)
MIN_DECISIONS, MAX_DECISIONS = 2, 12

Problems = list[tuple[str, str]]


def _choice_field(node_id: str, index: int, choice_id: str, attr: str) -> str:
    return f"nodes.{node_id}.choices[{index}] (id {choice_id}).{attr}"


def graph_problems(spec: ScenarioSpec) -> Problems:
    """Dangling links, unknown expectations, unreachable nodes, loops, dimensions never at
    stake and expectations never revealed."""
    problems: Problems = []
    if spec.start not in spec.nodes:
        return [("start", f"no node {spec.start!r}")]
    known = {e.id for e in spec.expectations}
    for node_id, node in spec.nodes.items():
        for i, choice in enumerate(node.choices):
            if choice.next not in spec.nodes:
                problems.append(
                    (_choice_field(node_id, i, choice.id, "next"), f"no node {choice.next!r}")
                )
            for exp in choice.reveals:
                if exp not in known:
                    problems.append(
                        (_choice_field(node_id, i, choice.id, "reveals"), f"no expectation {exp!r}")
                    )
    if problems:
        return problems
    reachable = _reachable(spec)
    problems += [
        (f"nodes.{n}", "not reachable from the start") for n in spec.nodes if n not in reachable
    ]
    loop = _find_loop(spec)
    if loop:
        problems.append(
            (
                f"nodes.{loop[0]}",
                "is on a loop (" + " -> ".join(loop) + "): "
                "a conversation must always move on to an ending",
            )
        )
    for dimension in DIMENSIONS:
        if not any(
            len({c.evidence.get(dimension, 0) for c in node.choices}) > 1
            for n, node in spec.nodes.items()
            if n in reachable
        ):
            problems.append(
                (
                    "nodes",
                    f"no decision puts {dimension} at stake "
                    "(its evidence never differs between choices)",
                )
            )
    revealed = {
        e
        for n, node in spec.nodes.items()
        if n in reachable
        for c in node.choices
        for e in c.reveals
    }
    problems += [
        (f"expectations.{e.id}", "no choice reveals it")
        for e in spec.expectations
        if e.id not in revealed
    ]
    return problems


def _reachable(spec: ScenarioSpec) -> set[str]:
    seen, todo = set(), [spec.start]
    while todo:
        node_id = todo.pop()
        if node_id not in seen:
            seen.add(node_id)
            todo.extend(c.next for c in spec.nodes[node_id].choices)
    return seen


def _find_loop(spec: ScenarioSpec) -> list[str] | None:
    """The first loop found from the start, as the list of nodes around it."""
    done: set[str] = set()

    def visit(node_id: str, trail: list[str]) -> list[str] | None:
        for choice in spec.nodes[node_id].choices:
            if choice.next in trail:
                return [*trail[trail.index(choice.next) :], choice.next]
            if choice.next not in done:
                found = visit(choice.next, [*trail, choice.next])
                if found:
                    return found
        done.add(node_id)
        return None

    return visit(spec.start, [spec.start])


def all_paths(spec: ScenarioSpec) -> Iterator[tuple[str, ...]]:
    """Every path of choice ids from the start to an ending (the graph must be loop-free)."""
    stack: list[tuple[str, tuple[str, ...]]] = [(spec.start, ())]
    count = 0
    while stack:
        node_id, path = stack.pop()
        node = spec.nodes[node_id]
        if node.ending:
            count += 1
            if count > MAX_PATHS:
                raise OverflowError(f"more than {MAX_PATHS} paths")
            yield path
            continue
        for choice in reversed(node.choices):
            stack.append((choice.next, (*path, choice.id)))


@dataclass(frozen=True)
class PathSummary:
    path: tuple[str, ...]
    score: float
    band: str
    passed: bool
    overpromise_at: str | None  # the node of the first over-promise on the path


def path_summaries(spec: ScenarioSpec) -> Iterator[PathSummary]:
    """Every path's score, computed in one depth-first walk that carries the state and the
    evidence sums along (the same numbers as scoring.score, without replaying each path:
    the validator checks tens of thousands of paths at start-up)."""
    weights = spec.scoring.weights
    # Per decision node, per choice: (choice, [(dimension index, chosen - worst, best - worst)]).
    stakes: dict[str, list[tuple[Choice, list[tuple[int, int, int]]]]] = {}
    for node_id, node in spec.nodes.items():
        rows = []
        for choice in node.choices:
            parts = []
            for i, dimension in enumerate(DIMENSIONS):
                values = [c.evidence.get(dimension, 0) for c in node.choices]
                best, worst = max(values), min(values)
                if best != worst:
                    parts.append((i, choice.evidence.get(dimension, 0) - worst, best - worst))
            rows.append((choice, parts))
        stakes[node_id] = rows
    count = 0
    initial = spec.initial
    stack = [(spec.start, initial.E, initial.P, initial.T, (0,) * 5, (0,) * 5, (), None)]
    while stack:
        node_id, e, p, t, gained, possible, path, promised = stack.pop()
        node = spec.nodes[node_id]
        if node.ending:
            count += 1
            if count > MAX_PATHS:
                raise OverflowError(f"more than {MAX_PATHS} paths")
            e, p, t = (
                _clamp(e + node.effects.E),
                _clamp(p + node.effects.P),
                _clamp(t + node.effects.T),
            )
            yield _summarise(spec, weights, e, p, t, gained, possible, path, promised)
            continue
        for choice, parts in reversed(stakes[node_id]):
            g, q = list(gained), list(possible)
            for i, got, span in parts:
                g[i] += got
                q[i] += span
            fx = choice.effects
            stack.append(
                (
                    choice.next,
                    _clamp(e + fx.E),
                    _clamp(p + fx.P),
                    _clamp(t + fx.T),
                    tuple(g),
                    tuple(q),
                    (*path, choice.id),
                    promised or (node_id if choice.overpromise else None),
                )
            )


def _clamp(value: int) -> int:
    return max(0, min(100, value))


def _summarise(spec, weights, e, p, t, gained, possible, path, promised) -> PathSummary:  # type: ignore[no-untyped-def]
    gap = p - e
    gap_part = round1(gap_score(gap, spec.zone))
    share = spec.scoring.trust_share
    outcome = round1((1 - share) * gap_part + share * t)
    parts = [
        (weights[d], round1(100 * g / q))
        for d, g, q in zip(DIMENSIONS, gained, possible, strict=True)
        if q
    ]
    parts.append((weights["outcome"], outcome))
    total = sum(w for w, _ in parts)
    final = round1(sum(w * v for w, v in parts) / total) if total else outcome
    customer = band(gap, spec.zone)
    passed = final >= spec.scoring.pass_score and not (
        spec.scoring.pass_needs_satisfied_customer and customer == "dissatisfied"
    )
    return PathSummary(path, final, customer, passed, promised)


def path_problems(scenario: Scenario) -> Problems:
    """Every path ends in 2-12 decisions; the best path passes and some path fails; a path
    with an over-promise never ends with the customer delighted."""
    spec = scenario.spec
    problems: Problems = []
    best = worst = None
    try:
        for summary in path_summaries(spec):
            path = summary.path
            if not MIN_DECISIONS <= len(path) <= MAX_DECISIONS:
                problems.append(
                    (
                        "nodes",
                        f"path {' > '.join(path)} has {len(path)} decisions "
                        f"({MIN_DECISIONS}-{MAX_DECISIONS} allowed)",
                    )
                )
                break
            if summary.overpromise_at and summary.band == "delighted":
                promised = next(
                    c.id
                    for c in spec.nodes[summary.overpromise_at].choices
                    if c.overpromise and c.id in path
                )
                problems.append(
                    (
                        f"nodes.{summary.overpromise_at}",
                        f"path {' > '.join(path)} over-promises (choice "
                        f"{promised!r}) yet ends delighted",
                    )
                )
                break
            if best is None or summary.score > best.score:
                best = summary
            if worst is None or summary.score < worst.score:
                worst = summary
    except OverflowError as exc:
        return [("nodes", f"too many paths to check ({exc})")]
    pass_score = spec.scoring.pass_score
    if best is not None and not best.passed:
        problems.append(
            (
                "scoring.pass_score",
                f"even the best path scores {best.score} and does not pass "
                f"(pass score {pass_score}, customer {best.band})",
            )
        )
    if worst is not None and worst.passed:
        problems.append(
            ("scoring.pass_score", f"every path passes (the lowest scores {worst.score})")
        )
    return problems


def path_report(scenario: Scenario) -> list[tuple[tuple[str, ...], Result]]:
    """Every path with its result, best first (for authors tuning a scenario)."""
    results = [(path, score(replay(scenario, path))) for path in all_paths(scenario.spec)]
    return sorted(results, key=lambda item: -item[1].score)
