"""Properties of every shipped scenario, over random valid paths (hypothesis) and, where the
graph is small enough, over every path."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coursekit.domain.content import load_course
from coursekit.domain.roleplay import Scenario, advance, replay, score, start
from coursekit.domain.roleplay.cues import STRATEGIES
from coursekit.domain.roleplay.gate import (
    LANGS,
    MAX_LONGEST_BEST,
    MAX_RANDOM_PASS,
    decisions,
    gate_report,
    is_dominated,
)
from coursekit.domain.roleplay.order import display_order
from coursekit.domain.roleplay.scoring import best_reply, choice_value, decisions_of, true_tags
from coursekit.domain.roleplay.validate import all_paths, path_report
from coursekit.domain.roleplay.walk import walk
from tests.conftest import ROOT

COURSE = load_course(ROOT / "content")
SCENARIOS = list(COURSE.roleplays.values())
IDS = [s.id for s in SCENARIOS]
REQUIRED = {
    "polite-dissatisfied",
    "launch-overpromise",
    "late-delivery",
    "stalled-deal",
    "basics-before-extras",
    "angry-complaint",
    "enterprise-onboarding",
}


@st.composite
def random_path(draw: st.DrawFn, scenario: Scenario) -> tuple[str, ...]:
    play = start(scenario)
    while not play.finished:
        node = scenario.node(play.node_id)
        choice = draw(st.sampled_from([c.id for c in node.choices]))
        play = advance(play, choice)
    return play.path


def test_the_seven_scenarios_are_shipped_and_linked_from_modules() -> None:
    assert set(COURSE.roleplays) == REQUIRED
    linked = {rid for m in COURSE.modules for rid in m.roleplays}
    assert linked == REQUIRED


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_shape_4_to_8_decisions_of_3_to_4_choices(scenario: Scenario) -> None:
    depths = {len(path) for path in all_paths(scenario.spec)}
    assert min(depths) >= 4 and max(depths) <= 8, depths
    for node_id, node in scenario.spec.nodes.items():
        assert node.ending or 3 <= len(node.choices) <= 4, node_id


def test_over_promising_feels_good_first_in_at_least_three_scenarios() -> None:
    feels_good = [
        s.id
        for s in SCENARIOS
        if any(
            c.overpromise and c.effects.A > 0 and (c.effects.T > 0 or c.effects.P > 0)
            for node in s.spec.nodes.values()
            for c in node.choices
        )
    ]
    assert len(feels_good) >= 3, feels_good


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_best_path_passes_and_over_promising_never_delights(scenario: Scenario) -> None:
    report = path_report(scenario)
    # the validator's walk scores exactly as replaying each path does (one scoring function)
    walked = {w.play.path: w.result for w in walk(scenario)}
    assert walked == {path: score(replay(scenario, path), true_tags(scenario)) for path in walked}
    assert walked == dict(report)
    assert report[0][1].passed
    assert not report[-1][1].passed
    promised = [r for _, r in report if r.overpromised]
    assert promised, "every scenario offers an over-promise"
    assert all(r.band != "delighted" for r in promised)
    # and it costs: on average an over-promising path scores below one that does not
    honest = [r.score for _, r in report if not r.overpromised]
    assert sum(r.score for r in promised) / len(promised) < sum(honest) / len(honest)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_random_paths(scenario: Scenario) -> None:
    @settings(max_examples=150, deadline=None)
    @given(random_path(scenario))
    def check(path: tuple[str, ...]) -> None:
        play = replay(scenario, path)
        result = score(play)
        assert 0 <= result.score <= 100
        for dimension in result.dimensions.values():
            assert dimension.score is None or 0 <= dimension.score <= 100
        for step in play.steps:
            for state in (step.before, step.after):
                assert 0 <= state.A <= state.D <= 100
                assert 0 <= state.P <= 100 and 0 <= state.T <= 100
        assert score(replay(scenario, path)) == result  # deterministic
        assert play.state.revealed <= {e.id for e in scenario.spec.expectations}
        if result.overpromised:
            assert result.band in ("dissatisfied", "tolerated")

    check()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_no_surface_cue_passes_in_either_language(scenario: Scenario) -> None:
    report = gate_report(scenario)
    assert {(r.strategy, r.lang) for r in report.runs} == {
        (s, lang) for s in STRATEGIES for lang in LANGS
    }
    assert not [(r.strategy, r.lang, r.result.score) for r in report.runs if r.result.passed]
    assert all(share <= MAX_LONGEST_BEST for share in report.longest_best.values())
    assert 0 < report.random_pass < MAX_RANDOM_PASS
    assert report.best.passed


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_at_most_nodes_no_reply_is_best_on_every_dimension(scenario: Scenario) -> None:
    """One honest reply is not paid on every count: at most decisions the replies trade one
    strength for another."""
    nodes, table = decisions(scenario), decisions_of(scenario)
    dominated = [n for n, node in nodes.items() if is_dominated(node, table[n])]
    assert len(dominated) < len(nodes) / 2, dominated


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_the_better_reply_is_never_worth_less_and_never_an_over_promise(scenario: Scenario) -> None:
    scoring = scenario.spec.scoring
    for walked in walk(scenario, tags={}):
        play, result = walked.play, walked.result
        for step, better, cost in zip(play.steps, result.better, result.costs, strict=True):
            top = best_reply(step.options, scoring)
            assert not top.overpromise and choice_value(top, scoring) > 0
            if better is not None:
                assert choice_value(better, scoring) > choice_value(step.choice, scoring)
                assert cost > 0
            else:
                assert choice_value(step.choice, scoring) == choice_value(top, scoring)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_shuffled_orders_are_permutations_stable_per_seed(scenario: Scenario) -> None:
    for node_id, node in decisions(scenario).items():
        ids = sorted(c.id for c in node.choices)
        orders = {display_order(node, node_id, seed, 0) for seed in range(40)}
        assert all(sorted(order) == ids for order in orders)
        assert len(orders) > 1  # the seed changes the order
        assert display_order(node, node_id, 7, 2) == display_order(node, node_id, 7, 2)
        assert display_order(node, node_id, None, 0) == tuple(c.id for c in node.choices)
    # over many attempts the best reply is shown first about 1 in n times, not always
    node_id, node = next(iter(decisions(scenario).items()))
    best = best_reply(node.choices, scenario.spec.scoring).id
    first = sum(display_order(node, node_id, seed, 0)[0] == best for seed in range(400))
    assert 400 / len(node.choices) * 0.6 < first < 400 / len(node.choices) * 1.4


def test_the_review_never_recommends_the_small_print_reply() -> None:
    """The review once offered "next-day is our target, not a guarantee" as the better reply
    for Calibrate on the over-promising path, although its feedback calls it a mistake."""
    scenario = COURSE.roleplays["late-delivery"]
    policy = next(c for c in scenario.node("opening").choices if c.id == "policy")
    assert choice_value(policy, scenario.spec.scoring) < 0
    for walked in walk(scenario):
        assert all(b is None or b.id != "policy" for b in walked.result.better)
