"""Issue a certificate as soon as a trainee's work completes the course, however the last
requirement was met (the web, the CLI, later an LMS launch): every service that changes
progress sends `progress_changed`."""

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from ..signals import progress_changed
from ..state import get_state
from .services import issue_if_complete


def _on_progress(user_id: int, *, session: Session, course_id: str) -> None:
    if not has_app_context() or "coursekit" not in current_app.extensions:
        return
    course = get_state().course
    if course.id == course_id:
        issue_if_complete(
            session,
            user_id,
            course,
            bilingual=current_app.config["COURSEKIT_CERTIFICATE_BILINGUAL"],
        )


def connect() -> None:
    progress_changed.connect(_on_progress)
