"""Grade passback: when a trainee finishes a knowledge check or a role-play they launched from
an LMS, their best score for it goes to each gradebook column linked to it, through the
outbox (so an LMS that is down gets it later, in order, once)."""

import logging
from collections.abc import Callable
from functools import partial

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import utcnow
from ..learn.models import CheckAttempt
from ..roleplay.models import RoleplayAttempt
from ..signals import check_submitted, roleplay_finished
from . import ags, keys, registrations
from .links import grade_targets
from .types import PlatformEndpoints, SigningKey

log = logging.getLogger("coursekit.lti")


def resolve_platform(
    session: Session, issuer: str, client_id: str
) -> tuple[PlatformEndpoints, SigningKey] | None:
    """The registration's endpoints and the tool's current key; None when the LMS is not
    (or no longer) registered: its queued scores are then marked failed, kept where
    instructors see them, and can be retried once the LMS is registered again."""
    try:
        platform = registrations.for_login(session, issuer, client_id)
    except registrations.RegistrationError:
        return None
    return registrations.endpoints(platform), keys.current_key(session)


def publish_best(
    session: Session, user_id: int, target: str, best: Callable[[], float], event: str
) -> int:
    """Queue the user's best score (0-100) for `target` to every line item linked to it.
    `best` is only asked when there is a link: most trainees never came from an LMS, and
    this runs after every check and every finished role-play."""
    links = grade_targets(session, user_id, target)
    score_given = round(best(), 1) if links else 0.0
    queued = 0
    for link in links:
        if link.lineitem_url is None:
            # Deep-linked activities always carry their line item; a launch that only names
            # the line items container has no column for us to write to.
            log.info("no line item for %s (user %d) on %s", target, user_id, link.platform.issuer)
            continue
        score = ags.Score(
            user_id=link.subject,
            score_given=score_given,
            score_maximum=100.0,
            activity_progress="Completed",
            grading_progress="FullyGraded",
            timestamp=utcnow(),
        )
        if ags.enqueue_score(
            session,
            issuer=link.platform.issuer,
            client_id=link.platform.client_id,
            lineitem=link.lineitem_url,
            score=score,
            user_id=user_id,
            event_id=f"{event}:{link.lineitem_url}",
        ):
            queued += 1
    return queued


def _best(session: Session, model, attempt, same: str) -> float:  # type: ignore[no-untyped-def]
    """The user's best score over their attempts at the same check or scenario."""
    best = session.scalar(
        select(func.max(model.score)).where(
            model.user_id == attempt.user_id,
            model.course_id == attempt.course_id,
            getattr(model, same) == getattr(attempt, same),
        )
    )
    return best or 0.0


def _on_check(attempt: CheckAttempt, session: Session, **_: object) -> None:
    best = partial(_best, session, CheckAttempt, attempt, "module_id")
    target = f"check:{attempt.module_id}"
    publish_best(session, attempt.user_id, target, best, f"check-attempt-{attempt.id}")


def _on_finished(attempt: RoleplayAttempt, session: Session, **_: object) -> None:
    best = partial(_best, session, RoleplayAttempt, attempt, "scenario_id")
    target = f"roleplay:{attempt.scenario_id}"
    publish_best(session, attempt.user_id, target, best, f"roleplay-attempt-{attempt.id}")


def connect() -> None:
    check_submitted.connect(_on_check)
    roleplay_finished.connect(_on_finished)


def init_grades(app: Flask) -> None:
    if app.config.get("COURSEKIT_LTI_PLATFORM_RESOLVER") is None:
        app.config["COURSEKIT_LTI_PLATFORM_RESOLVER"] = resolve_platform
