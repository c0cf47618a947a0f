"""The knowledge checks' lint: each rule refuses with file, field and reason; the shipped
course passes; content/README.md prints the same absolute-word lists as the code."""

import re
import shutil
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from coursekit.domain.content import ContentError, load_course
from coursekit.domain.content.check_lint import (
    ABSOLUTE_WORDS,
    KEY_LONGEST_MAX,
    MULTIPLE_CORRECT,
    MULTIPLE_OPTIONS,
    absolute_words,
    course_problems,
    course_stats,
)
from coursekit.domain.content.model import MultipleChoice, SingleChoice
from tests.conftest import MINI_CONTENT, ROOT

SHIPPED = ROOT / "content"
Edits = dict[str, Callable[[str], str]]


def problems_after(tmp_path: Path, edits: Edits) -> list[str]:
    """Copy the small course, apply the edits (file -> text -> text), load it, and return the
    problems as text ([] when it loads)."""
    root = tmp_path / "content"
    shutil.copytree(MINI_CONTENT, root)
    for relative, edit in edits.items():
        path = root / relative
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    try:
        load_course(root)
    except ContentError as error:
        return [str(p) for p in error.problems]
    return []


def replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def single(qid: str, options: list[tuple[str, str, bool]]) -> SingleChoice:
    """A single-choice question from (id, English text, correct); the Chinese text is 中."""
    return SingleChoice.model_validate(
        {
            "id": qid,
            "type": "single",
            "prompt": {"en": "?", "zh": "？"},
            "feedback": {"en": ".", "zh": "。"},
            "options": [
                {
                    "id": oid,
                    "correct": correct,
                    "text": {"en": text, "zh": "中"},
                    **({} if correct else {"feedback": {"en": "no", "zh": "不"}}),
                }
                for oid, text, correct in options
            ],
        }
    )


def test_the_small_course_passes_as_it_is(tmp_path: Path) -> None:
    assert problems_after(tmp_path, {}) == []


# Rule 1: the key is the longest option in at most 40% of the single-choice questions.


def test_keys_that_are_longest_too_often_are_each_reported(tmp_path: Path) -> None:
    problems = problems_after(
        tmp_path,
        {
            "checks/one.yaml": replace('text: {en: "A", zh: "甲"}', 'text: {en: "AAA", zh: "甲"}'),
            "checks/two.yaml": replace(
                '{id: b, correct: true, text: {en: "B", zh: "乙"}',
                '{id: b, correct: true, text: {en: "BBB", zh: "乙"}',
            ),
        },
    )
    reason = (
        "the key is the longest option in 2 of 2 single-choice questions across the course "
        "(100%, at most 40% allowed, en): shorten this key or give a distractor more real content"
    )
    assert problems == [
        f"content/checks/one.yaml: questions[0] (id q1).options[0] (id a).text.en: {reason}",
        f"content/checks/two.yaml: questions[0] (id q1).options[1] (id b).text.en: {reason}",
    ]


def test_key_longest_counts_per_language_and_a_tie_is_not_longest() -> None:
    questions = [
        single("q1", [("a", "longer", True), ("b", "short", False)]),  # longest
        single("q2", [("a", "same", True), ("b", "four", False)]),  # a tie
        single("q3", [("a", "x", True), ("b", "much longer", False)]),
    ]
    stats = course_stats({"m": questions})
    assert [r.question_id for r in stats["en"].key_longest] == ["q1"]
    assert stats["en"].key_longest_share == Fraction(1, 3)
    assert stats["zh"].key_longest == ()  # every Chinese text is 中: all ties


@pytest.mark.parametrize(("longest", "refused"), [(2, False), (3, True)])
def test_forty_percent_is_the_most_allowed(longest: int, refused: bool) -> None:
    questions = [
        single(f"q{n}", [("a", "key" * (3 if n < longest else 1), True), ("b", "wrong", False)])
        for n in range(5)
    ]
    assert course_stats({"m": questions})["en"].key_longest_share == Fraction(longest, 5)
    assert Fraction(2, 5) == KEY_LONGEST_MAX
    refusals = [p for p in course_problems({"m": questions}) if "longest option" in p[2]]
    assert bool(refusals) is refused
    if refused:
        assert {p[0] for p in refusals} == {"m"}
        assert "3 of 5 single-choice questions across the course (60%" in refusals[0][2]


# Rule 2: absolute words are no more frequent per wrong option than per correct option.


def test_absolute_words_in_wrong_options_only_are_refused(tmp_path: Path) -> None:
    problems = problems_after(
        tmp_path,
        {"checks/one.yaml": replace('{en: "C", zh: "丙"}', '{en: "C always", zh: "丙"}')},
    )
    assert problems == [
        "content/checks/one.yaml: questions[0] (id q1).options[2] (id c).text.en: "
        "absolute words give the wrong options away: 0.167 absolute words per wrong option "
        "against 0.000 per correct option across the course (en); this one has 'always'"
    ]


def test_absolute_words_pass_when_keys_carry_them_as_often(tmp_path: Path) -> None:
    # 1 word in 6 wrong options against 1 in 4 correct ones
    add_always = replace('{en: "C", zh: "丙"}', '{en: "C always", zh: "丙"}')
    zh_key = replace(
        '{id: a, correct: true, text: {en: "A", zh: "甲"}',
        '{id: a, correct: true, text: {en: "A", zh: "都"}',
    )
    problems = problems_after(tmp_path, {"checks/one.yaml": lambda text: zh_key(add_always(text))})
    assert len(problems) == 1 and "(en); this one has 'always'" in problems[0]  # zh: 0 vs 1/4
    every_key = replace(  # a correct option of the multiple-choice question
        '{id: b, correct: true, text: {en: "B", zh: "乙"}',
        '{id: b, correct: true, text: {en: "Every B", zh: "乙"}',
    )
    fixed = problems_after(
        tmp_path / "again",
        {
            "checks/one.yaml": lambda text: every_key(add_always(text)),
        },
    )
    assert fixed == []


def test_absolute_words_are_matched_as_documented() -> None:
    assert absolute_words("Everyone ALWAYS wins, 100% of the time.", "en") == [
        "everyone",
        "always",
        "100%",
    ]
    # whole words only, and not inside a hyphenated term
    assert absolute_words("A must-be quality, overall, allows nonetheless", "en") == []
    assert absolute_words("No one asked; nobody cared.", "en") == ["no one", "nobody"]
    # Chinese: wherever the characters occur, every time
    assert absolute_words("大家都说一定要，都", "zh") == ["都", "一定", "都"]
    assert absolute_words("在一定程度上", "zh") == ["一定"]


# Rule 3: multiple choice has 5 options, 2 to 4 correct, and the counts vary.


def test_multiple_choice_needs_five_options(tmp_path: Path) -> None:
    problems = problems_after(
        tmp_path,
        {
            "checks/one.yaml": replace(
                '      - {id: e, text: {en: "E", zh: "戊"}, '
                'feedback: {en: "E is a trap.", zh: "戊是陷阱。"}}\n',
                "",
            )
        },
    )
    assert MULTIPLE_OPTIONS == 5
    assert problems == [
        "content/checks/one.yaml: questions[1] (id q2).options: "
        "a multiple-choice question needs 5 options, not 4"
    ]


@pytest.mark.parametrize(("correct", "ok"), [(1, False), (2, True), (4, True)])
def test_multiple_choice_needs_two_to_four_correct(tmp_path: Path, correct: int, ok: bool) -> None:
    text = (MINI_CONTENT / "checks" / "one.yaml").read_text(encoding="utf-8")
    q2 = text[text.index("  - id: q2") : text.index("  - id: q3")]
    lines = []
    for line in q2.splitlines(keepends=True):
        match = re.match(r"      - \{id: ([a-e]), (correct: true, )?text: (\{[^}]*\})", line)
        if match:
            right = "abcde".index(match.group(1)) < correct
            line = f"      - {{id: {match.group(1)}, {'correct: true, ' if right else ''}"
            line += f"text: {match.group(3)}"
            line += "}\n" if right else ', feedback: {en: "No.", zh: "不对。"}}\n'
        lines.append(line)
    problems = problems_after(tmp_path, {"checks/one.yaml": replace(q2, "".join(lines))})
    assert MULTIPLE_CORRECT == (2, 4)
    if ok:
        assert problems == []
    else:
        assert problems == [
            "content/checks/one.yaml: questions[1] (id q2).options: "
            "a multiple-choice question needs 2 to 4 correct options, not 1"
        ]


SECOND_MULTIPLE = """  - id: q2
    type: multiple
    prompt: {en: "Pick some", zh: "选几个"}
    options:
      - {id: a, correct: true, text: {en: "A", zh: "甲"}}
      - {id: b, correct: true, text: {en: "B", zh: "乙"}}
      - {id: c, CORRECT_C text: {en: "C", zh: "丙"}FEEDBACK_C}
      - {id: d, text: {en: "D", zh: "丁"}, feedback: {en: "Not D.", zh: "不是丁。"}}
      - {id: e, text: {en: "E", zh: "戊"}, feedback: {en: "Not E.", zh: "不是戊。"}}
    feedback: {en: "Some.", zh: "几个。"}
"""


def with_second_multiple(correct_c: bool) -> Callable[[str], str]:
    block = SECOND_MULTIPLE.replace("CORRECT_C", "correct: true," if correct_c else "")
    block = block.replace(
        "FEEDBACK_C", "" if correct_c else ', feedback: {en: "Not C.", zh: "不是丙。"}'
    )
    return lambda text: text + block


def test_multiple_choice_questions_may_not_all_have_the_same_count(tmp_path: Path) -> None:
    problems = problems_after(tmp_path, {"checks/two.yaml": with_second_multiple(False)})
    assert problems == [
        "content/course.yaml: checks: all 2 multiple-choice questions have 2 correct options; "
        "vary the number (2 to 4) so it gives nothing away"
    ]
    varied = problems_after(tmp_path / "again", {"checks/two.yaml": with_second_multiple(True)})
    assert varied == []


# Rule 4: every wrong option has its own feedback; a correct option has none.


def test_a_wrong_option_without_feedback_is_refused(tmp_path: Path) -> None:
    problems = problems_after(
        tmp_path,
        {"checks/one.yaml": replace(', feedback: {en: "Not B.", zh: "不是乙。"}', "")},
    )
    assert problems == [
        "content/checks/one.yaml: questions[0] (id q1).options[1] (id b).feedback: "
        "a wrong option needs its own feedback {en, zh}: why it is wrong"
    ]


def test_feedback_on_a_correct_option_is_refused(tmp_path: Path) -> None:
    problems = problems_after(
        tmp_path,
        {
            "checks/two.yaml": replace(
                '{id: b, correct: true, text: {en: "B", zh: "乙"}}',
                '{id: b, correct: true, text: {en: "B", zh: "乙"}, '
                'feedback: {en: "Yes.", zh: "对。"}}',
            )
        },
    )
    assert problems == [
        "content/checks/two.yaml: questions[0] (id q1).options[1] (id b).feedback: "
        "a correct option takes no feedback: the question's feedback explains the key"
    ]


def test_option_feedback_needs_both_languages(tmp_path: Path) -> None:
    problems = problems_after(
        tmp_path,
        {
            "checks/one.yaml": replace(
                'feedback: {en: "Not B.", zh: "不是乙。"}', 'feedback: {en: "B"}'
            )
        },
    )
    assert problems == [
        "content/checks/one.yaml: questions[0] (id q1).options[1] (id b).feedback.zh: "
        "Field required"
    ]


# The shipped course and the README.


def test_the_shipped_checks_pass_every_rule() -> None:
    course = load_course(SHIPPED)  # raises on any lint problem
    checks = {m.id: m.check.questions for m in course.modules}
    assert course_problems(checks) == []
    for lang, stats in course_stats(checks).items():
        assert stats.single == 20, lang
        assert stats.key_longest_share <= KEY_LONGEST_MAX, lang
        assert stats.wrong_rate <= stats.right_rate, lang
    counts = [
        sum(o.correct for o in q.options)
        for questions in checks.values()
        for q in questions
        if isinstance(q, MultipleChoice)
    ]
    assert set(counts) == {2, 3, 4}
    for questions in checks.values():
        for q in questions:
            for option in getattr(q, "options", ()):
                assert (option.feedback is None) is option.correct, (q.id, option.id)


def test_the_readme_prints_the_word_lists_of_the_code() -> None:
    readme = (SHIPPED / "README.md").read_text(encoding="utf-8")
    printed = {
        match.group(1): tuple(re.findall(r"`([^`]+)`", match.group(2)))
        for match in re.finditer(r"^ *- \*\*(en|zh)\*\*: (.+)$", readme, re.M)
    }
    assert printed == {lang: tuple(words) for lang, words in ABSOLUTE_WORDS.items()}
