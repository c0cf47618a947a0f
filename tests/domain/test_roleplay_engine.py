"""The role-play engine on a two-decision scenario whose numbers are worked out by hand
(tests/fixtures/mini/roleplays/mini-call.yaml: all weights 1, trust_share 0.5, zone -10..+10)."""

import pytest

from coursekit.domain.content.loader import load_scenario_file
from coursekit.domain.roleplay import CustomerState, InvalidStep, advance, replay, score, start
from coursekit.domain.roleplay.schema import Zone
from coursekit.domain.roleplay.scoring import band, gap_score
from tests.conftest import MINI_CONTENT

SCENARIO = load_scenario_file(MINI_CONTENT / "roleplays" / "mini-call.yaml")


def test_state_after_every_step() -> None:
    play = replay(SCENARIO, ["ask", "basics"])
    states = [(s.before.E, s.before.P, s.before.T) for s in play.steps] + [
        (play.steps[-1].after.E, play.steps[-1].after.P, play.steps[-1].after.T)
    ]
    assert states == [(50, 50, 50), (50, 50, 60), (50, 60, 60)]
    # the ending's own effect (P +5) is the final state
    assert play.finished and play.state == CustomerState(
        50, 65, 60, frozenset({"on-time", "gift-wrap"})
    )
    assert play.path == ("ask", "basics")


def test_best_path_hand_worked() -> None:
    result = score(replay(SCENARIO, ["ask", "basics"]))
    # gap 65 - 50 = +15 > desired 10: delighted; 80 + 20 * (15 - 10) / 20 = 85
    assert (result.gap, result.band, result.gap_score) == (15, "delighted", 85.0)
    assert result.outcome == 72.5  # 0.5 * 85 + 0.5 * T 60
    # every dimension at its best: discover, trust and calibrate at decision 1,
    # classify, deliver and calibrate at decision 2
    assert {d: s.score for d, s in result.dimensions.items()} == dict.fromkeys(
        ["discover", "classify", "calibrate", "deliver", "trust"], 100.0
    )
    assert result.score == round((5 * 100 + 72.5) / 6, 1) == 95.4
    assert result.passed and not result.overpromised
    assert result.better == (None, None)


def test_over_promising_path_hand_worked() -> None:
    result = score(replay(SCENARIO, ["promise", "extras"]))
    # E 50 +20 +10 = 80; P 50 +5 +5 = 60; gap -20 < adequate -10: dissatisfied
    assert (result.gap, result.band) == (-20, "dissatisfied")
    assert result.gap_score == 33.3  # 50 * (1 - 10 / 30)
    assert result.outcome == 46.7  # 0.5 * 33.3 + 0.5 * T 60
    assert all(s.score == 0.0 for s in result.dimensions.values())
    assert result.score == round(46.7 / 6, 1) == 7.8
    assert not result.passed and result.overpromised
    assert [c.id for c in result.better] == ["ask", "basics"]


def test_a_dimension_not_at_stake_drops_out() -> None:
    result = score(replay(SCENARIO, ["wait", "basics"]))
    discover = result.dimensions["discover"]
    # decision 1 offered discover 2 / -1 / 0; waiting (0) earns (0 - -1) / (2 - -1)
    assert discover.score == 33.3
    [contribution] = discover.contributions
    assert (contribution.step, contribution.value, contribution.best, contribution.worst) == (
        0,
        0,
        2,
        -1,
    )
    assert contribution.best_choice_id == "ask"
    assert result.dimensions["trust"].score == 0.0
    assert result.score == round((33.3 + 0 + 100 + 100 + 100 + 67.5) / 6, 1) == 66.8


def test_scores_are_deterministic() -> None:
    assert score(replay(SCENARIO, ["ask", "extras"])) == score(replay(SCENARIO, ["ask", "extras"]))


def test_moves_the_graph_does_not_have_are_refused() -> None:
    with pytest.raises(InvalidStep, match="no choice 'basics'"):
        advance(start(SCENARIO), "basics")  # a choice of the second node, at the first
    finished = replay(SCENARIO, ["ask", "basics"])
    with pytest.raises(InvalidStep, match="already ended"):
        advance(finished, "ask")
    with pytest.raises(ValueError, match="only a finished"):
        score(start(SCENARIO))


def test_meters_stay_within_0_and_100() -> None:
    from coursekit.domain.roleplay.schema import Effects

    state = CustomerState(95, 3, 50).apply(Effects(E=20, P=-10, T=0))
    assert (state.E, state.P, state.T) == (100, 0, 50)


@pytest.mark.parametrize(
    ("gap", "expected_band", "expected_score"),
    [
        (-40, "dissatisfied", 0.0),
        (-25, "dissatisfied", 25.0),
        (-10, "tolerated", 50.0),
        (0, "tolerated", 65.0),
        (10, "tolerated", 80.0),
        (20, "delighted", 90.0),
        (60, "delighted", 100.0),
    ],
)
def test_zone_of_tolerance_mapping(gap: int, expected_band: str, expected_score: float) -> None:
    zone = Zone(adequate=-10, desired=10)
    assert band(gap, zone) == expected_band
    assert round(gap_score(gap, zone), 1) == expected_score


def test_a_dissatisfied_customer_fails_whatever_the_score() -> None:
    spec = SCENARIO.spec
    lenient = replace_scoring(spec, pass_score=5)
    result = score(replay(lenient, ["promise", "extras"]))  # 7.8, dissatisfied
    assert result.score == 7.8 and result.band == "dissatisfied" and not result.passed
    relaxed = replace_scoring(spec, pass_score=5, pass_needs_satisfied_customer=False)
    assert score(replay(relaxed, ["promise", "extras"])).passed


def replace_scoring(spec, **changes):  # type: ignore[no-untyped-def]
    from coursekit.domain.roleplay.model import scenario_from_spec

    scoring = spec.scoring.model_copy(update=changes)
    return scenario_from_spec(spec.model_copy(update={"scoring": scoring}))
