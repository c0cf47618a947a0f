"""Per-app state in app.extensions["coursekit"], and the request's database session."""

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g
from sqlalchemy.orm import Session

from .db import Database
from .domain.content import Course


@dataclass
class State:
    db: Database
    course: Course
    host_login: bool  # True when the host app owns login (Flask-Login set up before us)
    chrome: dict[tuple, Any] = field(default_factory=dict)  # rendered page parts (chrome.py)
    job_queue: Any = None  # the RQ queue, made on first use (jobqueue.py)


def get_state() -> State:
    return current_app.extensions["coursekit"]


def course() -> Course:
    return get_state().course


def db_session() -> Session:
    """The request's session, opened on first use and closed at the end of the request."""
    if "coursekit_session" not in g:
        g.coursekit_session = get_state().db.sessionmaker()
    return g.coursekit_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("coursekit_session", None)
    if session is not None:
        session.close()
