"""What launches recorded, read back for the grade and roster services (AGS, NRPS): plain
values, so those clients need no knowledge of the LTI tables."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import LtiContext, Platform, ResourceLink, UserLink
from .registrations import endpoints
from .types import PlatformEndpoints


@dataclass(frozen=True)
class GradeTarget:
    """Where a user's score for one CourseKit target goes in one LMS gradebook."""

    platform: PlatformEndpoints
    deployment_id: str
    resource_link_id: str
    subject: str  # the user's id in the LMS: the score's userId
    lineitem_url: str | None
    lineitems_url: str | None
    scopes: tuple[str, ...]


def grade_targets(session: Session, user_id: int, target: str) -> list[GradeTarget]:
    """Every LMS link through which this user launched `target` (e.g. "check:m01") with a
    grade service endpoint: one score is sent to each."""
    rows = session.execute(
        select(UserLink, ResourceLink, Platform)
        .join(ResourceLink, ResourceLink.id == UserLink.resource_link_id)
        .join(Platform, Platform.id == ResourceLink.platform_id)
        .where(UserLink.user_id == user_id, ResourceLink.target == target)
        .order_by(ResourceLink.id)
    )
    return [
        GradeTarget(
            platform=endpoints(platform),
            deployment_id=link.deployment_id,
            resource_link_id=link.resource_link_id,
            subject=user_link.subject,
            lineitem_url=user_link.lineitem_url,
            lineitems_url=user_link.lineitems_url,
            scopes=tuple(user_link.ags_scopes or ()),
        )
        for user_link, link, platform in rows
        if user_link.lineitem_url or user_link.lineitems_url
    ]


@dataclass(frozen=True)
class RosterSource:
    """Where a cohort's LMS roster is read (Names and Role Provisioning Services)."""

    platform: PlatformEndpoints
    deployment_id: str
    context_id: str
    memberships_url: str


def roster_sources(session: Session, cohort_id: int) -> list[RosterSource]:
    rows = session.execute(
        select(LtiContext, Platform)
        .join(Platform, Platform.id == LtiContext.platform_id)
        .where(LtiContext.cohort_id == cohort_id, LtiContext.memberships_url.is_not(None))
    )
    return [
        RosterSource(
            platform=endpoints(platform),
            deployment_id=context.deployment_id,
            context_id=context.context_id,
            memberships_url=context.memberships_url or "",
        )
        for context, platform in rows
    ]
