"""What a package reports to the LMS, from progress alone (no app): the course's verdict
follows its completion rule, a module's follows its knowledge check."""

import dataclasses

import pytest

from coursekit.domain.content import load_course
from coursekit.domain.content.schema import CompletionSpec
from coursekit.domain.progress import RoleplayFacts, course_progress
from coursekit.scorm.services import display_name, learner_email
from coursekit.scorm.status import ScormStatus, course_status, module_status, passing_measure
from tests.conftest import MINI_CONTENT

COURSE = load_course(MINI_CONTENT)  # one: check pass mark 60 + role-play mini-call (60); two: 100


def progress(lessons=(), scores=None, roleplays=None, course=COURSE):  # type: ignore[no-untyped-def]
    scores = scores or {}
    return course_progress(
        course, set(lessons), scores, {m: 1 for m in scores}, None, roleplays or {}
    )


PASSED_CALL = {"mini-call": RoleplayFacts(best_score=80.0, attempts=1)}
FAILED_CALL = {"mini-call": RoleplayFacts(best_score=40.0, attempts=2)}


def test_a_new_learner_has_nothing_to_report_but_progress() -> None:
    status = course_status(COURSE, progress())
    assert status == ScormStatus("incomplete", "unknown", 0.0, None)
    assert status.as_json() == {
        "completion": "incomplete",
        "success": "unknown",
        "progress": 0.0,
        "score": None,
    }


def test_the_course_is_passed_exactly_when_its_completion_rule_is_met() -> None:
    done = progress({"one", "two"}, {"one": 60.0, "two": 100.0}, PASSED_CALL)
    status = course_status(COURSE, done)
    assert status == ScormStatus("completed", "passed", 1.0, 100.0)
    assert status.as_json()["score"] == {"raw": 100.0, "min": 0, "max": 100, "scaled": 1.0}
    assert status.score is not None and status.score / 100 >= passing_measure(COURSE, None)


def test_an_unfinished_course_is_not_failed_and_reports_no_score() -> None:
    # Module two's check is not taken yet: 4 of the 5 requirements are met.
    status = course_status(COURSE, progress({"one", "two"}, {"one": 90.0}, PASSED_CALL))
    assert (status.completion, status.success, status.score) == ("incomplete", "unknown", None)
    assert status.progress == pytest.approx(0.8)


def test_everything_tried_but_not_all_met_is_failed_with_the_share_met() -> None:
    # Module two's check at 80 (its pass mark is 100) and a failed role-play.
    status = course_status(
        COURSE, progress({"one", "two"}, {"one": 90.0, "two": 80.0}, FAILED_CALL)
    )
    assert (status.completion, status.success) == ("incomplete", "failed")
    assert status.score == pytest.approx(60.0)
    assert status.score / 100 < passing_measure(COURSE, None)  # the LMS's measure agrees


def test_the_course_rule_decides_what_counts() -> None:
    lenient = dataclasses.replace(COURSE, completion=CompletionSpec(roleplays="none"))
    status = course_status(lenient, progress({"one", "two"}, {"one": 60.0, "two": 100.0}))
    assert (status.completion, status.success, status.score) == ("completed", "passed", 100.0)


def test_a_module_reports_its_check_score_and_pass_mark() -> None:
    assert module_status(progress(), "one") == ScormStatus("incomplete", "unknown", 0.0, None)
    failed = module_status(progress({"one"}, {"one": 40.0}), "one")
    assert (failed.completion, failed.success, failed.score) == ("incomplete", "failed", 40.0)
    assert failed.score / 100 < passing_measure(COURSE, "one") == 0.6


def test_a_module_is_complete_only_with_its_role_plays() -> None:
    checked = module_status(progress({"one"}, {"one": 60.0}), "one")
    assert (checked.completion, checked.success, checked.score) == ("incomplete", "passed", 60.0)
    assert checked.progress == 0.67  # lesson and check: two of its three parts
    done = module_status(progress({"one"}, {"one": 60.0}, PASSED_CALL), "one")
    assert done == ScormStatus("completed", "passed", 1.0, 60.0)


def test_passing_measure_is_the_module_pass_mark() -> None:
    assert passing_measure(COURSE, "two") == 1.0
    with pytest.raises(ValueError, match="no module 'nope'"):
        passing_measure(COURSE, "nope")


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("Lovelace, Ada", "Ada Lovelace"),
        ("王, 丽", "王丽"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("  Nakamura,  Aiko \t", "Aiko Nakamura"),
        ("Smith, John, Jr.", "Smith, John, Jr."),  # not "Family, Given": kept as sent
        ("Line\nbreak", "Line break"),
        ("", ""),
    ],
)
def test_lms_names_are_shown_given_name_first(sent: str, shown: str) -> None:
    assert display_name(sent) == shown


def test_learner_placeholder_addresses_never_collide_across_lmss() -> None:
    one = learner_email("scorm:1:lms-a.example.com", "42")
    assert one.endswith("@scorm.invalid") and one == learner_email(
        "scorm:1:lms-a.example.com", "42"
    )
    assert one != learner_email("scorm:1:lms-b.example.com", "42")
    assert one != learner_email("scorm:2:lms-a.example.com", "42")
