"""A trainee's progress through the course, computed from plain facts about their work."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .content.model import Course, Module

StepKind = Literal["lesson", "check", "roleplay"]


@dataclass(frozen=True)
class NextStep:
    module_id: str
    kind: StepKind
    scenario_id: str | None = None  # for a role-play step


@dataclass(frozen=True)
class RoleplayFacts:
    """What the trainee has done in one scenario."""

    best_score: float | None = None
    attempts: int = 0  # finished conversations
    in_progress: bool = False


@dataclass(frozen=True)
class RoleplayProgress:
    scenario_id: str
    pass_score: int
    facts: RoleplayFacts = RoleplayFacts()

    @property
    def passed(self) -> bool:
        return self.facts.best_score is not None and self.facts.best_score >= self.pass_score


@dataclass(frozen=True)
class ModuleProgress:
    module_id: str
    lesson_done: bool
    best_score: float | None
    attempts: int
    pass_mark: int
    roleplays: tuple[RoleplayProgress, ...] = field(default=())

    @property
    def passed(self) -> bool:
        """The knowledge check is passed."""
        return self.best_score is not None and self.best_score >= self.pass_mark

    @property
    def parts_done(self) -> list[bool]:
        return [self.lesson_done, self.passed, *(r.passed for r in self.roleplays)]

    @property
    def complete(self) -> bool:
        return all(self.parts_done)

    @property
    def percent(self) -> int:
        # The lesson, the check and each role-play are equal parts of a module.
        parts = self.parts_done
        return round(100 * sum(parts) / len(parts))

    @property
    def next_step(self) -> NextStep | None:
        if not self.lesson_done:
            return NextStep(self.module_id, "lesson")
        if not self.passed:
            return NextStep(self.module_id, "check")
        for roleplay in self.roleplays:
            if not roleplay.passed:
                return NextStep(self.module_id, "roleplay", roleplay.scenario_id)
        return None


@dataclass(frozen=True)
class CourseProgress:
    modules: tuple[ModuleProgress, ...]
    continue_at: NextStep | None  # None when everything is done
    last_opened: str | None = None  # the module the trainee opened most recently

    @property
    def percent(self) -> int:
        parts = [done for m in self.modules for done in m.parts_done]
        return round(100 * sum(parts) / len(parts))

    @property
    def complete(self) -> bool:
        return all(m.complete for m in self.modules)

    @property
    def started(self) -> bool:
        return any(
            m.lesson_done
            or m.attempts
            or any(r.facts.attempts or r.facts.in_progress for r in m.roleplays)
            for m in self.modules
        )

    def module(self, module_id: str) -> ModuleProgress:
        return next(m for m in self.modules if m.module_id == module_id)


def course_progress(
    course: Course,
    lessons_done: set[str],
    best_scores: Mapping[str, float],
    attempts: Mapping[str, int],
    last_opened: str | None,
    roleplays: Mapping[str, RoleplayFacts] | None = None,
) -> CourseProgress:
    """Progress per module and overall, and where "continue" should take the trainee:
    the unfinished step of the module they last opened, else the next unfinished module."""
    roleplays = roleplays or {}
    modules = tuple(
        ModuleProgress(
            module_id=m.id,
            lesson_done=m.id in lessons_done,
            best_score=best_scores.get(m.id),
            attempts=attempts.get(m.id, 0),
            pass_mark=m.check.pass_mark,
            roleplays=roleplay_progress(course, m, roleplays),
        )
        for m in course.modules
    )
    ids = [m.module_id for m in modules]
    start = ids.index(last_opened) if last_opened in ids else 0
    continue_at = next(
        (m.next_step for m in modules[start:] + modules[:start] if m.next_step), None
    )
    return CourseProgress(modules=modules, continue_at=continue_at, last_opened=last_opened)


def roleplay_progress(
    course: Course, module: Module, facts: Mapping[str, RoleplayFacts]
) -> tuple[RoleplayProgress, ...]:
    """The module's role-plays in course order, with what the trainee has done in each."""
    return tuple(
        RoleplayProgress(
            rid, course.roleplays[rid].spec.scoring.pass_score, facts.get(rid, RoleplayFacts())
        )
        for rid in module.roleplays
    )


@dataclass(frozen=True)
class LessonVisit:
    """What the lesson page needs, without the whole course's progress: whether this lesson
    is read, which module was opened last (re-reading it writes nothing) and this module's
    role-plays."""

    lesson_done: bool
    last_opened: str | None
    roleplays: tuple[RoleplayProgress, ...]
