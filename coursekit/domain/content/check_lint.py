"""The knowledge checks' lint: an answer must not be guessable from the shape of the options.

Four rules, applied by the content loader (see the knowledge-check section of
content/README.md, which prints the word lists below; a test keeps the two equal):

1. Over the single-choice questions of the whole course, the key is the longest option (in
   characters, strictly longer than every other option) in at most 40% of them, in each
   language separately.
2. Absolute words are no tell: per language and across the course, the absolute words per
   wrong option are at most the absolute words per correct option (single and multiple
   choice; every occurrence counts).
3. A multiple-choice question has 5 options, 2 to 4 of them correct, and when the course
   has two or more multiple-choice questions they do not all have the same number correct.
4. Every wrong option has its own feedback (why it is wrong); a correct option has none
   (the question's feedback explains the key).

Pure: it reads the validated questions and returns (field, reason) pairs; the loader turns
them into problems against the files they belong to.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from .schema import LocalText, MultipleChoice, Option, Question, SingleChoice

LANGUAGES = tuple(LocalText.model_fields)  # ("en", "zh")

KEY_LONGEST_MAX = Fraction(2, 5)  # 40% of the single-choice questions, per language
MULTIPLE_OPTIONS = 5
MULTIPLE_CORRECT = (2, 4)  # least and most correct options of a multiple-choice question

# Words that make an option sound like a trap (or, in a key, like the safe answer). English
# words match whole words, in any case, and not inside a hyphenated term ("must-be quality"
# is Kano's name, not a claim). Chinese words match wherever the characters occur.
ABSOLUTE_WORDS: Mapping[str, tuple[str, ...]] = {
    "en": (
        "100%",
        "all",
        "always",
        "certainly",
        "completely",
        "definitely",
        "entirely",
        "every",
        "everybody",
        "everyone",
        "everything",
        "guarantee",
        "guaranteed",
        "guarantees",
        "must",
        "never",
        "no one",
        "nobody",
        "none",
        "nothing",
        "only",
    ),
    "zh": (
        "一定",
        "一律",
        "从不",
        "从来",
        "任何",
        "保证",
        "完全",
        "总会",
        "总是",
        "所有",
        "根本",
        "永远",
        "绝对",
        "肯定",
        "必须",
        "只有",
        "只要",
        "都",
    ),
}


def _pattern(lang: str) -> re.Pattern[str]:
    words = sorted(ABSOLUTE_WORDS[lang], key=len, reverse=True)
    alternatives = "|".join(re.escape(w) for w in words)
    if lang == "zh":
        return re.compile(alternatives)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


_PATTERNS = {lang: _pattern(lang) for lang in ABSOLUTE_WORDS}


def absolute_words(text: str, lang: str) -> list[str]:
    """Every absolute word in `text`, in order, as many times as it occurs."""
    return [m.lower() for m in _PATTERNS[lang].findall(text)]


@dataclass(frozen=True)
class OptionRef:
    """Where an option is: the check (module id) and its field path in that file."""

    check: str
    question: int
    question_id: str
    option: int
    option_id: str

    def field(self, suffix: str = "") -> str:
        return (
            f"questions[{self.question}] (id {self.question_id})"
            f".options[{self.option}] (id {self.option_id}){suffix}"
        )


@dataclass(frozen=True)
class LanguageStats:
    """One language's figures over the whole course."""

    lang: str
    single: int  # single-choice questions
    key_longest: tuple[OptionRef, ...]  # their keys that are the longest option
    right_options: int
    right_words: int  # absolute words in correct options
    wrong_options: int
    wrong_words: int  # absolute words in wrong options
    wrong_with_words: tuple[tuple[OptionRef, tuple[str, ...]], ...]

    @property
    def key_longest_share(self) -> Fraction:
        return Fraction(len(self.key_longest), self.single) if self.single else Fraction(0)

    @property
    def right_rate(self) -> Fraction:
        return Fraction(self.right_words, self.right_options) if self.right_options else Fraction(0)

    @property
    def wrong_rate(self) -> Fraction:
        return Fraction(self.wrong_words, self.wrong_options) if self.wrong_options else Fraction(0)

    def summary(self) -> str:
        return (
            f"{self.lang}: key is the longest option in {len(self.key_longest)} of "
            f"{self.single} single-choice questions ({float(self.key_longest_share):.0%}, "
            f"at most {float(KEY_LONGEST_MAX):.0%}); absolute words per correct option "
            f"{float(self.right_rate):.3f} ({self.right_words}/{self.right_options}), "
            f"per wrong option {float(self.wrong_rate):.3f} "
            f"({self.wrong_words}/{self.wrong_options})"
        )


def _choices(
    checks: Mapping[str, Sequence[Question]],
) -> list[tuple[str, int, SingleChoice | MultipleChoice]]:
    return [
        (check, index, q)
        for check, questions in checks.items()
        for index, q in enumerate(questions)
        if isinstance(q, SingleChoice | MultipleChoice)
    ]


def course_stats(checks: Mapping[str, Sequence[Question]]) -> dict[str, LanguageStats]:
    """Rules 1 and 2's figures per language, for the checks by module id."""
    stats = {}
    for lang in LANGUAGES:
        single = 0
        longest: list[OptionRef] = []
        counts = {True: [0, 0], False: [0, 0]}  # correct? -> [options, words]
        flagged: list[tuple[OptionRef, tuple[str, ...]]] = []
        for check, qi, q in _choices(checks):
            refs = [OptionRef(check, qi, q.id, oi, o.id) for oi, o in enumerate(q.options)]
            lengths = [len(o.text.get(lang)) for o in q.options]
            if isinstance(q, SingleChoice):
                single += 1
                key = next(i for i, o in enumerate(q.options) if o.correct)
                if all(lengths[key] > n for i, n in enumerate(lengths) if i != key):
                    longest.append(refs[key])
            for ref, option in zip(refs, q.options, strict=True):
                words = absolute_words(option.text.get(lang), lang)
                counts[option.correct][0] += 1
                counts[option.correct][1] += len(words)
                if words and not option.correct:
                    flagged.append((ref, tuple(words)))
        stats[lang] = LanguageStats(
            lang=lang,
            single=single,
            key_longest=tuple(longest),
            right_options=counts[True][0],
            right_words=counts[True][1],
            wrong_options=counts[False][0],
            wrong_words=counts[False][1],
            wrong_with_words=tuple(flagged),
        )
    return stats


def question_problems(questions: Sequence[Question]) -> list[tuple[str, str]]:
    """Rules 3 (shape) and 4 for one check file: (field, reason) pairs."""
    problems = []
    for qi, q in enumerate(questions):
        if not isinstance(q, SingleChoice | MultipleChoice):
            continue
        where = f"questions[{qi}] (id {q.id})"
        if isinstance(q, MultipleChoice):
            correct = sum(o.correct for o in q.options)
            if len(q.options) != MULTIPLE_OPTIONS:
                problems.append(
                    (
                        f"{where}.options",
                        f"a multiple-choice question needs {MULTIPLE_OPTIONS} options, "
                        f"not {len(q.options)}",
                    )
                )
            low, high = MULTIPLE_CORRECT
            if not low <= correct <= high:
                problems.append(
                    (
                        f"{where}.options",
                        f"a multiple-choice question needs {low} to {high} correct options, "
                        f"not {correct}",
                    )
                )
        for oi, option in enumerate(q.options):
            problems += [
                (f"{where}.options[{oi}] (id {option.id}).feedback", r)
                for r in _feedback_problems(option)
            ]
    return problems


def _feedback_problems(option: Option) -> list[str]:
    if option.correct and option.feedback is not None:
        return ["a correct option takes no feedback: the question's feedback explains the key"]
    if not option.correct and option.feedback is None:
        return ["a wrong option needs its own feedback {en, zh}: why it is wrong"]
    return []


def course_problems(
    checks: Mapping[str, Sequence[Question]],
) -> list[tuple[str | None, str, str]]:
    """Rules 1, 2 and 3 (variety) over the whole course: (module id, field, reason), where a
    module id of None means course.yaml (a rule no single option breaks)."""
    problems: list[tuple[str | None, str, str]] = []
    for lang, s in course_stats(checks).items():
        if s.key_longest_share > KEY_LONGEST_MAX:
            reason = (
                f"the key is the longest option in {len(s.key_longest)} of {s.single} "
                f"single-choice questions across the course "
                f"({float(s.key_longest_share):.0%}, at most {float(KEY_LONGEST_MAX):.0%} "
                f"allowed, {lang}): shorten this key or give a distractor more real content"
            )
            problems += [(ref.check, ref.field(f".text.{lang}"), reason) for ref in s.key_longest]
        if s.wrong_words * s.right_options > s.right_words * s.wrong_options:
            rates = (
                f"{float(s.wrong_rate):.3f} absolute words per wrong option against "
                f"{float(s.right_rate):.3f} per correct option across the course ({lang})"
            )
            for ref, words in s.wrong_with_words:
                found = ", ".join(f"'{w}'" for w in words)
                problems.append(
                    (
                        ref.check,
                        ref.field(f".text.{lang}"),
                        f"absolute words give the wrong options away: {rates}; "
                        f"this one has {found}",
                    )
                )
    multiple = [q for _, _, q in _choices(checks) if isinstance(q, MultipleChoice)]
    counts = {sum(o.correct for o in q.options) for q in multiple}
    if len(multiple) >= 2 and len(counts) == 1:
        problems.append(
            (
                None,
                "checks",
                f"all {len(multiple)} multiple-choice questions have {counts.pop()} correct "
                f"options; vary the number ({MULTIPLE_CORRECT[0]} to {MULTIPLE_CORRECT[1]}) "
                "so it gives nothing away",
            )
        )
    return problems
