"""Every CourseKit table, imported in one place for migrations and test set-up."""

from .auth.models import Identity, User
from .catalog.models import ContentVersion
from .certificates.models import Certificate
from .cohorts.models import Cohort, CohortInstructor, CohortMember
from .db import Base
from .learn.models import CheckAttempt, LessonProgress
from .lti.models import (
    Deployment,
    LtiContext,
    OneTimeValue,
    Platform,
    RegistrationToken,
    ResourceLink,
    ToolKey,
    UserLink,
)
from .orgs.models import Organisation
from .outbox.models import OutboxMessage
from .roleplay.models import RoleplayAttempt, RoleplayStep

__all__ = [
    "Base",
    "Certificate",
    "CheckAttempt",
    "Cohort",
    "CohortInstructor",
    "CohortMember",
    "ContentVersion",
    "Deployment",
    "Identity",
    "LessonProgress",
    "LtiContext",
    "OneTimeValue",
    "Organisation",
    "OutboxMessage",
    "Platform",
    "RegistrationToken",
    "ResourceLink",
    "RoleplayAttempt",
    "RoleplayStep",
    "ToolKey",
    "User",
    "UserLink",
]
