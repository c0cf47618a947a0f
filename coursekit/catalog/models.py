"""Stored content definitions, keyed by their hash."""

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class ContentVersion(Base):
    """The exact definition of a quiz (or role-play) the first time a version of it is used,
    so an attempt replays and reviews against what the trainee saw, after the files change."""

    __tablename__ = "coursekit_content_versions"
    __table_args__ = (UniqueConstraint("kind", "hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "check", later "roleplay"
    key: Mapped[str] = mapped_column(String(100))  # e.g. the module id
    hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
