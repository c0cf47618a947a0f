"""Outbox services: enqueue once, claim safely, deliver in order, retry with backoff, keep
what failed (manage.py: seeing and retrying it). Senders are plain callables registered per
kind; they never touch the outbox."""

import hashlib
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import httpx
from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from ..db import upsert, utcnow, write_transaction
from ..orgs.models import DEFAULT_ORGANISATION_ID
from .backoff import RetryPolicy, retry_delay
from .models import FAILED, PENDING, SENT, OutboxMessage

log = logging.getLogger("coursekit.outbox")
KEY_LENGTH = 255


class OutboxError(Exception):
    pass


@dataclass(frozen=True)
class Outcome:
    """What a sender made of one message."""

    status: Literal["sent", "retry", "failed"]
    error: str | None = None
    retry_after: float | None = None  # seconds, from the server's Retry-After

    @classmethod
    def sent(cls) -> "Outcome":
        return cls("sent")

    @classmethod
    def retry(cls, error: str, retry_after: float | None = None) -> "Outcome":
        return cls("retry", error, retry_after)

    @classmethod
    def failed(cls, error: str) -> "Outcome":
        return cls("failed", error)


@dataclass(frozen=True)
class SendContext:
    session: Session  # for reads only: no transaction may be held across a send
    http: httpx.Client
    config: Mapping[str, Any]
    now: datetime


# A sender gets payloads (at most its batch size) and returns one outcome per payload, in
# order. It must not deliver a payload after one of the same ordering key it could not.
Sender = Callable[[SendContext, list[dict]], list[Outcome]]


@dataclass(frozen=True)
class SenderSpec:
    send: Sender
    batch_size: int = 1


@dataclass(frozen=True)
class NewMessage:
    kind: str
    ordering_key: str
    payload: dict
    idempotency_key: str
    user_id: int | None = None
    organisation_id: int | None = None


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def short_key(text: str) -> str:
    """A key that fits the column: long ones (line item URLs) keep a prefix and a hash."""
    if len(text) <= KEY_LENGTH:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"{text[: KEY_LENGTH - len(digest) - 1]}#{digest}"


def enqueue(session: Session, messages: Sequence[NewMessage]) -> int:
    """Store the messages in one transaction; one already stored (same idempotency key) is
    left alone. Returns how many were new."""
    added = 0
    with write_transaction(session):
        for message in messages:
            new_id = session.scalar(
                upsert(session, OutboxMessage)
                .values(
                    kind=message.kind,
                    ordering_key=short_key(message.ordering_key),
                    idempotency_key=short_key(message.idempotency_key),
                    payload=message.payload,
                    user_id=message.user_id,
                    organisation_id=message.organisation_id or DEFAULT_ORGANISATION_ID,
                )
                .on_conflict_do_nothing(index_elements=["idempotency_key"])
                .returning(OutboxMessage.id)  # no row: it was stored before
            )
            added += new_id is not None
    return added


def claim(
    session: Session,
    *,
    now: datetime,
    worker: str,
    policy: RetryPolicy,
    limit: int,
    batch_sizes: Mapping[str, int],
) -> list[OutboxMessage]:
    """Lease the messages due now that are first in their ordering key (and, for kinds sent
    in batches, the due messages right behind them), so that no other worker takes them.

    PostgreSQL: FOR UPDATE SKIP LOCKED lets concurrent workers pass over each other's rows;
    the "no earlier pending message" test reads committed rows, so a row skipped because
    another worker holds it still blocks the ones behind it. SQLite: the write transaction
    (BEGIN IMMEDIATE) runs one claim at a time."""
    M = OutboxMessage
    earlier = aliased(OutboxMessage)
    free = or_(M.locked_until.is_(None), M.locked_until <= now)
    first_in_line = ~exists().where(
        earlier.ordering_key == M.ordering_key, earlier.status == PENDING, earlier.id < M.id
    )
    postgres = session.get_bind().dialect.name == "postgresql"
    heads_query = (
        select(M)
        .where(M.status == PENDING, M.next_attempt_at <= now, free, first_in_line)
        .order_by(M.id)
        .limit(limit)
    )
    if postgres:
        heads_query = heads_query.with_for_update(skip_locked=True, of=M)
    claimed: list[OutboxMessage] = []
    with write_transaction(session):
        for head in session.scalars(heads_query).all():
            claimed.append(head)
            size = batch_sizes.get(head.kind, 1)
            if size > 1:
                claimed += _followers(session, head, size - 1, now, postgres)
        until = now + timedelta(seconds=policy.lease_seconds)
        for message in claimed:
            message.locked_by, message.locked_until = worker, until
    return claimed


def _followers(
    session: Session, head: OutboxMessage, limit: int, now: datetime, postgres: bool
) -> list[OutboxMessage]:
    """The pending messages right behind `head` in its ordering key that can travel with it
    (same kind, due, not leased), stopping at the first that cannot."""
    M = OutboxMessage
    query = (
        select(M)
        .where(M.ordering_key == head.ordering_key, M.status == PENDING, M.id > head.id)
        .order_by(M.id)
        .limit(limit)
    )
    if postgres:
        query = query.with_for_update(of=M)
    taken = []
    for message in session.scalars(query):
        leased = message.locked_until is not None and message.locked_until > now
        if message.kind != head.kind or message.next_attempt_at > now or leased:
            break
        taken.append(message)
    return taken


def deliver_due(
    session: Session,
    senders: Mapping[str, SenderSpec],
    policy: RetryPolicy,
    *,
    http: httpx.Client,
    config: Mapping[str, Any],
    now: datetime | None = None,
    round_size: int = 10,
    max_rounds: int = 1000,
) -> DeliveryReport:
    """Deliver everything due, a few messages per round (each round: claim, send with no
    transaction open, record). `now` fixes the clock (tests)."""
    worker = secrets.token_hex(8)
    report = DeliveryReport()
    sizes = {kind: spec.batch_size for kind, spec in senders.items()}
    for _ in range(max_rounds):
        at = now or utcnow()
        batch = claim(
            session, now=at, worker=worker, policy=policy, limit=round_size, batch_sizes=sizes
        )
        if not batch:
            break
        results = _send(batch, senders, SendContext(session, http, config, at))
        _record(session, results, policy, worker, now or utcnow(), report)
    return report


def _send(
    batch: list[OutboxMessage], senders: Mapping[str, SenderSpec], context: SendContext
) -> list[tuple[OutboxMessage, Outcome | None]]:
    """Each message with its outcome, or None if it was not tried because one before it in
    its ordering key was not delivered."""
    results: list[tuple[OutboxMessage, Outcome | None]] = []
    stuck: set[str] = set()
    by_kind: dict[str, list[OutboxMessage]] = {}
    for message in batch:
        by_kind.setdefault(message.kind, []).append(message)
    for kind, messages in by_kind.items():
        spec = senders.get(kind)
        if spec is None:  # kept, not lost: a sender may be configured later
            results += [(m, Outcome.retry(f"no sender for {kind!r}")) for m in messages]
            continue
        for start in range(0, len(messages), spec.batch_size):
            chunk = messages[start : start + spec.batch_size]
            results += [(m, None) for m in chunk if m.ordering_key in stuck]
            todo = [m for m in chunk if m.ordering_key not in stuck]
            if not todo:
                continue
            for message, outcome in zip(todo, _call(spec, context, todo), strict=True):
                results.append((message, outcome))
                if outcome.status == "retry":
                    stuck.add(message.ordering_key)
    return results


def _call(spec: SenderSpec, context: SendContext, todo: list[OutboxMessage]) -> list[Outcome]:
    try:
        outcomes = spec.send(context, [dict(m.payload) for m in todo])
        if len(outcomes) != len(todo):
            raise RuntimeError(f"{len(outcomes)} outcomes for {len(todo)} messages")
        return outcomes
    except Exception as exc:  # a sender's bug must cost a retry, never the message
        log.exception("outbox: sender for %s raised", todo[0].kind)
        return [Outcome.retry(f"{type(exc).__name__}: {exc}")] * len(todo)


def _record(
    session: Session,
    results: list[tuple[OutboxMessage, Outcome | None]],
    policy: RetryPolicy,
    worker: str,
    now: datetime,
    report: DeliveryReport,
) -> None:
    M = OutboxMessage
    with write_transaction(session):
        for message, outcome in results:
            # Only while our lease holds: after it ran out another worker may own the row.
            mine = update(M).where(M.id == message.id, M.locked_by == worker)
            values: dict[str, Any] = {"locked_by": None, "locked_until": None}
            if outcome is not None:
                values.update(_after(message, outcome, policy, now, report))
            session.execute(mine.values(**values).execution_options(synchronize_session=False))
    session.expire_all()


def _after(
    message: OutboxMessage, outcome: Outcome, policy: RetryPolicy, now: datetime, report: Any
) -> dict[str, Any]:
    attempts = message.attempts + 1
    where = f"outbox message {message.id} ({message.kind}, {message.ordering_key})"
    if outcome.status == "sent":
        report.sent += 1
        log.info("%s sent after %d attempt(s)", where, attempts)
        return {"status": SENT, "attempts": attempts, "sent_at": now, "last_error": None}
    error = (outcome.error or "unknown error")[:2000]
    if outcome.status == "retry" and attempts < policy.max_attempts:
        report.retried += 1
        delay = retry_delay(attempts, policy, retry_after=outcome.retry_after)
        log.warning("%s: attempt %d failed (%s); retry in %.0f s", where, attempts, error, delay)
        return {
            "attempts": attempts,
            "last_error": error,
            "next_attempt_at": now + timedelta(seconds=delay),
        }
    report.failed += 1
    log.error("%s failed after %d attempt(s): %s", where, attempts, error)
    return {"status": FAILED, "attempts": attempts, "last_error": error}
