"""Role-play attempts and the steps taken in them."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow

ACTIVE, FINISHED, ABANDONED = "active", "finished", "abandoned"


class RoleplayAttempt(Base):
    """One conversation with the simulated customer, saved at every step so the trainee can
    close the phone and resume. It plays on the scenario version `scenario_hash`."""

    __tablename__ = "coursekit_roleplay_attempts"
    __table_args__ = (
        Index(None, "user_id", "course_id", "scenario_id"),
        # At most one conversation in progress per trainee and scenario, even when two
        # "start" requests race (a double-click).
        Index(
            "uq_coursekit_roleplay_attempts_one_active",
            "user_id",
            "course_id",
            "scenario_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("coursekit_users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(64))
    scenario_id: Mapped[str] = mapped_column(String(64))
    scenario_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default=ACTIVE)
    node_id: Mapped[str] = mapped_column(String(64))  # where the conversation is now
    path: Mapped[list] = mapped_column(default=list)  # choice ids taken, in order
    # The replies' order at every decision comes from this seed (None: an attempt from before
    # shuffling, which showed the authored order).
    seed: Mapped[int | None]
    # The trainee's tagging of the expectations they uncovered: {expectation id: [kinds]},
    # given once the conversation has reached its ending (None: not asked).
    tags: Mapped[dict | None]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The result, stored when the conversation ends (it can always be recomputed from
    # `path` on the stored scenario version; dashboards read these columns).
    score: Mapped[float | None]
    passed: Mapped[bool | None]
    band: Mapped[str | None] = mapped_column(String(12))
    dimensions: Mapped[dict | None]

    @property
    def step_count(self) -> int:
        return len(self.path)


class RoleplayStep(Base):
    """A step taken: unique per attempt and position, so a replayed step cannot land twice."""

    __tablename__ = "coursekit_roleplay_steps"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_roleplay_attempts.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    node_id: Mapped[str] = mapped_column(String(64))
    choice_id: Mapped[str] = mapped_column(String(64))
    shown: Mapped[list | None]  # the choice ids in the order the trainee saw them
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
