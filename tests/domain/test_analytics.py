"""Cohort statistics: correlation, item analysis on the small test course, histograms,
dimension summaries, shares and who is at risk."""

import math
from datetime import datetime, timedelta

import pytest

from coursekit.domain.analytics import (
    DimensionSummary,
    ItemStats,
    Risk,
    dimension_summaries,
    histogram,
    item_analysis,
    pearson,
    risk,
    shares,
)
from coursekit.domain.content import load_course
from coursekit.domain.roleplay.schema import DIMENSIONS
from tests.conftest import MINI_CONTENT

CHECK = load_course(MINI_CONTENT).module("one").check  # q1 single, q2 multiple, q3 classify
RIGHT = {"i1": "explicit", "i2": "implicit", "i3": "basic", "i4": "enhanced"}
THREE_RIGHT = {**RIGHT, "i4": "basic"}  # 3 of 4 placed right
ONE_RIGHT = {"i1": "explicit", "i2": "basic", "i3": "enhanced", "i4": "implicit"}
NONE_RIGHT = {"i1": "implicit", "i2": "explicit", "i3": "enhanced", "i4": "basic"}


# pearson


def test_pearson_perfectly_positive() -> None:
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)


def test_pearson_perfectly_negative() -> None:
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


def test_pearson_hand_computed() -> None:
    # deviations (-1.5, -0.5, 0.5, 1.5) and (-1.5, 0.5, -0.5, 1.5): sxy = 4, sxx = syy = 5
    assert pearson([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)


def test_pearson_uncorrelated_is_zero() -> None:
    assert pearson([1, 2, 3], [1, 0, 1]) == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("xs", "ys"),
    [
        ([5, 5, 5], [1, 2, 3]),  # constant xs
        ([1, 2, 3], [0.5, 0.5, 0.5]),  # constant ys
        ([1, 2], [2, 4]),  # fewer than three points
        ([], []),
    ],
)
def test_pearson_is_undefined(xs: list[float], ys: list[float]) -> None:
    assert pearson(xs, ys) is None


# item_analysis


def by_id(stats: list[ItemStats]) -> dict[str, ItemStats]:
    return {s.question_id: s for s in stats}


def test_facility_is_the_mean_credit() -> None:
    attempts = [
        {"q1": "a", "q2": frozenset({"a", "b"}), "q3": RIGHT},  # 1, 1, 1
        {"q1": "a", "q2": frozenset({"a"}), "q3": {**RIGHT, "i1": "implicit", "i2": "explicit"}},
        {"q1": "b", "q2": frozenset({"a", "b", "c"})},  # 0, 0.5, and q3 unanswered counts 0
    ]
    stats = by_id(item_analysis(CHECK, attempts))
    assert [s.question_id for s in item_analysis(CHECK, attempts)] == ["q1", "q2", "q3"]
    assert all(s.responses == 3 for s in stats.values())
    assert stats["q1"].facility == pytest.approx(2 / 3)  # right, right, wrong
    assert stats["q2"].facility == pytest.approx((1 + 0.5 + 0.5) / 3)
    assert stats["q3"].facility == pytest.approx((1 + 0.5 + 0) / 3)


STRONG_AND_WEAK = [
    {"q1": "a", "q2": frozenset({"a", "b"}), "q3": RIGHT},  # 1, 1, 1
    {"q1": "a", "q2": frozenset({"a", "b"}), "q3": THREE_RIGHT},  # 1, 1, 0.75
    {"q1": "a", "q2": frozenset({"c"}), "q3": ONE_RIGHT},  # 1, 0, 0.25
    {"q1": "a", "q2": frozenset({"c", "d"}), "q3": NONE_RIGHT},  # 1, 0, 0
]


def test_a_question_everyone_gets_right_has_no_discrimination() -> None:
    q1 = by_id(item_analysis(CHECK, STRONG_AND_WEAK))["q1"]
    assert q1 == ItemStats("q1", responses=4, facility=1.0, discrimination=None)


def test_a_question_only_strong_trainees_get_right_discriminates_positively() -> None:
    stats = by_id(item_analysis(CHECK, STRONG_AND_WEAK))
    # q2 credit (1, 1, 0, 0) against the rest of the check (2, 1.75, 1.25, 1):
    # deviations (.5, .5, -.5, -.5) and (.5, .25, -.25, -.5): sxy = .75, sxx = 1, syy = .625
    assert stats["q2"].facility == 0.5
    assert stats["q2"].discrimination == pytest.approx(0.75 / math.sqrt(0.625))
    assert stats["q2"].discrimination > 0.9
    # q3 credit (1, .75, .25, 0) against the rest (2, 2, 1, 1): the same numbers mirrored
    assert stats["q3"].facility == 0.5
    assert stats["q3"].discrimination == pytest.approx(0.75 / math.sqrt(0.625))


def test_the_question_itself_is_left_out_of_the_total() -> None:
    # q1 is right exactly for the trainees who do worst on the other questions: the
    # corrected correlation is negative, though q1 adds a point to the weak trainees' totals.
    attempts = [
        {"q1": "b", "q2": frozenset({"a", "b"}), "q3": RIGHT},  # 0 | rest 2
        {"q1": "b", "q2": frozenset({"a", "b"}), "q3": THREE_RIGHT},  # 0 | rest 1.75
        {"q1": "a", "q2": frozenset({"c"}), "q3": ONE_RIGHT},  # 1 | rest 0.25
        {"q1": "a", "q2": frozenset(), "q3": NONE_RIGHT},  # 1 | rest 0
    ]
    q1 = by_id(item_analysis(CHECK, attempts))["q1"]
    assert q1.facility == 0.5
    # deviations (-.5, -.5, .5, .5) and (1, .75, -.75, -1): sxy = -1.75, sxx = 1, syy = 3.125
    assert q1.discrimination == pytest.approx(-1.75 / math.sqrt(3.125))


def test_discrimination_needs_three_attempts() -> None:
    stats = item_analysis(CHECK, STRONG_AND_WEAK[1:3])
    assert [s.discrimination for s in stats] == [None, None, None]
    assert [s.facility for s in stats] == [1.0, 0.5, 0.5]


def test_no_attempts() -> None:
    assert item_analysis(CHECK, []) == [
        ItemStats(q, responses=0, facility=None, discrimination=None) for q in ("q1", "q2", "q3")
    ]


def test_attempts_may_be_a_generator() -> None:
    stats = item_analysis(CHECK, (a for a in STRONG_AND_WEAK))
    assert [s.responses for s in stats] == [4, 4, 4]


# histogram


def test_histogram_bin_edges_and_100_in_the_top_bin() -> None:
    assert histogram([0, 19.9, 20, 100]) == [2, 1, 0, 0, 1]
    assert histogram([39.99, 40, 59.9, 60, 79.9, 80, 99.9]) == [0, 1, 2, 2, 2]


def test_histogram_other_bin_counts() -> None:
    assert histogram([0, 9.9, 10, 50, 95, 100], bins=10) == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]
    assert histogram([0, 49.9, 50, 100], bins=2) == [2, 2]


def test_histogram_of_nothing() -> None:
    assert histogram([]) == [0, 0, 0, 0, 0]


# dimension_summaries


def test_dimension_summaries_round_the_mean_and_skip_unassessed() -> None:
    rows = [
        {"discover": 70, "classify": None, "calibrate": 100, "deliver": 0},
        {"discover": 75, "classify": 50, "calibrate": 90},  # deliver missing: not assessed
        {"discover": 76, "classify": None, "calibrate": 80, "deliver": None},
    ]
    summaries = {s.dimension: s for s in dimension_summaries(rows)}
    assert [s.dimension for s in dimension_summaries(rows)] == list(DIMENSIONS)
    assert summaries["discover"] == DimensionSummary("discover", 73.7, 3, [0, 0, 0, 3, 0])
    assert summaries["classify"] == DimensionSummary("classify", 50.0, 1, [0, 0, 1, 0, 0])
    assert summaries["calibrate"] == DimensionSummary("calibrate", 90.0, 3, [0, 0, 0, 0, 3])
    assert summaries["deliver"] == DimensionSummary("deliver", 0.0, 1, [1, 0, 0, 0, 0])
    assert summaries["trust"] == DimensionSummary("trust", None, 0, [0, 0, 0, 0, 0])


def test_dimension_summaries_of_no_attempts() -> None:
    assert dimension_summaries([]) == [
        DimensionSummary(d, None, 0, [0, 0, 0, 0, 0]) for d in DIMENSIONS
    ]


# shares


def test_shares_of_the_total() -> None:
    assert shares({"a": 1, "b": 3, "c": 0}) == {"a": 0.25, "b": 0.75, "c": 0.0}
    assert sum(shares({"x": 1, "y": 1, "z": 1}).values()) == pytest.approx(1.0)


def test_shares_when_there_is_nothing_to_share() -> None:
    assert shares({"a": 0, "b": 0}) == {"a": 0.0, "b": 0.0}
    assert shares({}) == {}


# risk

NOW = datetime(2024, 3, 11, 12, 0)
LIMIT = 7


def check_risk(
    *, joined_days_ago: float = 30, active_days_ago: float | None, failing: tuple[str, ...] = ()
) -> Risk | None:
    return risk(
        now=NOW,
        joined_at=NOW - timedelta(days=joined_days_ago),
        last_active=None if active_days_ago is None else NOW - timedelta(days=active_days_ago),
        inactive_limit=LIMIT,
        failing=failing,
    )


def test_inactive_exactly_at_the_limit() -> None:
    assert check_risk(active_days_ago=LIMIT) == Risk(inactive_days=LIMIT, failing=())


def test_inactive_just_below_the_limit_is_fine() -> None:
    assert check_risk(active_days_ago=LIMIT - 1 / 86400) is None  # one second short


def test_inactive_days_are_whole_days() -> None:
    assert check_risk(active_days_ago=9.9) == Risk(inactive_days=9, failing=())


def test_never_active_counts_from_joining() -> None:
    assert check_risk(joined_days_ago=10, active_days_ago=None) == Risk(10, ())
    assert check_risk(joined_days_ago=3, active_days_ago=None) is None


def test_failing_makes_a_risk_even_when_active() -> None:
    result = check_risk(active_days_ago=0, failing=("one", "roleplay:shop"))
    assert result == Risk(inactive_days=None, failing=("one", "roleplay:shop"))


def test_failing_list_becomes_a_tuple() -> None:
    result = risk(now=NOW, joined_at=NOW, last_active=NOW, inactive_limit=LIMIT, failing=["one"])
    assert result == Risk(None, ("one",))


def test_inactive_and_failing_together() -> None:
    assert check_risk(active_days_ago=12, failing=("two",)) == Risk(12, ("two",))


def test_active_and_passing_is_fine() -> None:
    assert check_risk(active_days_ago=1) is None
