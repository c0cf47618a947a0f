"""LTI tables: the tool's keys, platform registrations, one-time values, and what launches
taught us (LMS contexts as cohorts, resource links with their grade service endpoints)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow
from ..orgs.models import DEFAULT_ORGANISATION_ID


class ToolKey(Base):
    """An RSA key of the tool. The current one signs; a retired one stays published in the
    JWKS until `retire_at`, so platforms that cached it can still verify what it signed."""

    __tablename__ = "coursekit_lti_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None: the current key. Set when a newer key takes over.
    retire_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Platform(Base):
    """A registered LMS (issuer + client id), with the URLs the tool uses to reach it."""

    __tablename__ = "coursekit_lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_organisations.id"), default=DEFAULT_ORGANISATION_ID, index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(500))
    token_url: Mapped[str] = mapped_column(String(500))
    token_audience: Mapped[str | None] = mapped_column(String(500))
    jwks_url: Mapped[str] = mapped_column(String(500))
    # Extra origins (space separated) whose pages frame the tool, beyond the issuer's own:
    # e.g. https://school.instructure.com for Canvas, whose issuer is canvas.instructure.com.
    frame_origins: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Deployment(Base):
    __tablename__ = "coursekit_lti_deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_lti_platforms.id", ondelete="CASCADE"), index=True
    )
    deployment_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OneTimeValue(Base):
    """A value that may be used once before it expires, stored as a SHA-256 hash: a login's
    nonce (bound to its state), or a link that opens a launch in a new window."""

    __tablename__ = "coursekit_lti_one_time_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "nonce" or "open"
    value_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state_hash: Mapped[str | None] = mapped_column(String(64))
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("coursekit_lti_platforms.id", ondelete="CASCADE")
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("coursekit_users.id", ondelete="CASCADE")
    )
    target: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RegistrationToken(Base):
    """A one-time dynamic-registration URL an admin made for an LMS administrator."""

    __tablename__ = "coursekit_lti_registration_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_organisations.id"), default=DEFAULT_ORGANISATION_ID
    )
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("coursekit_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("coursekit_lti_platforms.id", ondelete="SET NULL")
    )


class LtiContext(Base):
    """An LMS course (context) of one platform deployment, and the cohort it became."""

    __tablename__ = "coursekit_lti_contexts"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_lti_platforms.id", ondelete="CASCADE")
    )
    deployment_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_cohorts.id", ondelete="CASCADE"), index=True
    )
    # Names and Role Provisioning Services: where the roster of this context is read.
    memberships_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ResourceLink(Base):
    """A placement of CourseKit in an LMS course, what it opens, and its latest Assignment
    and Grade Services endpoint claim."""

    __tablename__ = "coursekit_lti_resource_links"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_lti_platforms.id", ondelete="CASCADE")
    )
    deployment_id: Mapped[str] = mapped_column(String(255))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[int | None] = mapped_column(
        ForeignKey("coursekit_lti_contexts.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str | None] = mapped_column(String(255))
    target: Mapped[str] = mapped_column(String(100))  # "course", "module:<id>", "check:<id>", ...
    lineitem_url: Mapped[str | None] = mapped_column(Text)
    lineitems_url: Mapped[str | None] = mapped_column(Text)
    ags_scopes: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserLink(Base):
    """A user's launches through a resource link: their LMS subject and the grade service
    endpoints their last launch carried (where a score for them is sent)."""

    __tablename__ = "coursekit_lti_user_links"

    resource_link_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_lti_resource_links.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("coursekit_users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    subject: Mapped[str] = mapped_column(String(255))
    lineitem_url: Mapped[str | None] = mapped_column(Text)
    lineitems_url: Mapped[str | None] = mapped_column(Text)
    ags_scopes: Mapped[list] = mapped_column(JSON, default=list)
    last_launch_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
