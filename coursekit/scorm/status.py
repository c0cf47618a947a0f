"""What a SCORM package reports to its LMS, decided from CourseKit's own progress and
completion rules (no Flask, no database).

A module package:
- completed when the module is complete: lesson read, knowledge check passed and every
  role-play of the module passed (the "complete" mark on the course page);
- score: the knowledge check's best score (0-100); passed when it reaches the check's pass
  mark, failed when the best attempt is below it, unknown before the first attempt. The
  manifest's minNormalizedMeasure is that pass mark, so an LMS that judges success by the
  measure reaches the same verdict.

The whole course:
- completed and passed when the course's completion rule (course.yaml) is met, the moment
  CourseKit issues the certificate;
- score: the share of the rule's requirements met (lessons read, checks and role-plays at
  their pass marks), reported once every requirement has been tried, so the LMS does not
  show "failed" for a trainee who is simply not finished; failed when everything was
  tried and something is still below its mark. minNormalizedMeasure is 1.0: passed exactly
  when every requirement is met. Nothing is ever finally failed in CourseKit: every check
  and role-play can be taken again, and the next report says passed.
"""

from dataclasses import dataclass
from typing import Any, Literal

from ..domain.completion import Requirement, requirements
from ..domain.content import Course
from ..domain.progress import CourseProgress

Completion = Literal["completed", "incomplete"]
Success = Literal["passed", "failed", "unknown"]


@dataclass(frozen=True)
class ScormStatus:
    completion: Completion
    success: Success
    progress: float  # 0..1, the share done (SCORM 2004 cmi.progress_measure)
    score: float | None  # 0..100; None: nothing to report yet

    def as_json(self) -> dict[str, Any]:
        """The status message CourseKit posts to the package page."""
        score = None
        if self.score is not None:
            raw = round(self.score, 2)
            score = {"raw": raw, "min": 0, "max": 100, "scaled": round(raw / 100, 4)}
        return {
            "completion": self.completion,
            "success": self.success,
            "progress": round(self.progress, 4),
            "score": score,
        }


def passing_measure(course: Course, module_id: str | None) -> float:
    """The manifest's minNormalizedMeasure: the score.scaled from which the LMS says passed."""
    if module_id is None:
        return 1.0
    module = course.module(module_id)
    if module is None:
        raise ValueError(f"no module {module_id!r} in course {course.id!r}")
    return module.check.pass_mark / 100


def module_status(progress: CourseProgress, module_id: str) -> ScormStatus:
    module = progress.module(module_id)
    success: Success = "unknown"
    if module.best_score is not None:
        success = "passed" if module.passed else "failed"
    return ScormStatus(
        completion="completed" if module.complete else "incomplete",
        success=success,
        progress=module.percent / 100,
        score=module.best_score,
    )


def course_status(course: Course, progress: CourseProgress) -> ScormStatus:
    rule = requirements(course, progress)
    met = sum(r.met for r in rule)
    share = met / len(rule) if rule else 1.0
    done = met == len(rule)
    tried = all(_tried(progress, r) for r in rule)
    success: Success = "passed" if done else "failed" if tried else "unknown"
    return ScormStatus(
        completion="completed" if done else "incomplete",
        success=success,
        progress=share,
        score=100 * share if tried else None,
    )


def _tried(progress: CourseProgress, requirement: Requirement) -> bool:
    if requirement.met:
        return True
    module = progress.module(requirement.module_id)
    if requirement.kind == "lesson":
        return module.lesson_done
    if requirement.kind == "check":
        return module.attempts > 0
    return any(
        r.facts.attempts > 0 for r in module.roleplays if r.scenario_id == requirement.scenario_id
    )
