"""Progress per module and overall, and where "continue" leads. In the small course, module
"one" has a lesson, a check (pass mark 60) and the role-play mini-call (pass score 60);
module "two" a lesson and a check (pass mark 100): five parts in all."""

from coursekit.domain.content import load_course
from coursekit.domain.progress import NextStep, RoleplayFacts, course_progress
from tests.conftest import MINI_CONTENT

COURSE = load_course(MINI_CONTENT)


def test_nothing_done_starts_at_the_first_lesson() -> None:
    progress = course_progress(COURSE, set(), {}, {}, None)
    assert progress.percent == 0 and not progress.started and not progress.complete
    assert progress.continue_at == NextStep("one", "lesson")


def test_lesson_check_and_roleplay_are_equal_parts_of_a_module() -> None:
    progress = course_progress(COURSE, {"one"}, {"one": 59.0}, {"one": 1}, "one")
    assert progress.module("one").percent == 33  # the check needs 60
    assert progress.continue_at == NextStep("one", "check")
    progress = course_progress(COURSE, {"one"}, {"one": 60.0}, {"one": 2}, "one")
    assert progress.module("one").percent == 67
    assert progress.continue_at == NextStep("one", "roleplay", "mini-call")
    facts = {"mini-call": RoleplayFacts(best_score=83.6, attempts=1)}
    progress = course_progress(COURSE, {"one"}, {"one": 60.0}, {"one": 2}, "one", facts)
    assert progress.module("one").complete and progress.module("one").percent == 100
    assert progress.percent == 60  # three of five parts
    assert progress.continue_at == NextStep("two", "lesson")


def test_a_failed_roleplay_is_not_done() -> None:
    facts = {"mini-call": RoleplayFacts(best_score=79.9, attempts=3)}
    progress = course_progress(COURSE, {"one"}, {"one": 100.0}, {"one": 1}, "one", facts)
    assert not progress.module("one").complete
    assert progress.continue_at == NextStep("one", "roleplay", "mini-call")


def test_continue_returns_to_the_module_last_opened() -> None:
    progress = course_progress(COURSE, set(), {}, {}, "two")
    assert progress.continue_at == NextStep("two", "lesson")
    # after finishing the last module, it wraps round to the first unfinished one
    progress = course_progress(COURSE, {"two"}, {"two": 100.0}, {"two": 1}, "two")
    assert progress.continue_at == NextStep("one", "lesson")


def test_all_done() -> None:
    facts = {"mini-call": RoleplayFacts(best_score=87.8, attempts=1)}
    progress = course_progress(
        COURSE, {"one", "two"}, {"one": 80.0, "two": 100.0}, {}, "two", facts
    )
    assert progress.complete and progress.percent == 100 and progress.continue_at is None
