"""The course's completion rule: what is still missing, and whether the course is complete."""

from dataclasses import dataclass
from typing import Literal

from .content.model import Course
from .progress import CourseProgress

Kind = Literal["lesson", "check", "roleplay"]


@dataclass(frozen=True)
class Requirement:
    kind: Kind
    module_id: str
    scenario_id: str | None = None
    met: bool = False


def _chosen(selection: str | tuple[str, ...], ids: list[str]) -> list[str]:
    if selection == "all":
        return ids
    if selection == "none":
        return []
    return [i for i in ids if i in selection]


def requirements(course: Course, progress: CourseProgress) -> list[Requirement]:
    """Every requirement of the rule in course.yaml, in course order, met or not."""
    rule = course.completion
    module_ids = [m.id for m in course.modules]
    lessons = set(_chosen(rule.lessons, module_ids))
    checks = set(_chosen(rule.checks, module_ids))
    scenarios = set(_chosen(rule.roleplays, [r for m in course.modules for r in m.roleplays]))
    result = []
    for module in progress.modules:
        if module.module_id in lessons:
            result.append(Requirement("lesson", module.module_id, met=module.lesson_done))
        if module.module_id in checks:
            result.append(Requirement("check", module.module_id, met=module.passed))
        for roleplay in module.roleplays:
            if roleplay.scenario_id in scenarios:
                result.append(
                    Requirement("roleplay", module.module_id, roleplay.scenario_id, roleplay.passed)
                )
    return result


def missing(course: Course, progress: CourseProgress) -> list[Requirement]:
    return [r for r in requirements(course, progress) if not r.met]


def is_complete(course: Course, progress: CourseProgress) -> bool:
    return not missing(course, progress)
