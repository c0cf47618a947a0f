"""One message to deliver to another system (an LMS gradebook, a learning record store)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow
from ..orgs.models import DEFAULT_ORGANISATION_ID

PENDING, SENT, FAILED = "pending", "sent", "failed"


class OutboxMessage(Base):
    """A message waits `pending` until its sender delivers it (`sent`) or gives up (`failed`,
    kept so that an instructor or admin can retry it). Messages with the same ordering key are
    delivered strictly one after another, in id order."""

    __tablename__ = "coursekit_outbox"
    __table_args__ = (
        Index(None, "status", "next_attempt_at"),
        Index(None, "ordering_key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # picks the sender: "ags-score", "xapi"
    ordering_key: Mapped[str] = mapped_column(String(255))  # "ags:<lineitem>:<user>", "xapi:<id>"
    # The same event enqueued twice (a retried request, a replayed signal) is stored once.
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    payload: Mapped[dict]
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A claim: the worker `locked_by` sends it until `locked_until`; after that (a worker
    # that died mid-send) another worker may claim it again.
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Whose event it is: instructors see the deliveries of their cohorts' trainees.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("coursekit_users.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_organisations.id"), default=DEFAULT_ORGANISATION_ID
    )
