"""A cohort's certificates as one zip: built inline, or as a background job on RQ when Redis
is configured (RQ: a small, Redis-only queue whose worker is one command; Celery's broker
choice and beat scheduler are more than a zip of PDFs needs)."""

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from flask import current_app
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


def build_zip(
    session: Session,
    course: Course,
    cohort_id: int,
    verify_base: str,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> bytes:
    """Every valid certificate of the cohort's trainees (stored PDFs reused, missing ones
    rendered and stored), reporting progress as it goes."""
    certs = cohort_certificates(session, cohort_id, course.id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, cert in enumerate(certs, start=1):
            pdf = services.stored_pdf(
                session,
                cert,
                lambda c: organisation_pdf(session, c, course, f"{verify_base}/{c.code}"),
            )
            archive.writestr(f"{cert.name} {cert.code}.pdf", pdf)
            progress(done, len(certs))
    return buffer.getvalue()


def batch_folder() -> Path:
    folder = Path(current_app.instance_path) / "certificate-batches"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_batch(cohort_id: int, verify_base: str) -> str:
    """The RQ job: build the zip into the batch folder; progress goes into the job's meta."""
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
        data = build_zip(session, state.course, cohort_id, verify_base, progress)
    finally:
        session.close()
    name = f"{job.id if job else 'inline'}.zip"
    (batch_folder() / name).write_bytes(data)
    return name
