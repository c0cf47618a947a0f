"""Each class of broken scenario is refused with the file, the field and the reason.

Every case edits tests/fixtures/mini/roleplays/mini-call.yaml (the zone of tolerance from
A 45 to D 60, pass score 80, one passing path: check > basics, 87.8) in a copy of the mini
course and loads the whole course, as check-content does."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from coursekit.domain.content import ContentError, load_course
from coursekit.domain.content.loader import OLD_FORMAT
from tests.conftest import MINI_CONTENT

FILE = "content/roleplays/mini-call.yaml"

Edit = Callable[[str], str]


def swap(old: str, new: str) -> Edit:
    """Replace one exact piece of the file, which must occur in it exactly once."""

    def edit(text: str) -> str:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        return text.replace(old, new)

    return edit


def both(*edits: Edit) -> Edit:
    def edit(text: str) -> str:
        for one in edits:
            text = one(text)
        return text

    return edit


@pytest.fixture
def broken(tmp_path: Path) -> Callable[..., list[str]]:
    def load_with(edit: Edit, relative: str = "roleplays/mini-call.yaml") -> list[str]:
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


# The graph


def test_choice_pointing_nowhere(broken) -> None:
    problems = broken(
        swap("next: end\n        effects: {P: 10}", "next: nowhere\n        effects: {P: 10}")
    )
    assert problems == [f"{FILE}: nodes.mid.choices[1] (id basics).next: no node 'nowhere'"]


def test_unknown_expectation_revealed(broken) -> None:
    problems = broken(swap("reveals: [on-time]", "reveals: [on-tme]"))
    assert problems == [f"{FILE}: nodes.open.choices[1] (id ask).reveals: no expectation 'on-tme'"]


def test_unreachable_node(broken) -> None:
    extra = '  island:\n    ending: true\n    say: {en: "x", zh: "x"}\n'
    problems = broken(lambda t: t + extra)
    assert problems == [f"{FILE}: nodes.island: not reachable from the start"]


def test_loop(broken) -> None:
    problems = broken(
        swap("next: end\n        effects: {P: 10}", "next: open\n        effects: {P: 10}")
    )
    assert problems == [
        f"{FILE}: nodes.open: is on a loop (open -> mid -> open): "
        "a conversation must always move on to an ending"
    ]


def test_dimension_never_at_stake(broken) -> None:
    # check was the only reply with trust evidence
    problems = broken(swap("evidence: {calibrate: 1, trust: 1}", "evidence: {calibrate: 1}"))
    assert problems == [
        f"{FILE}: nodes: no decision puts trust at stake "
        "(its evidence never differs between choices)"
    ]


def test_expectation_never_revealed(broken) -> None:
    problems = broken(swap("        reveals: [on-time]\n", ""))
    assert problems == [f"{FILE}: expectations.on-time: no choice reveals it"]


# Every path


def test_best_path_must_pass(broken) -> None:
    problems = broken(swap("pass_score: 80", "pass_score: 90"))
    assert problems == [
        f"{FILE}: scoring.pass_score: even the best path scores 87.8 and does not pass "
        "(pass score 90, customer delighted)"
    ]


def test_some_path_must_fail(broken) -> None:
    problems = broken(
        swap("pass_score: 80", "pass_score: 5\n  pass_needs_satisfied_customer: false")
    )
    # the gate walks the paths again only for a scenario whose paths are sound
    assert problems == [f"{FILE}: scoring.pass_score: every path passes (the lowest scores 5.6)"]


def test_over_promise_must_not_end_delighted(broken) -> None:
    # The promise now barely raises A: promise > basics ends with A 51 (1 + the broken
    # promise's 5) below P 65 above D 60.
    problems = broken(swap("effects: {D: 5, A: 15, T: 10}", "effects: {A: 1, T: 10}"))
    assert problems == [
        f"{FILE}: nodes.open: path promise > basics over-promises "
        "(choice 'promise') yet ends delighted"
    ]


# Each reply


@pytest.mark.parametrize(
    ("effects", "shown"),
    [
        ("{D: 5, T: 10}", "D +5, A +0"),  # does not raise A
        ("{D: 20, A: 10, T: 10}", "D +20, A +10"),  # raises D more than A
        ("{D: 5, A: -5, T: 10}", "D +5, A -5"),  # lowers A
    ],
)
def test_over_promise_must_narrow_the_zone_from_below(broken, effects: str, shown: str) -> None:
    problems = broken(swap("effects: {D: 5, A: 15, T: 10}", f"effects: {effects}"))
    assert problems == [
        f"{FILE}: nodes.open.choices[0] (id promise).effects: an over-promise must raise A, "
        f"and by at least as much as D (the zone narrows from below), not {shown}"
    ]


def test_best_valued_reply_must_not_be_an_over_promise(broken) -> None:
    # The promise now has the best weighted evidence at the opening (3, ask and check 2);
    # the lower pass score keeps check > basics (71.1) passing and every other path failing.
    problems = broken(
        both(
            swap(
                'say: {en: "So sorry for the wait! It will be with you tomorrow, I promise.", '
                'zh: "让您久等了，真抱歉！明天一定送到，我向您保证。"}',
                'say: {en: "Tomorrow, I promise!", zh: "明天一定到，我保证！"}',
            ),
            swap(
                "evidence: {discover: -1, calibrate: -2}",
                "evidence: {calibrate: -2, classify: 2, deliver: 2, trust: 1}",
            ),
            swap("pass_score: 80", "pass_score: 70"),
        )
    )
    assert problems == [
        f"{FILE}: nodes.open: the best-valued reply 'promise' is an over-promise or has no "
        "positive value, so the review would recommend it"
    ]


def test_best_valued_reply_must_have_a_positive_value(broken) -> None:
    # basics is now worth -1, so the best at mid is wrap, worth 0 (classify -1, deliver +1)
    problems = broken(swap("evidence: {classify: 2, deliver: 1}", "evidence: {classify: -1}"))
    # the same fault also lets the cues through; this check names the node first
    assert problems[0] == (
        f"{FILE}: nodes.mid: the best-valued reply 'wrap' is an over-promise or has no "
        "positive value, so the review would recommend it"
    )


# The schema


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "evidence: {discover: 2}",
            "evidence: {discover: 3}",
            "nodes.open.choices[1] (id ask).evidence: "
            "evidence for discover must be between -2 and +2, not 3",
        ),
        (
            "evidence: {discover: 2}",
            "evidence: {empathy: 2}",
            "nodes.open.choices[1] (id ask).evidence.empathy.[key]: Input should be 'discover', "
            "'classify', 'calibrate', 'deliver' or 'trust'",
        ),
        (
            "effects: {D: 5, A: 15, T: 10}",
            "effects: {D: 90, A: 15, T: 10}",
            "nodes.open.choices[0] (id promise).effects.D: "
            "Input should be less than or equal to 40",
        ),
        (
            "effects: {D: 5, A: 15, T: 10}",
            "effects: {D: 5, A: 15, T: -41}",
            "nodes.open.choices[0] (id promise).effects.T: "
            "Input should be greater than or equal to -40",
        ),
        (
            "effects: {D: 10, A: 5, P: 5}",
            "effects: {D: 10, A: 5, P: 45}",
            "nodes.mid.choices[0] (id extras).effects.P: Input should be less than or equal to 40",
        ),
        (
            "effects: {D: 5, A: 15, T: 10}",
            "effects: {D: 5, A: 15, T: 10, X: 1}",
            "nodes.open.choices[0] (id promise).effects.X: unknown field",
        ),
        (
            "initial: {D: 60, A: 45, P: 50, T: 50}",
            "initial: {D: 150, A: 45, P: 50, T: 50}",
            "initial.D: Input should be less than or equal to 100",
        ),
        (
            "initial: {D: 60, A: 45, P: 50, T: 50}",
            "initial: {D: 60, A: -1, P: 50, T: 50}",
            "initial.A: Input should be greater than or equal to 0",
        ),
        (
            "initial: {D: 60, A: 45, P: 50, T: 50}",
            "initial: {D: 60, A: 45, P: 101, T: 50}",
            "initial.P: Input should be less than or equal to 100",
        ),
        (
            "initial: {D: 60, A: 45, P: 50, T: 50}",
            "initial: {D: 60, A: 45, P: 50}",
            "initial.T: Field required",
        ),
    ],
)
def test_schema_errors_name_the_field(broken, old: str, new: str, expected: str) -> None:
    problems = broken(swap(old, new))
    assert problems == [f"{FILE}: {expected}"]


def test_initial_adequate_above_desired(broken) -> None:
    problems = broken(
        swap("initial: {D: 60, A: 45, P: 50, T: 50}", "initial: {D: 60, A: 70, P: 50, T: 50}")
    )
    assert problems == [
        f"{FILE}: initial: the adequate level A (70) is above the desired level D (60)"
    ]


def test_initial_adequate_equal_to_desired_is_accepted(tmp_path: Path) -> None:
    # a zone narrowed to nothing is a state the customer can start in
    root = tmp_path / "content"
    shutil.copytree(MINI_CONTENT, root)
    path = root / "roleplays" / "mini-call.yaml"
    edit = swap("initial: {D: 60, A: 45, P: 50, T: 50}", "initial: {D: 60, A: 60, P: 50, T: 50}")
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    initial = load_course(root).roleplays["mini-call"].spec.initial
    assert (initial.D, initial.A) == (60, 60)


def test_old_zone_format_refused(broken) -> None:
    problems = broken(
        swap(
            "initial: {D: 60, A: 45, P: 50, T: 50}",
            "initial: {E: 50, P: 50, T: 50}\nzone: {adequate: -5, desired: 10}",
        )
    )
    assert problems == [f"{FILE}: zone: {OLD_FORMAT}"]


def test_old_zone_key_refused_even_with_new_levels(broken) -> None:
    problems = broken(
        swap(
            "initial: {D: 60, A: 45, P: 50, T: 50}",
            "initial: {D: 60, A: 45, P: 50, T: 50}\nzone: {adequate: -5, desired: 10}",
        )
    )
    assert problems == [f"{FILE}: zone: {OLD_FORMAT}"]


def test_old_effects_on_e_refused(broken) -> None:
    problems = broken(swap("effects: {D: 5, A: 15, T: 10}", "effects: {E: 10, T: 10}"))
    assert problems == [f"{FILE}: nodes.open.choices[0].effects.E: {OLD_FORMAT}"]


def test_old_single_level_without_zone_names_the_missing_levels(broken) -> None:
    problems = broken(
        swap("initial: {D: 60, A: 45, P: 50, T: 50}", "initial: {E: 50, P: 50, T: 50}")
    )
    assert problems == [
        f"{FILE}: initial.D: Field required",
        f"{FILE}: initial.A: Field required",
        f"{FILE}: initial.E: unknown field",
    ]


def test_a_decision_needs_choices(broken) -> None:
    def keep_one_choice(text: str) -> str:
        start = text.index("      - id: basics")
        return text[:start] + text[text.index("  end:\n") :]

    problems = broken(keep_one_choice)
    assert problems == [f"{FILE}: nodes.mid: a decision needs 2 to 5 choices (or `ending: true`)"]


# The file and the course


def test_id_must_match_file_name(broken) -> None:
    problems = broken(swap("id: mini-call", "id: other-call"))
    assert problems == [f"{FILE}: id: must be the file name without .yaml ('mini-call')"]


def test_scenario_must_be_used_and_must_exist(broken) -> None:
    problems = broken(swap("roleplays: [mini-call]", "roleplays: [ghost-call]"), "course.yaml")
    assert problems == [
        f"{FILE}: no module in course.yaml lists this role-play",
        "content/course.yaml: modules (one).roleplays: no scenario file roleplays/ghost-call.yaml",
    ]
