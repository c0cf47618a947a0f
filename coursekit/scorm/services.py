"""SCORM services: the learner behind a launch, and the status reported for them."""

import hashlib
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.models import User
from ..auth.services import ExternalPerson, provision
from ..db import write_transaction
from ..domain.content import Course
from ..learn.services import progress
from ..orgs.models import DEFAULT_ORGANISATION_ID, Organisation
from .dispatch import Dispatch
from .status import ScormStatus, course_status, module_status

MAX_LEARNER_ID = 255  # SCORM's CMIIdentifier (1.2) and Identity.subject
MAX_NAME = 200  # User.name
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


class LaunchError(Exception):
    """A launch refused for a reason the LMS administrator can act on."""


def learner_email(issuer: str, subject: str) -> str:
    """A placeholder address unique to one LMS learner: SCORM gives no email, and a real
    address must never link an LMS learner to somebody else's account."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:32]
    return f"scorm-{digest}@scorm.invalid"


def display_name(lms_name: str) -> str:
    """SCORM LMSs send "Family, Given": "Lovelace, Ada" becomes "Ada Lovelace", and
    "王, 丽" becomes "王丽" (CJK names keep the family name first, without a space)."""
    name = " ".join(_CONTROL.sub(" ", lms_name).split())[:MAX_NAME]
    family, comma, given = name.partition(",")
    family, given = family.strip(), given.strip()
    if not comma or not family or not given or "," in given:
        return name
    if _CJK.search(family) and _CJK.search(given):
        return family + given
    return f"{given} {family}"


def launch(
    session: Session,
    dispatch: Dispatch,
    learner_id: str,
    learner_name: str,
    *,
    locale: str | None = None,
) -> User:
    """Find or create the dispatch's learner (named and placed in the dispatch's organisation
    as the LMS says) and return them. Nothing is written when the launch is refused."""
    learner_id = learner_id.strip()
    if not learner_id or len(learner_id) > MAX_LEARNER_ID or _CONTROL.search(learner_id):
        raise LaunchError("the LMS sent no usable learner id")
    if session.get(Organisation, dispatch.organisation_id) is None:
        raise LaunchError("the package's organisation no longer exists")
    name = display_name(learner_name) or learner_id[:MAX_NAME]
    person = ExternalPerson(
        issuer=dispatch.issuer,
        subject=learner_id,
        email=learner_email(dispatch.issuer, learner_id),
        name=name,
    )
    user_id = provision(session, person).id
    with write_transaction(session):
        user = session.get(User, user_id)
        assert user is not None
        if user.organisation_id != dispatch.organisation_id:
            user.organisation_id = dispatch.organisation_id
        if learner_name.strip() and user.name != name:  # the LMS is the source of the name
            user.name = name
        if user.locale is None and locale:
            user.locale = locale
    return user


def status(session: Session, user_id: int, course: Course, module_id: str | None) -> ScormStatus:
    """What the package reports for this learner: the whole course, or one module."""
    learner_progress = progress(session, user_id, course)
    if module_id is None:
        return course_status(course, learner_progress)
    return module_status(learner_progress, module_id)


def organisation(session: Session, slug: str | None) -> Organisation | None:
    """The organisation with this slug; the default organisation when slug is None."""
    if slug is None:
        return session.get(Organisation, DEFAULT_ORGANISATION_ID)
    return session.scalar(select(Organisation).where(Organisation.slug == slug))
