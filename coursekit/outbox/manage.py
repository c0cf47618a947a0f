"""Looking after the outbox: what a viewer may see, what is waiting or failed, a retry, the
next due time (for the scheduler), purging old deliveries."""

import logging
from datetime import datetime

from sqlalchemy import delete, false, func, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..auth.models import User
from ..cohorts.models import CohortInstructor, CohortMember
from ..db import utcnow, write_transaction
from .models import FAILED, PENDING, SENT, OutboxMessage
from .services import OutboxError

log = logging.getLogger("coursekit.outbox")


class MessageNotFound(OutboxError):
    pass


class NotRetryable(OutboxError):
    """Only a failed message can be retried: a pending one is still being tried."""


def visible_to(viewer: User | None) -> ColumnElement[bool]:
    """Admins (and the CLI, viewer None) see every message; instructors those about their
    cohorts' trainees."""
    if viewer is None or viewer.is_admin:
        return true()
    if not viewer.is_instructor:
        return false()
    trainees = (
        select(CohortMember.user_id)
        .join(CohortInstructor, CohortInstructor.cohort_id == CohortMember.cohort_id)
        .where(CohortInstructor.user_id == viewer.id)
    )
    return OutboxMessage.user_id.in_(trainees)


def problems(
    session: Session, viewer: User | None, limit: int = 200
) -> list[tuple[OutboxMessage, User]]:
    """Pending and failed messages the viewer may see, failed first, newest first."""
    query = (
        select(OutboxMessage, User)
        .outerjoin(User, User.id == OutboxMessage.user_id)
        .where(OutboxMessage.status.in_([PENDING, FAILED]), visible_to(viewer))
        .order_by((OutboxMessage.status == FAILED).desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    return [(message, user) for message, user in session.execute(query).all()]


def counts(session: Session, viewer: User | None) -> dict[str, int]:
    rows = session.execute(
        select(OutboxMessage.status, func.count())
        .where(visible_to(viewer))
        .group_by(OutboxMessage.status)
    ).all()
    return {PENDING: 0, SENT: 0, FAILED: 0} | {status: n for status, n in rows}


def retry(session: Session, message_id: int, viewer: User | None) -> OutboxMessage:
    """Give a failed message a fresh set of attempts, due now (its last error is kept)."""
    with write_transaction(session):
        message = session.scalar(
            select(OutboxMessage).where(OutboxMessage.id == message_id, visible_to(viewer))
        )
        if message is None:
            raise MessageNotFound(f"no outbox message {message_id}")
        if message.status != FAILED:
            raise NotRetryable(f"outbox message {message_id} is {message.status}")
        message.status, message.attempts, message.next_attempt_at = PENDING, 0, utcnow()
        message.locked_by = message.locked_until = None
    log.info("outbox message %d retried by %s", message_id, viewer.id if viewer else "the CLI")
    return message


def next_due(session: Session) -> datetime | None:
    """When the earliest pending message is due (to schedule the next delivery run)."""
    return session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status == PENDING)
    )


def purge_sent(session: Session, before: datetime) -> int:
    """Delete messages delivered before `before` (failed and pending ones are kept)."""
    with write_transaction(session):
        result = session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status == SENT, OutboxMessage.sent_at < before
            )
        )
    return result.rowcount or 0  # type: ignore[attr-defined]
