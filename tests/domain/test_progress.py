"""Progress per module and overall, and where "continue" leads."""

from coursekit.domain.content import load_course
from coursekit.domain.progress import course_progress
from tests.conftest import MINI_CONTENT

COURSE = load_course(MINI_CONTENT)


def test_nothing_done_starts_at_the_first_lesson() -> None:
    progress = course_progress(COURSE, set(), {}, {}, None)
    assert progress.percent == 0 and not progress.started and not progress.complete
    assert progress.continue_at == ("one", "lesson")


def test_lesson_and_passed_check_are_each_half_a_module() -> None:
    progress = course_progress(COURSE, {"one"}, {"one": 59.0}, {"one": 1}, "one")
    assert progress.module("one").percent == 50  # pass mark is 60
    assert progress.continue_at == ("one", "check")
    progress = course_progress(COURSE, {"one"}, {"one": 60.0}, {"one": 2}, "one")
    assert progress.module("one").percent == 100 and progress.module("one").complete
    assert progress.percent == 50
    assert progress.continue_at == ("two", "lesson")


def test_continue_returns_to_the_module_last_opened() -> None:
    progress = course_progress(COURSE, set(), {}, {}, "two")
    assert progress.continue_at == ("two", "lesson")
    # after finishing the last module, it wraps round to the first unfinished one
    progress = course_progress(COURSE, {"two"}, {"two": 100.0}, {"two": 1}, "two")
    assert progress.continue_at == ("one", "lesson")


def test_all_done() -> None:
    progress = course_progress(COURSE, {"one", "two"}, {"one": 80.0, "two": 100.0}, {}, "two")
    assert progress.complete and progress.percent == 100 and progress.continue_at is None
