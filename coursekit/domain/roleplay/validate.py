"""Checks a scenario's graph and every path through it. Each problem is (field, reason)."""

from collections.abc import Iterator

from .model import Scenario
from .schema import DIMENSIONS, ScenarioSpec
from .scoring import Result, best_reply, choice_value
from .walk import MAX_DECISIONS, MAX_PATHS, MIN_DECISIONS, survey, walk

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
    found = reachable(spec)
    problems += [
        (f"nodes.{n}", "not reachable from the start") for n in spec.nodes if n not in found
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
            if n in found
        ):
            problems.append(
                (
                    "nodes",
                    f"no decision puts {dimension} at stake "
                    "(its evidence never differs between choices)",
                )
            )
    revealed = {
        e for n, node in spec.nodes.items() if n in found for c in node.choices for e in c.reveals
    }
    problems += [
        (f"expectations.{e.id}", "no choice reveals it")
        for e in spec.expectations
        if e.id not in revealed
    ]
    return problems


def reachable(spec: ScenarioSpec) -> set[str]:
    """The nodes a conversation can reach from the start (the links must all be valid)."""
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


def path_problems(scenario: Scenario) -> Problems:
    """Every path ends in 2-12 decisions; the best path passes and some path fails; a path
    with an over-promise never ends with the customer delighted. Each path is scored by the
    same function as an attempt, with every expectation it uncovered tagged right."""
    found = survey(scenario)
    if found.too_many:
        return [("nodes", f"too many paths to check (more than {MAX_PATHS} paths)")]
    if found.bad_length is not None:
        path = found.bad_length
        return [
            (
                "nodes",
                f"path {' > '.join(path)} has {len(path)} decisions "
                f"({MIN_DECISIONS}-{MAX_DECISIONS} allowed)",
            )
        ]
    if found.delighted_promise is not None:
        node_id, choice_id, path = found.delighted_promise
        return [
            (
                f"nodes.{node_id}",
                f"path {' > '.join(path)} over-promises (choice {choice_id!r}) yet ends delighted",
            )
        ]
    problems: Problems = []
    pass_score = scenario.spec.scoring.pass_score
    if found.best is not None and not found.best[1].passed:
        best = found.best[1]
        problems.append(
            (
                "scoring.pass_score",
                f"even the best path scores {best.score} and does not pass "
                f"(pass score {pass_score}, customer {best.band})",
            )
        )
    if found.worst is not None and found.worst[1].passed:
        problems.append(
            ("scoring.pass_score", f"every path passes (the lowest scores {found.worst[1].score})")
        )
    return problems


def choice_problems(spec: ScenarioSpec) -> Problems:
    """An over-promise raises the adequate level at least as much as the desired one (the
    zone narrows from below), and no decision's best-valued reply is an over-promise or of
    no value (the review recommends it)."""
    problems: Problems = []
    for node_id, node in spec.nodes.items():
        for i, choice in enumerate(node.choices):
            fx = choice.effects
            if choice.overpromise and not (fx.A > 0 and fx.A >= fx.D):
                problems.append(
                    (
                        _choice_field(node_id, i, choice.id, "effects"),
                        "an over-promise must raise A, and by at least as much as D "
                        f"(the zone narrows from below), not D {fx.D:+d}, A {fx.A:+d}",
                    )
                )
        if node.choices:
            best = best_reply(node.choices, spec.scoring)
            if best.overpromise or choice_value(best, spec.scoring) <= 0:
                problems.append(
                    (
                        f"nodes.{node_id}",
                        f"the best-valued reply {best.id!r} is an over-promise or has no "
                        "positive value, so the review would recommend it",
                    )
                )
    return problems


def path_report(scenario: Scenario) -> list[tuple[tuple[str, ...], Result]]:
    """Every path with its result (every expectation uncovered tagged right), best first
    (for authors tuning a scenario)."""
    results = [(w.play.path, w.result) for w in walk(scenario)]
    return sorted(results, key=lambda item: -item[1].score)
