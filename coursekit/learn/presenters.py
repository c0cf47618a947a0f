"""Turn a knowledge check (and an attempt's answers) into rows a template can show."""

from collections.abc import Mapping
from dataclasses import dataclass

from ..domain.content import KnowledgeCheck
from ..domain.content.model import Classification
from ..domain.quiz import Answer, QuestionResult, display_order


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    chosen: bool = False
    correct: bool = False  # for options: is a right answer; for items: placed right
    feedback: str = ""  # a wrong option's own feedback: why it is wrong


@dataclass(frozen=True)
class ItemRow:
    id: str
    text: str
    chosen: str | None  # category id the trainee picked
    correct: str  # the right category id


@dataclass(frozen=True)
class QuestionView:
    id: str
    number: int
    type: str
    prompt: str
    choices: tuple[Choice, ...] = ()
    items: tuple[ItemRow, ...] = ()
    categories: tuple[tuple[str, str], ...] = ()  # (id, label)
    feedback: str = ""
    result: QuestionResult | None = None
    error: str | None = None


def question_views(
    check: KnowledgeCheck,
    seed: int,
    lang: str,
    answers: Mapping[str, Answer] | None = None,
    results: Mapping[str, QuestionResult] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[QuestionView]:
    """The questions in this attempt's order, with answers and results when there are any."""
    answers = answers or {}
    views = []
    for number, q in enumerate(check.questions, start=1):
        order = display_order(q, seed)
        answer = answers.get(q.id)
        common = {
            "id": q.id,
            "number": number,
            "type": q.type,
            "prompt": q.prompt.get(lang),
            "feedback": q.feedback.get(lang),
            "result": (results or {}).get(q.id),
            "error": (errors or {}).get(q.id),
        }
        if isinstance(q, Classification):
            by_id = {i.id: i for i in q.items}
            placed = answer if isinstance(answer, Mapping) else {}
            items = tuple(
                ItemRow(i, by_id[i].text.get(lang), placed.get(i), by_id[i].category) for i in order
            )
            categories = tuple((c.id, c.label.get(lang)) for c in check.category_sets[q.categories])
            views.append(QuestionView(**common, items=items, categories=categories))
        else:
            by_id = {o.id: o for o in q.options}
            picked = {answer} if isinstance(answer, str) else set(answer or ())
            choices = tuple(
                Choice(
                    o,
                    by_id[o].text.get(lang),
                    o in picked,
                    by_id[o].correct,
                    by_id[o].feedback.get(lang) if by_id[o].feedback else "",
                )
                for o in order
            )
            views.append(QuestionView(**common, choices=choices))
    return views
