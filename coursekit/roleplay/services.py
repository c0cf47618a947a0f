"""Role-play services: start or resume a conversation, take a step, read attempts."""

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..access import may_see_work_of
from ..auth.models import User
from ..catalog.services import remember_version, stored_scenario
from ..db import utcnow, write_transaction
from ..domain.content import Course
from ..domain.progress import RoleplayFacts
from ..domain.roleplay import InvalidStep, Playthrough, Scenario, advance, replay, score
from ..domain.roleplay.order import display_order
from ..domain.roleplay.scoring import Result, true_tags
from ..domain.roleplay.tagging import InvalidTags, check_tags, needs_tags
from ..signals import progress_changed, roleplay_finished, roleplay_started, roleplay_step_taken
from .models import ABANDONED, ACTIVE, FINISHED, RoleplayAttempt, RoleplayStep


class RoleplayError(Exception):
    pass


class AttemptNotFound(RoleplayError):
    pass


class ForgedStep(RoleplayError):
    """The choice does not exist at the conversation's current node."""


class StaleStep(RoleplayError):
    """The step was already taken, or the form is from an earlier point (replay, double-click,
    another tab); nothing was changed."""


class ConversationOver(RoleplayError):
    pass


class BadTags(RoleplayError):
    """The tagging names an expectation not uncovered, an unknown kind, or leaves one out;
    nothing was changed."""


class NotReadyForTags(RoleplayError):
    """The conversation has not reached its ending yet."""


def scenario_of(session: Session, course: Course, attempt: RoleplayAttempt) -> Scenario:
    """The scenario version the attempt plays on: today's if unchanged, else the stored one."""
    current = course.roleplays.get(attempt.scenario_id)
    if current is not None and current.hash == attempt.scenario_hash:
        return current
    stored = stored_scenario(session, attempt.scenario_hash)
    if stored is None:
        raise AttemptNotFound(attempt.id)
    return stored


def playthrough(session: Session, course: Course, attempt: RoleplayAttempt) -> Playthrough:
    return replay(scenario_of(session, course, attempt), attempt.path)


def shown_order(attempt: RoleplayAttempt, play: Playthrough) -> tuple[str, ...]:
    """The order the current decision's replies are shown in, the same on every reload."""
    node = play.scenario.node(play.node_id)
    return display_order(node, play.node_id, attempt.seed, len(play.steps))


def shown_orders(session: Session, attempt: RoleplayAttempt) -> list[list[str]]:
    """Per decision taken, the replies' order as the trainee saw it (stored with each step;
    steps from before shuffling stored none and showed the authored order: empty here)."""
    rows = session.execute(
        select(RoleplayStep.position, RoleplayStep.shown)
        .where(RoleplayStep.attempt_id == attempt.id)
        .order_by(RoleplayStep.position)
    ).all()
    return [list(shown or ()) for _, shown in rows]


def result_of(play: Playthrough, attempt: RoleplayAttempt) -> Result:
    """The attempt's result, with the tagging the trainee gave."""
    return score(play, attempt.tags)


def _active(
    session: Session, user_id: int, course_id: str, scenario_id: str
) -> RoleplayAttempt | None:
    return session.scalar(
        select(RoleplayAttempt).where(
            RoleplayAttempt.user_id == user_id,
            RoleplayAttempt.course_id == course_id,
            RoleplayAttempt.scenario_id == scenario_id,
            RoleplayAttempt.status == ACTIVE,
        )
    )


def start(
    session: Session, user_id: int, course: Course, scenario_id: str, *, restart: bool = False
) -> RoleplayAttempt:
    """Resume the conversation in progress, or begin one (`restart` abandons the one in
    progress first). Two racing starts give one conversation."""
    scenario = course.roleplays.get(scenario_id)
    if scenario is None:
        raise AttemptNotFound(scenario_id)
    created = False
    try:
        with write_transaction(session):
            attempt = _active(session, user_id, course.id, scenario_id)
            if attempt is not None and not restart:
                return attempt
            if attempt is not None:
                attempt.status = ABANDONED
                session.flush()
            remember_version(session, "roleplay", scenario_id, scenario.hash, scenario.definition)
            attempt = RoleplayAttempt(
                user_id=user_id,
                course_id=course.id,
                scenario_id=scenario_id,
                scenario_hash=scenario.hash,
                node_id=scenario.spec.start,
                path=[],
                seed=secrets.randbits(31),
            )
            session.add(attempt)
            created = True
    except IntegrityError:  # a concurrent start won: use its conversation
        created = False
        attempt = _active(session, user_id, course.id, scenario_id)
        if attempt is None:
            raise
    if created:
        roleplay_started.send(attempt, session=session, course=course)
    return attempt


def _locked_attempt(session: Session, attempt_id: int, user_id: int) -> RoleplayAttempt:
    attempt = session.scalar(
        select(RoleplayAttempt).where(RoleplayAttempt.id == attempt_id).with_for_update()
    )
    if attempt is None or attempt.user_id != user_id:
        raise AttemptNotFound(attempt_id)
    return attempt


@dataclass(frozen=True)
class StepTaken:
    attempt: RoleplayAttempt
    play: Playthrough


def take_step(
    session: Session,
    *,
    user_id: int,
    course: Course,
    attempt_id: int,
    position: int,
    node_id: str,
    choice_id: str,
) -> StepTaken:
    """Take one step, once. The form names the position and node it was shown at; anything
    but the conversation's current position and node is refused (StaleStep), as is a choice
    that node does not offer (ForgedStep). A refused step changes nothing. At the ending the
    conversation is scored, unless the trainee has expectations to tag first (`classify`)."""
    try:
        with write_transaction(session):
            attempt = _locked_attempt(session, attempt_id, user_id)
            if attempt.status != ACTIVE:
                raise ConversationOver(attempt_id)
            if position != attempt.step_count or node_id != attempt.node_id:
                raise StaleStep(attempt_id)
            play = playthrough(session, course, attempt)
            if play.finished:
                raise StaleStep(attempt_id)  # the ending waits for the tags, not a step
            shown = shown_order(attempt, play)
            try:
                play = advance(play, choice_id)
            except InvalidStep as exc:
                raise ForgedStep(str(exc)) from exc
            session.add(
                RoleplayStep(
                    attempt_id=attempt.id,
                    position=position,
                    node_id=node_id,
                    choice_id=choice_id,
                    shown=list(shown),
                )
            )
            attempt.path = [*attempt.path, choice_id]
            attempt.node_id = play.node_id
            attempt.updated_at = utcnow()
            result = _finish(attempt, play, None) if _ends_now(play) else None
    except IntegrityError as exc:  # the same position was stored by a racing request
        raise StaleStep(attempt_id) from exc
    roleplay_step_taken.send(attempt, session=session, course=course, play=play)
    if result is not None:
        _finished(session, course, attempt, play, result)
    return StepTaken(attempt, play)


def _ends_now(play: Playthrough) -> bool:
    return play.finished and not needs_tags(play)


def classify(
    session: Session,
    *,
    user_id: int,
    course: Course,
    attempt_id: int,
    tags: Mapping[str, Sequence[str]],
) -> StepTaken:
    """Store the trainee's tagging of what they uncovered and score the conversation, once:
    a second submission is ConversationOver, a bad one BadTags, and neither changes anything."""
    with write_transaction(session):
        attempt = _locked_attempt(session, attempt_id, user_id)
        if attempt.status != ACTIVE:
            raise ConversationOver(attempt_id)
        play = playthrough(session, course, attempt)
        if not needs_tags(play):
            raise NotReadyForTags(attempt_id)
        try:
            checked = check_tags(play, tags)
        except InvalidTags as exc:
            raise BadTags(str(exc)) from exc
        attempt.tags = checked
        attempt.updated_at = utcnow()
        result = _finish(attempt, play, checked)
    _finished(session, course, attempt, play, result)
    return StepTaken(attempt, play)


def _finish(
    attempt: RoleplayAttempt, play: Playthrough, tags: Mapping[str, Sequence[str]] | None
) -> Result:
    result = score(play, tags)
    attempt.status = FINISHED
    attempt.finished_at = utcnow()
    attempt.score = result.score
    attempt.passed = result.passed
    attempt.band = result.band
    attempt.dimensions = {d: s.score for d, s in result.dimensions.items()}
    return result


def _finished(
    session: Session, course: Course, attempt: RoleplayAttempt, play: Playthrough, result: Result
) -> None:
    """After the commit: the attempt is scored; its listeners and progress follow."""
    roleplay_finished.send(attempt, session=session, course=course, play=play, result=result)
    progress_changed.send(attempt.user_id, session=session, course_id=course.id)


def attempt_for_viewer(session: Session, attempt_id: int, viewer: User) -> RoleplayAttempt:
    """An attempt the viewer may see (their own, their cohorts' for an instructor, any for an
    admin); others are "not found"."""
    attempt = session.get(RoleplayAttempt, attempt_id)
    if attempt is None or not may_see_work_of(session, viewer, attempt.user_id):
        raise AttemptNotFound(attempt_id)
    return attempt


def attempts(
    session: Session, user_id: int, course_id: str, scenario_id: str
) -> list[RoleplayAttempt]:
    """The trainee's conversations in this scenario, newest first (abandoned ones left out)."""
    return list(
        session.scalars(
            select(RoleplayAttempt)
            .where(
                RoleplayAttempt.user_id == user_id,
                RoleplayAttempt.course_id == course_id,
                RoleplayAttempt.scenario_id == scenario_id,
                RoleplayAttempt.status != ABANDONED,
            )
            .order_by(RoleplayAttempt.started_at.desc(), RoleplayAttempt.id.desc())
        )
    )


def facts(
    session: Session, user_id: int, course_id: str, scenario_ids: Sequence[str] | None = None
) -> dict[str, RoleplayFacts]:
    """Per scenario (every one, or those of `scenario_ids`): the best finished score, the
    finished count and whether one is in progress."""
    if scenario_ids is not None and not scenario_ids:
        return {}
    table = RoleplayAttempt.__table__.c  # a Core query: no ORM entities to build
    query = (
        select(
            table.scenario_id,
            func.max(table.score),
            func.count().filter(table.status == FINISHED),
            func.count().filter(table.status == ACTIVE),
        )
        .where(table.user_id == user_id, table.course_id == course_id)
        .group_by(table.scenario_id)
    )
    if scenario_ids is not None:
        query = query.where(table.scenario_id.in_(scenario_ids))
    rows = session.execute(query).all()
    return {
        scenario_id: RoleplayFacts(best_score=best, attempts=finished, in_progress=active > 0)
        for scenario_id, best, finished, active in rows
    }


def play_path(
    session: Session,
    user_id: int,
    course: Course,
    scenario_id: str,
    path: Sequence[str],
    tags: Mapping[str, Sequence[str]] | None = None,
) -> RoleplayAttempt:
    """Start (or resume) a conversation, take each choice of `path` in turn and tag what it
    uncovered, as the web would one page at a time (for the CLI's demo data and for tests;
    `tags` None tags every uncovered expectation right)."""
    attempt = start(session, user_id, course, scenario_id)
    taken = None
    for choice_id in path:
        taken = take_step(
            session,
            user_id=user_id,
            course=course,
            attempt_id=attempt.id,
            position=attempt.step_count,
            node_id=attempt.node_id,
            choice_id=choice_id,
        )
    if taken is not None and attempt.status == ACTIVE and needs_tags(taken.play):
        found = taken.play.state.revealed
        if tags is None:
            tags = {e: k for e, k in true_tags(taken.play.scenario).items() if e in found}
        classify(session, user_id=user_id, course=course, attempt_id=attempt.id, tags=tags)
    return attempt
