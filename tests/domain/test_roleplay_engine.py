"""The role-play engine on a two-decision scenario whose numbers are worked out by hand
(tests/fixtures/mini/roleplays/mini-call.yaml: all weights 1; the zone of tolerance from
A 45 to D 60; P 50, T 50 at the start)."""

import pytest

from coursekit.domain.content.loader import load_scenario_file
from coursekit.domain.roleplay import CustomerState, InvalidStep, advance, replay, score, start
from coursekit.domain.roleplay.scoring import band, satisfaction_score
from tests.conftest import MINI_CONTENT

SCENARIO = load_scenario_file(MINI_CONTENT / "roleplays" / "mini-call.yaml")


def test_state_after_every_step() -> None:
    play = replay(SCENARIO, ["check", "basics"])
    states = [(s.before.D, s.before.A, s.before.P, s.before.T) for s in play.steps] + [
        (
            play.steps[-1].after.D,
            play.steps[-1].after.A,
            play.steps[-1].after.P,
            play.steps[-1].after.T,
        )
    ]
    assert states == [(60, 45, 50, 50), (60, 45, 50, 55), (60, 45, 60, 55)]
    # the ending's own effect (P +5) is the final state
    assert play.finished and play.state == CustomerState(60, 45, 65, 55, frozenset({"gift-wrap"}))
    assert play.path == ("check", "basics")


TAGGED_HALF_RIGHT = {"on-time": ["explicit", "basic"], "gift-wrap": ["implicit"]}


def test_best_path_hand_worked() -> None:
    result = score(replay(SCENARIO, ["check", "basics"]), TAGGED_HALF_RIGHT)
    # P 65 > D 60: delighted; 80 + 20 * (65 - 60) / 20 = 85; trust is not in the outcome
    assert (result.adequacy, result.superiority, result.band) == (20, 5, "delighted")
    assert result.satisfaction == result.outcome == 85.0
    dims = result.dimensions
    # discover: evidence (0 - -1) / (2 - -1) = 33.3; uncovered gift-wrap (implicit, weight 2)
    # of on-time (basic, 2) + gift-wrap (2) = 50; half and half = 41.65 -> 41.7
    assert (dims["discover"].evidence, dims["discover"].act, dims["discover"].score) == (
        33.3,
        50.0,
        41.7,
    )
    # classify: the best evidence (100) and gift-wrap tagged implicit only, of implicit +
    # enhanced: overlap 1 / 2 = 50; (100 + 50) / 2 = 75
    assert (dims["classify"].evidence, dims["classify"].act, dims["classify"].score) == (
        100.0,
        50.0,
        75.0,
    )
    assert [dims[d].score for d in ("calibrate", "deliver", "trust")] == [100.0] * 3
    assert result.score == round((41.7 + 75 + 300 + 85) / 6, 1) == 83.6
    assert result.passed and not result.overpromised
    assert result.better == (None, None) and result.costs == (0.0, 0.0)


def test_over_promising_path_hand_worked() -> None:
    result = score(replay(SCENARIO, ["promise", "extras"]), {})
    state = result.state
    # D 60 +5 +10 = 75; A 45 +15 +5 = 65, then +5 at the ending for the broken promise = 70
    # (the zone narrows from below); P 50 +5 +5 = 60 < A 70: dissatisfied
    assert (state.D, state.A, state.P, state.T) == (75, 70, 60, 60)
    assert result.band == "dissatisfied"
    assert result.satisfaction == 33.3  # 50 * (1 - 10 / 30)
    assert all(s.score == 0.0 for s in result.dimensions.values())
    assert result.score == 5.6  # 33.3 / 6 = 5.55, rounded half up
    assert not result.passed and result.overpromised
    assert [c.id for c in result.better] == ["ask", "basics"]  # the first of the equal best
    assert result.costs == (5.0, 5.0)  # values: ask 2 vs promise -3; basics 3 vs extras -2


def test_the_broken_promise_narrows_the_zone_only_at_the_ending() -> None:
    play = replay(SCENARIO, ["promise"])
    assert (play.state.D, play.state.A) == (65, 60)  # the over-promise alone: A +15, D +5
    assert (replay(SCENARIO, ["promise", "basics"]).state.A) == 65  # +5 when it is broken


def test_tagging_is_not_assessed_without_tags_and_scores_overlap() -> None:
    play = replay(SCENARIO, ["ask", "basics"])
    untagged = score(play).dimensions["classify"]
    assert (untagged.act, untagged.score) == (None, 100.0)
    perfect = score(play, {"on-time": ["basic", "explicit"], "gift-wrap": ["enhanced", "implicit"]})
    assert perfect.dimensions["classify"].act == 100.0
    wrong = score(play, {"on-time": ["implicit"], "gift-wrap": ["basic"]})
    assert wrong.dimensions["classify"].act == 0.0
    extra = score(play, {"on-time": ["explicit", "basic", "enhanced"], "gift-wrap": []})
    assert extra.dimensions["classify"].act == round(100 * (2 / 3 + 0) / 2, 1) == 33.3


def test_a_dimension_not_at_stake_drops_out() -> None:
    result = score(replay(SCENARIO, ["check", "wrap"]))
    assert result.dimensions["deliver"].score == 100.0
    [contribution] = result.dimensions["calibrate"].contributions
    assert (contribution.step, contribution.value, contribution.best, contribution.worst) == (
        0,
        1,
        1,
        -2,
    )
    assert contribution.best_choice_id == "check"
    # classify at decision 2: wrap (-1) against extras (-2) and basics (+2): 1 / 4 = 25
    assert result.dimensions["classify"].score == 25.0


def test_scores_are_deterministic() -> None:
    assert score(replay(SCENARIO, ["ask", "extras"]), {}) == score(
        replay(SCENARIO, ["ask", "extras"]), {}
    )


def test_moves_the_graph_does_not_have_are_refused() -> None:
    with pytest.raises(InvalidStep, match="no choice 'basics'"):
        advance(start(SCENARIO), "basics")  # a choice of the second node, at the first
    finished = replay(SCENARIO, ["ask", "basics"])
    with pytest.raises(InvalidStep, match="already ended"):
        advance(finished, "ask")
    with pytest.raises(ValueError, match="only a finished"):
        score(start(SCENARIO))


def test_meters_stay_within_0_and_100_and_a_never_above_d() -> None:
    from coursekit.domain.roleplay.schema import Effects

    state = CustomerState(95, 80, 3, 50).apply(Effects(D=20, A=30, P=-10, T=0))
    assert (state.D, state.A, state.P, state.T) == (100, 100, 0, 50)
    narrowed = CustomerState(60, 50, 50, 50).apply(Effects(D=-5, A=20))
    assert (narrowed.D, narrowed.A) == (55, 55)  # the zone closes; it does not turn over


@pytest.mark.parametrize(
    ("p", "expected_band", "expected_score"),
    [
        (10, "dissatisfied", 0.0),
        (25, "dissatisfied", 25.0),
        (40, "tolerated", 50.0),
        (50, "tolerated", 65.0),
        (60, "tolerated", 80.0),
        (70, "delighted", 90.0),
        (95, "delighted", 100.0),
    ],
)
def test_zone_of_tolerance_mapping(p: int, expected_band: str, expected_score: float) -> None:
    state = CustomerState(D=60, A=40, P=p, T=50)  # adequate 40, desired 60
    assert band(state) == expected_band
    assert round(satisfaction_score(state), 1) == expected_score


def test_legacy_versions_read_as_the_two_level_zone() -> None:
    """A definition stored before the two-level zone (one E, a zone of offsets, effects on E)
    reads with A = E + adequate and D = E + desired, and keeps its trust blend."""
    from coursekit.domain.roleplay.model import scenario_from_definition

    legacy = SCENARIO.spec.model_dump(mode="json")
    legacy["initial"] = {"E": 50, "P": 50, "T": 50}
    legacy["zone"] = {"adequate": -10, "desired": 10}
    new_keys = ("broken_promise", "model")
    legacy["scoring"] = {k: v for k, v in legacy["scoring"].items() if k not in new_keys}
    legacy["scoring"]["trust_share"] = 0.5
    legacy["nodes"]["open"]["choices"][0]["effects"] = {"E": 20, "T": 10}
    old = scenario_from_definition(legacy, "f" * 64)
    assert old.hash == "f" * 64
    assert (old.spec.initial.D, old.spec.initial.A) == (60, 40)
    assert old.spec.scoring.trust_share == 0.5 and old.spec.scoring.broken_promise == 0
    assert old.spec.scoring.model == 1
    promised = old.node("open").choices[0].effects
    assert (promised.D, promised.A, promised.T) == (20, 20, 10)


def test_a_dissatisfied_customer_fails_whatever_the_score() -> None:
    spec = SCENARIO.spec
    lenient = replace_scoring(spec, pass_score=5)
    result = score(replay(lenient, ["promise", "extras"]))  # 5.6, dissatisfied
    assert result.score == 5.6 and result.band == "dissatisfied" and not result.passed
    relaxed = replace_scoring(spec, pass_score=5, pass_needs_satisfied_customer=False)
    assert score(replay(relaxed, ["promise", "extras"])).passed


def replace_scoring(spec, **changes):  # type: ignore[no-untyped-def]
    from coursekit.domain.roleplay.model import scenario_from_spec

    scoring = spec.scoring.model_copy(update=changes)
    return scenario_from_spec(spec.model_copy(update={"scoring": scoring}))
