"""The loaded course: frozen objects built from validated files, versioned by content hashes."""

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..roleplay.model import Scenario
from .schema import (
    Category,
    Classification,
    CompletionSpec,
    LocalText,
    MultipleChoice,
    Question,
    SingleChoice,
)

LANGUAGES = ("en", "zh")

__all__ = [
    "LANGUAGES",
    "Category",
    "Classification",
    "Course",
    "KnowledgeCheck",
    "Lesson",
    "LocalText",
    "Module",
    "MultipleChoice",
    "Question",
    "SingleChoice",
]


@dataclass(frozen=True)
class Lesson:
    lang: str
    markdown: str
    html: str
    sections: tuple[str, ...]


@dataclass(frozen=True)
class KnowledgeCheck:
    module_id: str
    pass_mark: int
    questions: tuple[Question, ...]
    category_sets: MappingProxyType[str, tuple[Category, ...]]
    # sha256 of `definition`: an attempt records it and the definition is stored under it,
    # so an attempt can be reviewed against the exact questions it was taken on.
    hash: str
    definition: MappingProxyType[str, Any] = field(repr=False)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    @property
    def total_points(self) -> int:
        return sum(q.points for q in self.questions)


@dataclass(frozen=True)
class Module:
    id: str
    kind: str
    hours: float
    title: LocalText
    lessons: MappingProxyType[str, Lesson]
    check: KnowledgeCheck
    roleplays: tuple[str, ...] = ()

    def lesson(self, lang: str) -> Lesson:
        return self.lessons.get(lang) or self.lessons["en"]


@dataclass(frozen=True)
class Course:
    id: str
    title: LocalText
    summary: LocalText
    pass_mark: int
    modules: tuple[Module, ...]
    hash: str
    roleplays: MappingProxyType[str, Scenario] = field(default_factory=lambda: MappingProxyType({}))
    roleplay_mode: str = "practice"
    roleplay_step_feedback: bool = False
    completion: CompletionSpec = field(default_factory=CompletionSpec)
    certificate_hours: float | None = None

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def module_of_roleplay(self, scenario_id: str) -> Module | None:
        return next((m for m in self.modules if scenario_id in m.roleplays), None)

    def next_module(self, module_id: str) -> Module | None:
        ids = [m.id for m in self.modules]
        index = ids.index(module_id)
        return self.modules[index + 1] if index + 1 < len(ids) else None

    @property
    def hours(self) -> float:
        """The hours a certificate states: the course's own figure, else the modules' sum."""
        return self.certificate_hours or round(sum(m.hours for m in self.modules), 1)
