"""Deliveries to the LMS and the LRS that are waiting or failed, for instructors (their
cohorts' trainees) and admins (everyone), with a retry button for failed ones."""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..auth.identity import current_learner, instructor_required
from ..auth.models import User
from ..state import db_session
from ..web import refuse
from . import jobs, manage
from .models import FAILED, OutboxMessage

bp = Blueprint("outbox", __name__)
log = logging.getLogger("coursekit.outbox")


@dataclass(frozen=True)
class Row:
    id: int
    trainee: str
    what: str
    target: str
    failed: bool
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    last_error: str | None


def describe(message: OutboxMessage) -> tuple[str, str]:
    """What the message is, in words, and where it goes."""
    payload = message.payload
    if message.kind == "ags-score":
        score = payload.get("score", {})
        given, maximum = score.get("scoreGiven"), score.get("scoreMaximum")
        what = (
            _("Grade %(given)s of %(maximum)s", given=given, maximum=maximum)
            if given is not None
            else _("Progress: %(progress)s", progress=score.get("activityProgress", "?"))
        )
        return what, str(payload.get("lineitem", ""))
    if message.kind == "xapi":
        verb = payload.get("verb", {}).get("display", {}).get("en-US", "?")
        return _("Learning record: %(verb)s", verb=verb), str(payload.get("object", {}).get("id"))
    return message.kind, message.ordering_key


def _row(message: OutboxMessage, user: User | None) -> Row:
    what, target = describe(message)
    return Row(
        id=message.id,
        trainee=user.name if user is not None else _("(account deleted)"),
        what=what,
        target=target,
        failed=message.status == FAILED,
        attempts=message.attempts,
        next_attempt_at=message.next_attempt_at,
        created_at=message.created_at,
        last_error=message.last_error,
    )


@bp.get("/deliveries")
@instructor_required
def index():  # type: ignore[no-untyped-def]
    viewer = current_learner()
    rows = [_row(m, u) for m, u in manage.problems(db_session(), viewer)]
    return render_template(
        "coursekit/outbox/index.html",
        failed=[r for r in rows if r.failed],
        pending=[r for r in rows if not r.failed],
        counts=manage.counts(db_session(), viewer),
    )


@bp.post("/deliveries/<int:message_id>/retry")
@instructor_required
def retry(message_id: int):  # type: ignore[no-untyped-def]
    viewer = current_learner()
    try:
        manage.retry(db_session(), message_id, viewer)
    except manage.MessageNotFound:
        log.info("outbox retry refused: message %d not visible to user %d", message_id, viewer.id)
        abort(404)
    except manage.NotRetryable:
        log.info("outbox retry refused: message %d is not failed", message_id)
        raise refuse(
            409,
            _("This delivery has not failed: it is still being tried, or it was sent."),
            (url_for(".index"), _("Back to deliveries")),
        ) from None
    jobs.kick()
    flash(_("The delivery will be tried again now."), "success")
    return redirect(url_for(".index"), 303)
