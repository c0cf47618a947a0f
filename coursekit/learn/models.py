"""Lesson progress and knowledge-check attempts."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class LessonProgress(Base):
    __tablename__ = "coursekit_lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("coursekit_users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(64))
    module_id: Mapped[str] = mapped_column(String(64))
    first_opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CheckAttempt(Base):
    """One submitted knowledge check. `nonce` comes from the signed form token and is unique,
    so a replayed or double-clicked submission cannot store a second row."""

    __tablename__ = "coursekit_check_attempts"
    __table_args__ = (Index(None, "user_id", "course_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("coursekit_users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(64))
    module_id: Mapped[str] = mapped_column(String(64))
    course_hash: Mapped[str] = mapped_column(String(64))
    check_hash: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int]
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict]
    score: Mapped[float]
    passed: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
