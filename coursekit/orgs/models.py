"""The organisation every user, cohort and certificate belongs to, with its branding."""

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..db import Base, UTCDateTime, utcnow

DEFAULT_ORGANISATION_ID = 1  # created by the first migration; a single-company install sees only it


class Organisation(Base):
    __tablename__ = "coursekit_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Certificate branding; empty fields fall back to the app's COURSEKIT_CERTIFICATE_* config.
    certificate_issuer: Mapped[str | None] = mapped_column(String(200))
    certificate_signatory: Mapped[str | None] = mapped_column(String(200))
    certificate_signatory_role: Mapped[str | None] = mapped_column(String(200))
    certificate_accent: Mapped[str | None] = mapped_column(String(7))
    # The logo is kept in the database (not a file) so that app instances share it.
    logo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    logo_type: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
