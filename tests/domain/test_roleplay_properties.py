"""Properties of every shipped scenario, over random valid paths (hypothesis) and, where the
graph is small enough, over every path."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coursekit.domain.content import load_course
from coursekit.domain.roleplay import Scenario, advance, replay, score, start
from coursekit.domain.roleplay.validate import all_paths, path_report, path_summaries
from tests.conftest import ROOT

COURSE = load_course(ROOT / "content")
SCENARIOS = list(COURSE.roleplays.values())
IDS = [s.id for s in SCENARIOS]
REQUIRED = {
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


def test_the_six_scenarios_are_shipped_and_linked_from_modules() -> None:
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
            c.overpromise and c.effects.E > 0 and (c.effects.T > 0 or c.effects.P > 0)
            for node in s.spec.nodes.values()
            for c in node.choices
        )
    ]
    assert len(feels_good) >= 3, feels_good


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_best_path_passes_and_over_promising_never_delights(scenario: Scenario) -> None:
    report = path_report(scenario)
    # the validator's one-walk scoring agrees with replaying and scoring each path
    fast = {
        s.path: (s.score, s.band, s.passed, s.overpromise_at is not None)
        for s in path_summaries(scenario.spec)
    }
    assert fast == {path: (r.score, r.band, r.passed, r.overpromised) for path, r in report}
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
                assert 0 <= state.E <= 100 and 0 <= state.P <= 100 and 0 <= state.T <= 100
        assert score(replay(scenario, path)) == result  # deterministic
        assert play.state.revealed <= {e.id for e in scenario.spec.expectations}
        if result.overpromised:
            assert result.band in ("dissatisfied", "tolerated")

    check()
