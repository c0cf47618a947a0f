"""Each class of broken scenario is refused with the file, the node and the reason."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from coursekit.domain.content import ContentError, load_course
from tests.conftest import MINI_CONTENT

FILE = "content/roleplays/mini-call.yaml"


@pytest.fixture
def broken(tmp_path: Path) -> Callable[..., list[str]]:
    def load_with(
        edit: Callable[[str], str], relative: str = "roleplays/mini-call.yaml"
    ) -> list[str]:
        root = tmp_path / "content"
        shutil.copytree(MINI_CONTENT, root, dirs_exist_ok=True)
        path = root / relative
        original = path.read_text(encoding="utf-8")
        edited = edit(original)
        assert edited != original, "the edit did not apply"
        path.write_text(edited, encoding="utf-8")
        with pytest.raises(ContentError) as caught:
            load_course(root)
        return [str(p) for p in caught.value.problems]

    return load_with


def test_the_mini_scenario_is_valid() -> None:
    course = load_course(MINI_CONTENT)
    assert list(course.roleplays) == ["mini-call"]
    assert course.module("one").roleplays == ("mini-call",)


def test_choice_pointing_nowhere(broken) -> None:
    problems = broken(
        lambda t: t.replace(
            "next: end\n        effects: {P: 10}", "next: nowhere\n        effects: {P: 10}"
        )
    )
    assert problems == [f"{FILE}: nodes.mid.choices[0] (id basics).next: no node 'nowhere'"]


def test_unknown_expectation_revealed(broken) -> None:
    problems = broken(lambda t: t.replace("reveals: [gift-wrap]", "reveals: [gift-card]"))
    assert problems == [
        f"{FILE}: nodes.mid.choices[0] (id basics).reveals: no expectation 'gift-card'"
    ]


def test_unreachable_node(broken) -> None:
    extra = '  island:\n    ending: true\n    say: {en: "x", zh: "x"}\n'
    problems = broken(lambda t: t + extra)
    assert problems == [f"{FILE}: nodes.island: not reachable from the start"]


def test_loop(broken) -> None:
    problems = broken(
        lambda t: t.replace(
            "next: end\n        effects: {E: 10, P: 5}",
            "next: open\n        effects: {E: 10, P: 5}",
        )
    )
    assert problems == [
        f"{FILE}: nodes.open: is on a loop (open -> mid -> open): "
        "a conversation must always move on to an ending"
    ]


def test_dimension_never_at_stake(broken) -> None:
    problems = broken(
        lambda t: t.replace(
            "evidence: {classify: 2, deliver: 1, calibrate: 1}",
            "evidence: {classify: 2, calibrate: 1}",
        )
    )
    assert problems == [
        f"{FILE}: nodes: no decision puts deliver at stake "
        "(its evidence never differs between choices)"
    ]


def test_expectation_never_revealed(broken) -> None:
    problems = broken(lambda t: t.replace("        reveals: [gift-wrap]\n", ""))
    assert problems == [f"{FILE}: expectations.gift-wrap: no choice reveals it"]


def test_best_path_must_pass(broken) -> None:
    problems = broken(lambda t: t.replace("pass_score: 60", "pass_score: 99"))
    assert problems == [
        f"{FILE}: scoring.pass_score: even the best path scores 95.4 and does not pass "
        "(pass score 99, customer delighted)"
    ]


def test_some_path_must_fail(broken) -> None:
    problems = broken(
        lambda t: t.replace(
            "pass_score: 60", "pass_score: 5\n  pass_needs_satisfied_customer: false"
        )
    )
    assert problems == [f"{FILE}: scoring.pass_score: every path passes (the lowest scores 7.8)"]


def test_over_promise_must_not_end_delighted(broken) -> None:
    # the promise no longer raises E, so promise > basics ends with a gap of +15
    problems = broken(lambda t: t.replace("effects: {E: 20, T: 10}", "effects: {T: 10}"))
    assert problems == [
        f"{FILE}: nodes.open: path promise > basics over-promises "
        "(choice 'promise') yet ends delighted"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "evidence: {discover: 2, trust: 1}",
            "evidence: {discover: 3, trust: 1}",
            "nodes.open.choices[0] (id ask).evidence: "
            "evidence for discover must be between -2 and +2, not 3",
        ),
        (
            "evidence: {discover: 2, trust: 1}",
            "evidence: {empathy: 2}",
            "nodes.open.choices[0] (id ask).evidence.empathy.[key]: Input should be 'discover', "
            "'classify', 'calibrate', 'deliver' or 'trust'",
        ),
        (
            "effects: {E: 20, T: 10}",
            "effects: {E: 90, T: 10}",
            "nodes.open.choices[1] (id promise).effects.E: "
            "Input should be less than or equal to 40",
        ),
        (
            "initial: {E: 50, P: 50, T: 50}",
            "initial: {E: 150, P: 50, T: 50}",
            "initial.E: Input should be less than or equal to 100",
        ),
    ],
)
def test_schema_errors_name_the_field(broken, old: str, new: str, expected: str) -> None:
    problems = broken(lambda t: t.replace(old, new))
    assert problems == [f"{FILE}: {expected}"]


def test_a_decision_needs_choices(broken) -> None:
    def keep_one_choice(text: str) -> str:
        start = text.index("      - id: extras")
        return text[:start] + text[text.index("  end:\n") :]

    problems = broken(keep_one_choice)
    assert any(
        "nodes.mid: Value error" not in p and "a decision needs 2 to 5 choices" in p
        for p in problems
    )


def test_id_must_match_file_name(broken) -> None:
    problems = broken(lambda t: t.replace("id: mini-call", "id: other-call"))
    assert f"{FILE}: id: must be the file name without .yaml ('mini-call')" in problems


def test_scenario_must_be_used_and_must_exist(broken) -> None:
    problems = broken(
        lambda t: t.replace("roleplays: [mini-call]", "roleplays: [ghost-call]"), "course.yaml"
    )
    assert f"{FILE}: no module in course.yaml lists this role-play" in problems
    assert (
        "content/course.yaml: modules (one).roleplays: no scenario file roleplays/ghost-call.yaml"
        in problems
    )
