"""A cohort's certificates as one zip: built inline, or as a background job on RQ when Redis
is configured (RQ: a small, Redis-only queue whose worker is one command; Celery's broker
choice and beat scheduler are more than a zip of PDFs needs)."""

import io
import zipfile
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..cohorts.models import CohortMember
from ..domain.content import Course
from . import services
from .models import Certificate
from .render import organisation_pdf

QUEUE = "coursekit"


def cohort_certificates(session: Session, cohort_id: int, course_id: str) -> list[Certificate]:
    return list(
        session.scalars(
            select(Certificate)
            .join(CohortMember, CohortMember.user_id == Certificate.user_id)
            .where(
                CohortMember.cohort_id == cohort_id,
                Certificate.course_id == course_id,
                Certificate.revoked_at.is_(None),
            )
            .order_by(Certificate.name, Certificate.id)
        )
    )


def render_all(
    session: Session,
    course: Course,
    cohort_id: int,
    verify_base: str,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> list[tuple[Certificate, bytes]]:
    """Every valid certificate of the cohort's trainees with its PDF (stored PDFs reused,
    missing ones rendered and stored), reporting progress as it goes."""
    certs = cohort_certificates(session, cohort_id, course.id)
    pdfs = []
    for done, cert in enumerate(certs, start=1):
        pdf = services.stored_pdf(
            session, cert, lambda c: organisation_pdf(session, c, course, f"{verify_base}/{c.code}")
        )
        pdfs.append((cert, pdf))
        progress(done, len(certs))
    return pdfs


def build_zip(session: Session, course: Course, cohort_id: int, verify_base: str) -> bytes:
    buffer = io.BytesIO()
    # PDFs are compressed already: stored as they are, the zip is built in a blink.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for cert, pdf in render_all(session, course, cohort_id, verify_base):
            archive.writestr(f"{cert.name} {cert.code}.pdf", pdf)
    return buffer.getvalue()


def run_batch(cohort_id: int, verify_base: str) -> int:
    """The RQ job: render and store every missing PDF; progress goes into the job's meta.
    The zip itself is built from the stored PDFs when downloaded, so any app instance can
    serve it and nothing lives on one machine's disk."""
    from rq import get_current_job

    from ..state import get_state

    job = get_current_job()
    state = get_state()

    def progress(done: int, total: int) -> None:
        if job is not None:
            job.meta.update(done=done, total=total)
            job.save_meta()

    session = state.db.sessionmaker()
    try:
        return len(render_all(session, state.course, cohort_id, verify_base, progress))
    finally:
        session.close()
