"""The certificate: one per trainee and course, with its stored PDF."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..db import Base, UTCDateTime, utcnow
from ..orgs.models import DEFAULT_ORGANISATION_ID


class Certificate(Base):
    __tablename__ = "coursekit_certificates"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)  # never twice

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # public, unguessable
    user_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_users.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_organisations.id"), default=DEFAULT_ORGANISATION_ID
    )
    course_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))  # as the trainee entered it, when issued
    language: Mapped[str] = mapped_column(String(10))  # "zh", "en" or "zh+en"
    hours: Mapped[float]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revision: Mapped[int] = mapped_column(default=1)  # re-issues bump it
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[int | None] = mapped_column(
        ForeignKey("coursekit_users.id", ondelete="SET NULL")
    )
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    reissued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reissued_by: Mapped[int | None] = mapped_column(
        ForeignKey("coursekit_users.id", ondelete="SET NULL")
    )
    reissue_reason: Mapped[str | None] = mapped_column(Text)
    # Rendered once and kept; cleared when the certificate is revoked or re-issued.
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    pdf_revision: Mapped[int | None]
