"""Knowledge checks: per-attempt option order, answer validation and partial-credit scoring."""

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from .content.model import Classification, KnowledgeCheck, MultipleChoice, Question, SingleChoice

# What a trainee answered, per question id: an option id (single choice), a set of option
# ids (multiple choice), or {item id: category id} (classification).
Answer = str | frozenset[str] | Mapping[str, str]
Answers = Mapping[str, Answer]


def display_order(question: Question, seed: int) -> tuple[str, ...]:
    """The ids of the question's options (or items) in the order this attempt shows them."""
    ids = (
        [o.id for o in question.options]
        if _has_options(question)
        else [i.id for i in question.items]
    )
    # A string seed is hashed by Random in a way stable across runs and platforms.
    random.Random(f"{seed}:{question.id}").shuffle(ids)
    return tuple(ids)


def _has_options(question: Question) -> bool:
    return isinstance(question, SingleChoice | MultipleChoice)


@dataclass
class AnswerError(Exception):
    """The submission does not fit the check. `invalid` means tampering: ids the form never
    offered. `missing` means questions left unanswered, which a person can fix."""

    missing: dict[str, str] = field(default_factory=dict)
    invalid: dict[str, str] = field(default_factory=dict)
    partial: dict[str, Answer] = field(default_factory=dict)  # what was valid, to show again

    def __str__(self) -> str:
        parts = [f"{k}: {v}" for k, v in {**self.invalid, **self.missing}.items()]
        return "; ".join(parts)


def parse_answers(check: KnowledgeCheck, form: Mapping[str, list[str]]) -> dict[str, Answer]:
    """Turn submitted fields into answers, refusing anything the check did not ask.

    Field names: `<question id>` for choice questions, `<question id>.<item id>` for
    classification items. Raises AnswerError listing every problem.
    """
    error = AnswerError()
    expected: set[str] = set()
    answers: dict[str, Answer] = {}
    for q in check.questions:
        if isinstance(q, Classification):
            expected.update(f"{q.id}.{item.id}" for item in q.items)
            answer = _parse_classification(q, check, form, error)
        else:
            expected.add(q.id)
            answer = _parse_choice(q, form.get(q.id, []), error)
        if answer is not None:
            answers[q.id] = answer
    for name in sorted(set(form) - expected):
        error.invalid[name] = "this check has no such question"
    if error.missing or error.invalid:
        error.partial = answers
        raise error
    return answers


def _parse_choice(
    q: SingleChoice | MultipleChoice, values: list[str], error: AnswerError
) -> Answer | None:
    known = {o.id for o in q.options}
    if not values:
        error.missing[q.id] = "no answer given"
        return None
    unknown = sorted(set(values) - known)
    if unknown:
        error.invalid[q.id] = f"unknown option(s) {', '.join(unknown)}"
        return None
    if len(set(values)) != len(values):
        error.invalid[q.id] = "an option was submitted twice"
        return None
    if isinstance(q, SingleChoice):
        if len(values) != 1:
            error.invalid[q.id] = "a single-choice question takes exactly one option"
            return None
        return values[0]
    return frozenset(values)


def _parse_classification(
    q: Classification, check: KnowledgeCheck, form: Mapping[str, list[str]], error: AnswerError
) -> Answer | None:
    categories = {c.id for c in check.category_sets[q.categories]}
    placed: dict[str, str] = {}
    for item in q.items:
        values = form.get(f"{q.id}.{item.id}", [])
        if not values:
            error.missing.setdefault(q.id, "every statement needs a category")
        elif len(values) != 1 or values[0] not in categories:
            error.invalid[q.id] = f"item {item.id}: unknown category"
        else:
            placed[item.id] = values[0]
    return placed or None


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    points: int
    credit: float  # 0..1

    @property
    def earned(self) -> float:
        return self.points * self.credit

    @property
    def correct(self) -> bool:
        return self.credit == 1.0


@dataclass(frozen=True)
class CheckResult:
    score: float  # percent, 0..100, rounded to one decimal
    passed: bool
    questions: tuple[QuestionResult, ...]


def credit(question: Question, answer: Answer) -> float:
    """The share of the question's points this answer earns (see content/README.md)."""
    if isinstance(question, SingleChoice):
        return 1.0 if any(o.correct and o.id == answer for o in question.options) else 0.0
    if isinstance(question, MultipleChoice):
        chosen = set(answer) if isinstance(answer, frozenset | set | list | tuple) else set()
        right = {o.id for o in question.options if o.correct}
        hits, false_alarms = len(chosen & right), len(chosen - right)
        return max(0.0, (hits - false_alarms) / len(right))
    placed = answer if isinstance(answer, Mapping) else {}
    good = sum(placed.get(item.id) == item.category for item in question.items)
    return good / len(question.items)


def score(check: KnowledgeCheck, answers: Answers) -> CheckResult:
    """Score a complete, validated set of answers."""
    results = tuple(
        QuestionResult(q.id, q.points, credit(q, answers[q.id])) for q in check.questions
    )
    percent = round(100 * sum(r.earned for r in results) / check.total_points, 1)
    return CheckResult(score=percent, passed=percent >= check.pass_mark, questions=results)


def answers_to_json(answers: Answers) -> dict:
    """Answers in a form a JSON column can hold (sets become sorted lists)."""
    return {
        qid: sorted(a) if isinstance(a, frozenset) else (dict(a) if isinstance(a, Mapping) else a)
        for qid, a in answers.items()
    }


def answers_from_json(data: Mapping) -> dict[str, Answer]:
    return {
        qid: frozenset(a) if isinstance(a, list) else (dict(a) if isinstance(a, Mapping) else a)
        for qid, a in data.items()
    }


def correct_answers(check: KnowledgeCheck) -> dict[str, Answer]:
    """The answers that earn full marks (for demo data, tests and instructor keys)."""
    answers: dict[str, Answer] = {}
    for q in check.questions:
        if isinstance(q, Classification):
            answers[q.id] = {item.id: item.category for item in q.items}
        elif isinstance(q, SingleChoice):
            answers[q.id] = next(o.id for o in q.options if o.correct)
        else:
            answers[q.id] = frozenset(o.id for o in q.options if o.correct)
    return answers


def answers_to_form(answers: Answers) -> dict[str, list[str]]:
    """Answers as the form fields parse_answers reads (the inverse of parse_answers)."""
    form: dict[str, list[str]] = {}
    for qid, answer in answers.items():
        if isinstance(answer, Mapping):
            form.update({f"{qid}.{item}": [category] for item, category in answer.items()})
        elif isinstance(answer, str):
            form[qid] = [answer]
        else:
            form[qid] = sorted(answer)
    return form
