"""Knowledge-check scoring, answer validation and option order, on the small test course."""

import pytest

from coursekit.domain.content import load_course
from coursekit.domain.quiz import (
    AnswerError,
    answers_from_json,
    answers_to_form,
    answers_to_json,
    correct_answers,
    credit,
    display_order,
    parse_answers,
    score,
)
from tests.conftest import MINI_CONTENT, ROOT

COURSE = load_course(MINI_CONTENT)
CHECK = COURSE.module("one").check
SINGLE, MULTIPLE, CLASSIFY = CHECK.questions


def test_single_choice_is_all_or_nothing() -> None:
    assert credit(SINGLE, "a") == 1.0
    assert credit(SINGLE, "b") == 0.0


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ({"a", "b"}, 1.0),  # both right ones
        ({"a"}, 0.5),  # half of the right ones
        ({"a", "b", "c"}, 0.5),  # a wrong tick costs one right one
        ({"a", "b", "c", "d", "e"}, 0.0),  # ticking everything earns nothing
        ({"c"}, 0.0),  # never below zero
    ],
)
def test_multiple_choice_partial_credit(chosen: set[str], expected: float) -> None:
    assert credit(MULTIPLE, frozenset(chosen)) == expected


def test_classification_credit_is_the_share_placed_right() -> None:
    right = {"i1": "explicit", "i2": "implicit", "i3": "basic", "i4": "enhanced"}
    assert credit(CLASSIFY, right) == 1.0
    assert credit(CLASSIFY, {**right, "i1": "implicit", "i2": "explicit"}) == 0.5
    assert credit(CLASSIFY, dict.fromkeys(right, "basic")) == 0.25


def test_score_weighs_points_and_applies_the_pass_mark() -> None:
    answers = {
        "q1": "a",
        "q2": frozenset({"a"}),
        "q3": {"i1": "explicit", "i2": "implicit", "i3": "enhanced", "i4": "basic"},
    }
    result = score(CHECK, answers)
    assert result.score == round(100 * (1 + 0.5 + 0.5) / 3, 1) == 66.7
    assert result.passed  # pass mark 60
    assert [r.credit for r in result.questions] == [1.0, 0.5, 0.5]
    failing = score(CHECK, {**answers, "q1": "b"})
    assert failing.score == 33.3 and not failing.passed


def test_pass_mark_is_inclusive_and_points_count() -> None:
    two = COURSE.module("two").check  # one question worth 2 points, pass mark 100
    assert two.total_points == 2
    assert score(two, {"q1": "b"}).passed
    assert not score(two, {"q1": "a"}).passed


def test_correct_answers_score_full_marks_on_every_shipped_check() -> None:
    course = load_course(ROOT / "content")
    for module in course.modules:
        form = answers_to_form(correct_answers(module.check))
        assert score(module.check, parse_answers(module.check, form)).score == 100.0, module.id


def test_parse_answers_round_trips_the_form() -> None:
    answers = correct_answers(CHECK)
    assert parse_answers(CHECK, answers_to_form(answers)) == answers


def test_unknown_question_and_option_are_invalid() -> None:
    form = answers_to_form(correct_answers(CHECK))
    with pytest.raises(AnswerError) as caught:
        parse_answers(CHECK, {**form, "q9": ["a"], "q1": ["z"]})
    assert set(caught.value.invalid) == {"q9", "q1"}
    assert "no such question" in caught.value.invalid["q9"]
    assert "unknown option" in caught.value.invalid["q1"]


def test_two_answers_to_a_single_choice_question_are_invalid() -> None:
    form = answers_to_form(correct_answers(CHECK))
    with pytest.raises(AnswerError) as caught:
        parse_answers(CHECK, {**form, "q1": ["a", "b"]})
    assert "exactly one" in caught.value.invalid["q1"]


def test_unknown_category_is_invalid() -> None:
    form = answers_to_form(correct_answers(CHECK))
    with pytest.raises(AnswerError) as caught:
        parse_answers(CHECK, {**form, "q3.i1": ["nonsense"]})
    assert "unknown category" in caught.value.invalid["q3"]


def test_missing_answers_are_reported_and_the_rest_kept() -> None:
    form = answers_to_form(correct_answers(CHECK))
    del form["q2"], form["q3.i4"]
    with pytest.raises(AnswerError) as caught:
        parse_answers(CHECK, form)
    error = caught.value
    assert set(error.missing) == {"q2", "q3"} and not error.invalid
    assert error.partial["q1"] == "a"
    assert error.partial["q3"] == {"i1": "explicit", "i2": "implicit", "i3": "basic"}


def test_display_order_is_a_reproducible_permutation() -> None:
    orders = {display_order(MULTIPLE, seed) for seed in range(40)}
    assert all(sorted(order) == ["a", "b", "c", "d", "e"] for order in orders)
    assert len(orders) > 5  # it really shuffles
    assert display_order(MULTIPLE, 1234) == display_order(MULTIPLE, 1234)
    assert display_order(CLASSIFY, 7) == display_order(CLASSIFY, 7)


def test_answers_survive_json() -> None:
    answers = correct_answers(CHECK)
    assert answers_from_json(answers_to_json(answers)) == answers
