"""The user account: a trainee, an instructor or an admin."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow
from ..orgs.models import DEFAULT_ORGANISATION_ID


class Role(enum.StrEnum):
    TRAINEE = "trainee"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


class User(UserMixin, Base):
    __tablename__ = "coursekit_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_organisations.id"), default=DEFAULT_ORGANISATION_ID, index=True
    )
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(200))  # as entered, in any script
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None: signs in via LMS/host
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="coursekit_role",
            native_enum=False,
            length=20,
            values_callable=lambda roles: [r.value for r in roles],
        ),
        default=Role.TRAINEE,
    )
    locale: Mapped[str | None] = mapped_column(String(10))
    # Part of the login cookie's id: bumping it (on a password change) signs out every
    # other session of this user.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # The sign-in this request runs under (set when signing in or loading the session), so
    # that the login and remember-me cookies name it and logout can end exactly it.
    sign_in_id = None  # str | None; not a column (the ORM maps only Mapped[] annotations)

    def get_id(self) -> str:
        base = f"{self.id}:{self.session_version}"
        return f"{base}:{self.sign_in_id}" if self.sign_in_id else base

    @property
    def is_instructor(self) -> bool:
        return self.role in (Role.INSTRUCTOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class Identity(Base):
    """A user as another system knows them: a host app's account or (later) an LMS's
    issuer and subject. CourseKit finds its own user through it instead of by email."""

    __tablename__ = "coursekit_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_users.id", ondelete="CASCADE"), index=True
    )
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignIn(Base):
    """One sign-in on one device: the login and remember-me cookies name it, and logout
    ends it on the server, so a copied cookie stops working (a password change or "sign out
    everywhere" ends them all through the user's session version)."""

    __tablename__ = "coursekit_sign_ins"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, unguessable
    user_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
