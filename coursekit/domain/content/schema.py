"""Pydantic schemas of the content files: what a valid file looks like, field by field."""

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalText(Strict):
    """A text in every language the course is written in."""

    en: Text
    zh: Text

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _unique_ids(items: tuple, what: str) -> tuple:
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"duplicate {what} id {item.id!r}")
        seen.add(item.id)
    return items


class Category(Strict):
    id: Slug
    label: LocalText


class ModuleSpec(Strict):
    id: Slug
    kind: Literal["lesson", "case"]
    hours: float = Field(gt=0, le=100)
    title: LocalText
    roleplays: tuple[Slug, ...] = ()  # scenario ids in roleplays/, played after the check


Selection = Literal["all", "none"] | tuple[Slug, ...]


class CompletionSpec(Strict):
    """What a trainee must do to complete the course (and be issued a certificate)."""

    lessons: Selection = "all"  # lessons marked read
    checks: Selection = "all"  # knowledge checks at or above their pass mark (by module id)
    roleplays: Selection = "all"  # role-plays at or above their pass score (by scenario id)


class CourseSpec(Strict):
    id: Slug
    title: LocalText
    summary: LocalText
    pass_mark: int = Field(ge=0, le=100)
    # practice: the customer's meters (the zone of tolerance, P, T) show while playing;
    # assessment: hidden.
    roleplay_mode: Literal["practice", "assessment"] = "practice"
    # practice only: each reply's feedback is shown right after the step, not only in review.
    roleplay_step_feedback: bool = False
    category_sets: dict[Slug, tuple[Category, ...]] = Field(default_factory=dict)
    modules: tuple[ModuleSpec, ...] = Field(min_length=1)
    completion: CompletionSpec = CompletionSpec()
    hours: float | None = Field(
        default=None, gt=0, le=1000
    )  # on the certificate; default: the modules' sum

    @field_validator("modules")
    @classmethod
    def _modules_unique(cls, modules: tuple[ModuleSpec, ...]) -> tuple[ModuleSpec, ...]:
        return _unique_ids(modules, "module")

    @model_validator(mode="after")
    def _completion_names_known_parts(self) -> "CourseSpec":
        modules = {m.id for m in self.modules}
        scenarios = {r for m in self.modules for r in m.roleplays}
        for field, known in (("lessons", modules), ("checks", modules), ("roleplays", scenarios)):
            chosen = getattr(self.completion, field)
            if isinstance(chosen, tuple):
                unknown = sorted(set(chosen) - known)
                if unknown:
                    raise ValueError(f"completion.{field} names unknown ids: {', '.join(unknown)}")
        return self

    @field_validator("category_sets")
    @classmethod
    def _categories_unique(cls, sets: dict) -> dict:
        for categories in sets.values():
            if len(categories) < 2:
                raise ValueError("a category set needs at least two categories")
            _unique_ids(categories, "category")
        return sets


class Option(Strict):
    id: Slug
    text: LocalText
    correct: bool = False
    feedback: LocalText | None = None  # a wrong option's own: why it is wrong (the lint asks)


class _Question(Strict):
    id: Slug
    points: int = Field(default=1, ge=1, le=10)
    prompt: LocalText
    feedback: LocalText


class SingleChoice(_Question):
    type: Literal["single"]
    options: tuple[Option, ...] = Field(min_length=2, max_length=6)

    @field_validator("options")
    @classmethod
    def _one_correct(cls, options: tuple[Option, ...]) -> tuple[Option, ...]:
        _unique_ids(options, "option")
        correct = sum(o.correct for o in options)
        if correct != 1:
            raise ValueError(
                f"a single-choice question needs exactly one correct option, not {correct}"
            )
        return options


class MultipleChoice(_Question):
    type: Literal["multiple"]
    options: tuple[Option, ...] = Field(min_length=3, max_length=8)

    @field_validator("options")
    @classmethod
    def _some_correct(cls, options: tuple[Option, ...]) -> tuple[Option, ...]:
        _unique_ids(options, "option")
        correct = sum(o.correct for o in options)
        if correct < 1 or correct == len(options):
            raise ValueError(
                "a multiple-choice question needs at least one correct and one wrong option"
            )
        return options


class Item(Strict):
    id: Slug
    text: LocalText
    category: Slug


class Classification(_Question):
    type: Literal["classify"]
    categories: Slug
    items: tuple[Item, ...] = Field(min_length=2, max_length=10)

    @model_validator(mode="after")
    def _known_categories(self, info: ValidationInfo) -> "Classification":
        _unique_ids(self.items, "item")
        sets: dict[str, tuple[Category, ...]] = (info.context or {}).get("category_sets", {})
        if self.categories not in sets:
            known = ", ".join(sorted(sets)) or "none defined in course.yaml"
            raise ValueError(f"unknown category set {self.categories!r} (known: {known})")
        ids = {c.id for c in sets[self.categories]}
        for item in self.items:
            if item.category not in ids:
                raise ValueError(
                    f"item {item.id!r} has category {item.category!r}, "
                    f"which is not in set {self.categories!r}"
                )
        return self


Question = Annotated[SingleChoice | MultipleChoice | Classification, Field(discriminator="type")]


class CheckSpec(Strict):
    pass_mark: int | None = Field(default=None, ge=0, le=100)
    questions: tuple[Question, ...] = Field(min_length=1)

    @field_validator("questions")
    @classmethod
    def _questions_unique(cls, questions: tuple) -> tuple:
        return _unique_ids(questions, "question")
