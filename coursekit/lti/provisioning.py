"""What a verified launch means: the user (found or made by issuer + subject), the LMS
course as a cohort with its roles, and the resource link with its grade endpoints."""

import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth.models import Identity, Role, User
from ..auth.services import ExternalPerson, find_by_email, normalise_email, provision
from ..cohorts.models import Cohort, CohortInstructor, CohortMember
from ..db import utcnow, write_transaction
from ..domain.content import Course
from ..orgs.models import DEFAULT_ORGANISATION_ID
from . import claims as c
from .deep_linking import exists
from .models import LtiContext, Platform, ResourceLink, UserLink

log = logging.getLogger("coursekit.lti")

SYNTHETIC_EMAIL_DOMAIN = "lti.invalid"  # RFC 2606: can never be a real mailbox


@dataclass(frozen=True)
class Landing:
    user: User
    cohort_id: int | None
    target: str  # "course", "module:<id>", "check:<id>" or "roleplay:<id>"


def synthetic_email(issuer: str, subject: str) -> str:
    """A stable, unique placeholder for a user whose LMS sends no email (or one we must not
    link): CourseKit needs a unique address per account and sends no mail."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:24]
    return f"lti-{digest}@{SYNTHETIC_EMAIL_DOMAIN}"


def _plausible_email(email: str | None) -> str | None:
    if not email:
        return None
    email = normalise_email(email)
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or " " in email:
        return None
    return email


def _linkable(session: Session, user: User) -> bool:
    """Whether an LMS's word is enough to sign in as this existing account: only an account
    made from a roster (no password, a trainee, no other system signs it in). An LMS that
    could name any address would otherwise take over an admin's account."""
    if user.password_hash is not None or user.role != Role.TRAINEE:
        return False
    return session.scalar(select(Identity.id).where(Identity.user_id == user.id).limit(1)) is None


def find_or_make_user(session: Session, platform: Platform, message: c.LaunchMessage) -> User:
    known = session.scalar(
        select(User)
        .join(Identity, Identity.user_id == User.id)
        .where(Identity.issuer == platform.issuer, Identity.subject == message.subject)
    )
    if known is not None:
        return known
    email = _plausible_email(message.email)
    existing = find_by_email(session, email) if email else None
    foreign = existing is not None and existing.organisation_id not in (
        platform.organisation_id,
        DEFAULT_ORGANISATION_ID,
    )  # never across organisations: another organisation's LMS names its own people only
    if email is None or (existing is not None and (foreign or not _linkable(session, existing))):
        if existing is not None:
            log.info("LTI: %s is an account the LMS may not sign in as; making a new one", email)
        email, existing = synthetic_email(platform.issuer, message.subject), None
    role = Role.INSTRUCTOR if message.is_instructor else Role.TRAINEE
    name = message.name or (message.email or "").split("@")[0] or "LMS user"
    user = provision(session, ExternalPerson(platform.issuer, message.subject, email, name, role))
    if existing is None and user.organisation_id != platform.organisation_id:
        with write_transaction(session):
            user.organisation_id = platform.organisation_id
    return user


def apply_launch(
    session: Session, platform: Platform, message: c.LaunchMessage, course: Course
) -> Landing:
    """Provision the user, then record the context, roles and link in one transaction."""
    user = find_or_make_user(session, platform, message)
    target = _target(message, course)
    for attempt in range(2):
        try:
            with write_transaction(session):
                _refresh_user(user, message)
                context = _context(session, platform, message, user, course)
                if message.message_type == c.RESOURCE_LINK_REQUEST:
                    _resource_link(session, platform, message, user, context, target)
            break
        except IntegrityError:  # a concurrent first launch made the same rows: use them
            if attempt:
                raise
    return Landing(user=user, cohort_id=context.cohort_id if context else None, target=target)


def _target(message: c.LaunchMessage, course: Course) -> str:
    target = c.target_of(message)
    if target is None:
        return "course"
    if not exists(course, target):
        log.warning("LTI: launch asks for %r, which the course does not have", target)
        return "course"
    return target


def _refresh_user(user: User, message: c.LaunchMessage) -> None:
    if message.name and message.name != user.name:
        user.name = message.name[:200]
    # The LMS may make a trainee an instructor; it never demotes anyone, nor makes an admin.
    if message.is_instructor and user.role == Role.TRAINEE:
        user.role = Role.INSTRUCTOR


def _context(
    session: Session, platform: Platform, message: c.LaunchMessage, user: User, course: Course
) -> LtiContext | None:
    if message.context_id is None:
        return None
    context = session.scalar(
        select(LtiContext).where(
            LtiContext.platform_id == platform.id,
            LtiContext.deployment_id == message.deployment_id,
            LtiContext.context_id == message.context_id,
        )
    )
    if context is None:
        cohort = Cohort(
            organisation_id=platform.organisation_id,
            course_id=course.id,
            name=(message.context_title or f"{platform.name} {message.context_id}")[:200],
            join_code=None,  # trainees arrive through the LMS
            created_by=user.id if message.is_instructor else None,
        )
        session.add(cohort)
        session.flush()
        context = LtiContext(
            platform_id=platform.id,
            deployment_id=message.deployment_id,
            context_id=message.context_id,
            cohort_id=cohort.id,
        )
        session.add(context)
    context.title = message.context_title or context.title
    context.memberships_url = message.memberships_url or context.memberships_url
    context.updated_at = utcnow()
    session.flush()
    if message.is_instructor:
        if session.get(CohortInstructor, (context.cohort_id, user.id)) is None:
            session.add(CohortInstructor(cohort_id=context.cohort_id, user_id=user.id))
    elif message.is_learner and session.get(CohortMember, (context.cohort_id, user.id)) is None:
        session.add(CohortMember(cohort_id=context.cohort_id, user_id=user.id))
    return context


def _resource_link(
    session: Session,
    platform: Platform,
    message: c.LaunchMessage,
    user: User,
    context: LtiContext | None,
    target: str,
) -> None:
    assert message.resource_link_id is not None
    link = session.scalar(
        select(ResourceLink).where(
            ResourceLink.platform_id == platform.id,
            ResourceLink.deployment_id == message.deployment_id,
            ResourceLink.resource_link_id == message.resource_link_id,
        )
    )
    if link is None:
        link = ResourceLink(
            platform_id=platform.id,
            deployment_id=message.deployment_id,
            resource_link_id=message.resource_link_id,
            ags_scopes=[],
        )
        session.add(link)
    grades = message.grades
    link.context_id = context.id if context else link.context_id
    link.title = message.resource_link_title or link.title
    link.target = target
    if grades is not None:
        link.lineitem_url, link.lineitems_url = grades.lineitem, grades.lineitems
        link.ags_scopes = list(grades.scopes)
    link.updated_at = utcnow()
    session.flush()
    user_link = session.get(UserLink, (link.id, user.id))
    if user_link is None:
        user_link = UserLink(resource_link_id=link.id, user_id=user.id, subject=message.subject)
        session.add(user_link)
    user_link.subject = message.subject
    user_link.lineitem_url = grades.lineitem if grades else None
    user_link.lineitems_url = grades.lineitems if grades else None
    user_link.ags_scopes = list(grades.scopes) if grades else []
    user_link.last_launch_at = utcnow()
