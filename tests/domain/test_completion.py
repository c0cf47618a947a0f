"""The completion rule, and how a name is sized on the certificate."""

import pytest

from coursekit.domain.certificate_layout import LARGEST_PT, SMALLEST_PT, name_size_pt, width_units
from coursekit.domain.completion import is_complete, missing, requirements
from coursekit.domain.content import load_course
from coursekit.domain.content.schema import CompletionSpec
from coursekit.domain.progress import RoleplayFacts, course_progress
from tests.conftest import MINI_CONTENT

COURSE = load_course(MINI_CONTENT)
PASSED_ROLEPLAY = {"mini-call": RoleplayFacts(best_score=95.4, attempts=1)}
ALL_DONE = ({"one", "two"}, {"one": 100.0, "two": 100.0}, {"one": 1, "two": 1})


def progress(lessons=ALL_DONE[0], scores=ALL_DONE[1], roleplays=PASSED_ROLEPLAY):  # type: ignore[no-untyped-def]
    return course_progress(
        COURSE, set(lessons), dict(scores), {m: 1 for m in scores}, None, roleplays
    )


def test_everything_met_completes_the_course() -> None:
    done = progress()
    assert is_complete(COURSE, done) and missing(COURSE, done) == []
    assert [(r.kind, r.module_id, r.scenario_id) for r in requirements(COURSE, done)] == [
        ("lesson", "one", None),
        ("check", "one", None),
        ("roleplay", "one", "mini-call"),
        ("lesson", "two", None),
        ("check", "two", None),
    ]


@pytest.mark.parametrize(
    ("state", "blocking"),
    [
        ({"lessons": {"one"}}, ("lesson", "two", None)),
        ({"scores": {"one": 100.0, "two": 50.0}}, ("check", "two", None)),  # below its pass mark
        ({"scores": {"one": 100.0}}, ("check", "two", None)),  # never taken
        (
            {"roleplays": {"mini-call": RoleplayFacts(best_score=54.9, attempts=2)}},
            ("roleplay", "one", "mini-call"),
        ),
        ({"roleplays": {}}, ("roleplay", "one", "mini-call")),
    ],
)
def test_each_missing_requirement_blocks(state: dict, blocking: tuple) -> None:
    current = progress(**state)
    assert not is_complete(COURSE, current)
    assert [(r.kind, r.module_id, r.scenario_id) for r in missing(COURSE, current)] == [blocking]


def test_the_rule_can_leave_parts_out() -> None:
    from dataclasses import replace

    relaxed = replace(
        COURSE, completion=CompletionSpec(lessons="none", checks=("one",), roleplays="none")
    )
    only_check_one = course_progress(relaxed, set(), {"one": 100.0}, {"one": 1}, None, {})
    assert is_complete(relaxed, only_check_one)
    assert not is_complete(
        relaxed, course_progress(relaxed, set(), {"one": 10.0}, {"one": 1}, None, {})
    )


def test_names_shrink_as_they_grow() -> None:
    assert name_size_pt("Zoë Ñúñez") == LARGEST_PT
    assert name_size_pt("欧阳娜娜") == LARGEST_PT  # four CJK characters are eight letters wide
    assert width_units("张伟") == 4
    sizes = [name_size_pt("x" * n) for n in (18, 30, 45, 60, 90, 120, 200)]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == LARGEST_PT
    assert SMALLEST_PT <= sizes[-1] < 20
