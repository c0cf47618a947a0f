"""A trainee's progress through the course, computed from plain facts about their work."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .content.model import Course

Step = Literal["lesson", "check"]


@dataclass(frozen=True)
class ModuleProgress:
    module_id: str
    lesson_done: bool
    best_score: float | None
    attempts: int
    pass_mark: int

    @property
    def passed(self) -> bool:
        return self.best_score is not None and self.best_score >= self.pass_mark

    @property
    def complete(self) -> bool:
        return self.lesson_done and self.passed

    @property
    def percent(self) -> int:
        # Reading the lesson and passing its check are each half of a module.
        return 50 * self.lesson_done + 50 * self.passed

    @property
    def next_step(self) -> Step | None:
        if not self.lesson_done:
            return "lesson"
        return None if self.passed else "check"


@dataclass(frozen=True)
class CourseProgress:
    modules: tuple[ModuleProgress, ...]
    continue_at: tuple[str, Step] | None  # (module id, step), None when all is done
    last_opened: str | None = None  # the module the trainee opened most recently

    @property
    def percent(self) -> int:
        return round(sum(m.percent for m in self.modules) / len(self.modules))

    @property
    def complete(self) -> bool:
        return all(m.complete for m in self.modules)

    @property
    def started(self) -> bool:
        return any(m.lesson_done or m.attempts for m in self.modules)

    def module(self, module_id: str) -> ModuleProgress:
        return next(m for m in self.modules if m.module_id == module_id)


def course_progress(
    course: Course,
    lessons_done: set[str],
    best_scores: Mapping[str, float],
    attempts: Mapping[str, int],
    last_opened: str | None,
) -> CourseProgress:
    """Progress per module and overall, and where "continue" should take the trainee:
    the unfinished step of the module they last opened, else the next unfinished module."""
    modules = tuple(
        ModuleProgress(
            module_id=m.id,
            lesson_done=m.id in lessons_done,
            best_score=best_scores.get(m.id),
            attempts=attempts.get(m.id, 0),
            pass_mark=m.check.pass_mark,
        )
        for m in course.modules
    )
    ids = [m.module_id for m in modules]
    start = ids.index(last_opened) if last_opened in ids else 0
    continue_at = None
    for module in modules[start:] + modules[:start]:
        if module.next_step:
            continue_at = (module.module_id, module.next_step)
            break
    return CourseProgress(modules=modules, continue_at=continue_at, last_opened=last_opened)
