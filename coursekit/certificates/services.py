"""Certificate services: issue once when the course is complete, store the PDF, verify,
revoke and re-issue."""

import secrets
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer

from ..access import may_see_work_of
from ..auth.models import User
from ..db import utcnow, write_transaction
from ..domain.completion import is_complete
from ..domain.content import Course
from ..learn.services import progress
from ..signals import certificate_issued
from .models import Certificate

# 16 characters from the 31 unambiguous ones (no 0/O, 1/I/L): about 79 bits of randomness,
# printed as four groups of four so a person can type it.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16


class CertificateError(Exception):
    pass


class CertificateNotFound(CertificateError):
    pass


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def by_code(session: Session, code: str) -> Certificate | None:
    return session.scalar(select(Certificate).where(Certificate.code == normalise_code(code)))


def of_trainee(session: Session, user_id: int, course_id: str) -> Certificate | None:
    return session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id, Certificate.course_id == course_id
        )
    )


def issue_if_complete(
    session: Session, user_id: int, course: Course, *, bilingual: bool = False
) -> Certificate | None:
    """Issue the certificate the moment the completion rule is met; once, ever."""
    existing = of_trainee(session, user_id, course.id)
    if existing is not None:
        return existing
    if not is_complete(course, progress(session, user_id, course)):
        return None
    user = session.get(User, user_id)
    assert user is not None
    lang = user.locale if user.locale in ("zh", "en") else "en"
    certificate = Certificate(
        code=new_code(),
        user_id=user_id,
        organisation_id=user.organisation_id,
        course_id=course.id,
        name=user.name,
        language="zh+en" if bilingual else lang,
        hours=course.hours,
    )
    try:
        with write_transaction(session):
            if of_trainee(session, user_id, course.id) is not None:
                return of_trainee(session, user_id, course.id)
            session.add(certificate)
    except IntegrityError:  # issued by a concurrent request
        return of_trainee(session, user_id, course.id)
    certificate_issued.send(certificate, session=session)
    return certificate


def for_viewer(session: Session, code: str, viewer: User) -> Certificate:
    """The certificate if the viewer may download it: its owner, an instructor of one of the
    trainee's cohorts, or an admin. Others get "not found"."""
    certificate = by_code(session, code)
    if certificate is None or not may_see_work_of(session, viewer, certificate.user_id):
        raise CertificateNotFound(code)
    return certificate


def stored_pdf(
    session: Session, certificate: Certificate, render: Callable[[Certificate], bytes]
) -> bytes:
    """The PDF, rendered the first time (and after a re-issue) and stored; later downloads
    read the stored copy."""
    cert = session.scalar(
        select(Certificate)
        .options(undefer(Certificate.pdf))
        .where(Certificate.id == certificate.id)
    )
    assert cert is not None
    if cert.pdf is not None and cert.pdf_revision == cert.revision:
        return cert.pdf
    pdf = render(cert)
    with write_transaction(session):
        fresh = session.get(Certificate, cert.id)
        assert fresh is not None
        if fresh.revision == cert.revision:  # not re-issued meanwhile
            fresh.pdf, fresh.pdf_revision = pdf, cert.revision
    return pdf


def _managed(session: Session, code: str, actor: User) -> Certificate:
    certificate = by_code(session, code)
    if (
        certificate is None
        or not actor.is_instructor
        or not may_see_work_of(session, actor, certificate.user_id)
    ):
        raise CertificateNotFound(code)
    return certificate


def revoke(session: Session, code: str, actor: User, reason: str) -> Certificate:
    """Revoke with a reason (an instructor of the trainee's cohort, or an admin)."""
    reason = reason.strip()
    if not reason:
        raise CertificateError("a reason is required")
    with write_transaction(session):
        certificate = _managed(session, code, actor)
        certificate.revoked_at, certificate.revoked_by = utcnow(), actor.id
        certificate.revoke_reason = reason
        certificate.pdf, certificate.pdf_revision = None, None
    return certificate


def reissue(
    session: Session, code: str, actor: User, reason: str, name: str | None = None
) -> Certificate:
    """Issue again under the same number (a corrected name, or after a revocation): the
    stored PDF is dropped and rendered afresh, and who, when and why is recorded."""
    reason = reason.strip()
    if not reason:
        raise CertificateError("a reason is required")
    with write_transaction(session):
        certificate = _managed(session, code, actor)
        if name and name.strip():
            certificate.name = name.strip()
        certificate.revision += 1
        certificate.revoked_at = certificate.revoked_by = certificate.revoke_reason = None
        certificate.reissued_at, certificate.reissued_by = utcnow(), actor.id
        certificate.reissue_reason = reason
        certificate.pdf, certificate.pdf_revision = None, None
    return certificate
