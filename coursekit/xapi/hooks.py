"""Learning events to xAPI statements: each signal's facts go to the pure builders in
domain/xapi.py, and the statements into the outbox. Nothing here may fail a trainee's
request: an error is logged and the event is not recorded."""

import logging
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from sqlalchemy.orm import Session

from ..db import utcnow
from ..domain import xapi
from ..domain.content import Course, Module
from ..domain.content.model import Classification, LocalText
from ..domain.quiz import CheckResult
from ..domain.roleplay import Playthrough
from ..domain.roleplay.order import display_order
from ..signals import (
    certificate_issued,
    check_submitted,
    course_launched,
    lesson_completed,
    roleplay_finished,
    roleplay_started,
    roleplay_step_taken,
)
from ..state import get_state
from . import services

log = logging.getLogger("coursekit.xapi")


def _text(text: LocalText) -> dict[str, str]:
    return {"en": text.en, "zh": text.zh}


def _course(course: Course) -> xapi.CourseRef:
    return xapi.CourseRef(course.id, _text(course.title))


def _guarded(handler: Callable[..., list[dict]]) -> Callable[..., None]:
    """Run a handler only when xAPI is configured; enqueue what it builds; never raise."""

    @wraps(handler)
    def run(sender: Any, *, session: Session, **facts: Any) -> None:
        if not services.enabled():
            return
        site = services.site()
        if site is None:
            log.warning("xAPI: no COURSEKIT_XAPI_SITE_URL outside a request; event not sent")
            return
        try:
            user_id, statements = handler(sender, site=site, **facts)
            services.enqueue_statements(session, user_id, statements)
        except Exception:
            log.exception("xAPI: could not record %s", handler.__name__)

    return run


@_guarded
def _on_launch(user_id: int, *, site: xapi.Site, course_id: str, launch_id: str) -> Any:
    course = get_state().course
    if course.id != course_id:
        return user_id, []
    when = utcnow()
    learner = services.learner(site, user_id)
    return user_id, [xapi.launched(learner, _course(course), launch_id=launch_id, when=when)]


@_guarded
def _on_lesson(user_id: int, *, site: xapi.Site, course_id: str, module_id: str) -> Any:
    course = get_state().course
    module = next((m for m in course.modules if m.id == module_id), None)
    if course.id != course_id or module is None:
        return user_id, []
    statement = xapi.lesson_completed(
        services.learner(site, user_id),
        _course(course),
        module_id=module.id,
        title=_text(module.title),
        when=utcnow(),
    )
    return user_id, [statement]


def response_pattern(answer: Any) -> str:
    """An answer in xAPI's response syntax: "a", "a[,]b", "item[.]category[,]..."."""
    if isinstance(answer, Mapping):
        return "[,]".join(f"{item}[.]{category}" for item, category in sorted(answer.items()))
    if isinstance(answer, list | tuple | set | frozenset):
        return "[,]".join(sorted(str(a) for a in answer))
    return str(answer)


@_guarded
def _on_check(
    attempt: Any, *, site: xapi.Site, course: Course, module: Module, result: CheckResult
) -> Any:
    credits = {q.question_id: q.credit for q in result.questions}
    answers = tuple(
        xapi.Answer(
            question_id=q.id,
            prompt=_text(q.prompt),
            interaction="matching" if isinstance(q, Classification) else "choice",
            response=response_pattern(attempt.answers.get(q.id, "")),
            credit=credits.get(q.id, 0.0),
        )
        for q in module.check.questions
    )
    facts = xapi.CheckAttempt(
        attempt_id=attempt.id,
        module_id=module.id,
        title=_text(module.title),
        score=result.score,
        passed=result.passed,
        submitted_at=attempt.created_at,
        answers=answers,
    )
    learner = services.learner(site, attempt.user_id)
    return attempt.user_id, xapi.check_statements(learner, _course(course), facts)


def _conversation(attempt: Any, title: LocalText) -> xapi.Conversation:
    return xapi.Conversation(attempt.id, attempt.scenario_id, _text(title), attempt.started_at)


@_guarded
def _on_roleplay_started(attempt: Any, *, site: xapi.Site, course: Course) -> Any:
    scenario = course.roleplays.get(attempt.scenario_id)
    if scenario is None:
        return attempt.user_id, []
    talk = _conversation(attempt, scenario.spec.title)
    learner = services.learner(site, attempt.user_id)
    return attempt.user_id, [xapi.roleplay_attempted(learner, _course(course), talk)]


@_guarded
def _on_step(attempt: Any, *, site: xapi.Site, course: Course, play: Playthrough) -> Any:
    spec = play.scenario.spec
    step = play.steps[-1]
    talk = _conversation(attempt, spec.title)
    learner = services.learner(site, attempt.user_id)
    node = spec.nodes[step.node_id]
    order = display_order(node, step.node_id, attempt.seed, step.index)
    said = {c.id: c.say for c in node.choices}
    turn = xapi.Turn(
        position=step.index,
        node_id=step.node_id,
        customer_said=_text(node.say),
        choice_id=step.choice.id,
        choices=tuple((cid, _text(said[cid])) for cid in order),
        state={
            "desired": step.after.D,
            "adequate": step.after.A,
            "performance": step.after.P,
            "trust": step.after.T,
        },
    )
    return attempt.user_id, [
        xapi.roleplay_answered(learner, _course(course), talk, turn, attempt.updated_at)
    ]


@_guarded
def _on_finished(
    attempt: Any, *, site: xapi.Site, course: Course, play: Playthrough, **_: Any
) -> Any:
    talk = _conversation(attempt, play.scenario.spec.title)
    learner = services.learner(site, attempt.user_id)
    statement = xapi.roleplay_result(
        learner,
        _course(course),
        talk,
        score=float(attempt.score),
        passed=bool(attempt.passed),
        band=str(attempt.band),
        finished_at=attempt.finished_at or attempt.updated_at,
        tags=attempt.tags,
    )
    return attempt.user_id, [statement]


@_guarded
def _on_certificate(certificate: Any, *, site: xapi.Site) -> Any:
    course = get_state().course
    if course.id != certificate.course_id:
        return certificate.user_id, []
    learner = services.learner(site, certificate.user_id)
    statement = xapi.course_completed(learner, _course(course), when=certificate.issued_at)
    return certificate.user_id, [statement]


def connect() -> None:
    course_launched.connect(_on_launch)
    lesson_completed.connect(_on_lesson)
    check_submitted.connect(_on_check)
    roleplay_started.connect(_on_roleplay_started)
    roleplay_step_taken.connect(_on_step)
    roleplay_finished.connect(_on_finished)
    certificate_issued.connect(_on_certificate)
