"""Cohorts, their instructors and their members."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow
from ..orgs.models import DEFAULT_ORGANISATION_ID


class Cohort(Base):
    __tablename__ = "coursekit_cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_organisations.id"), default=DEFAULT_ORGANISATION_ID, index=True
    )
    course_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # None: joining is closed. Unique while open, so a code names one cohort.
    join_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("coursekit_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CohortInstructor(Base):
    """The instructors who run (and may see) a cohort: its creator and any co-instructors."""

    __tablename__ = "coursekit_cohort_instructors"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CohortMember(Base):
    __tablename__ = "coursekit_cohort_members"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CohortInvitation(Base):
    """A roster line: an instructor invited whoever signs in with this e-mail. Nobody is
    added to a cohort on an instructor's word alone: the person accepts (or joins by code),
    so importing an e-mail never hands its account, its work or its certificate over."""

    __tablename__ = "coursekit_cohort_invitations"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(254), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(String(200))  # as the roster gave it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
