"""Who is learning: CourseKit's own login, or the host app's user mapped to a learner."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, g
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user

from ..state import db_session, get_state
from .models import User
from .services import ExternalPerson, load_session_user, provision

F = TypeVar("F", bound=Callable[..., Any])


def current_learner() -> User | None:
    """The CourseKit user of this request, or None when nobody is signed in."""
    if "coursekit_learner" not in g:
        g.coursekit_learner = _resolve_learner()
    return g.coursekit_learner


def learner_key() -> str:
    """Rate-limit key: per CourseKit user where one is signed in (a room shares one address;
    the user's id, so signing in again starts no fresh count), else per address."""
    learner = current_learner()
    return f"user:{learner.id}" if learner is not None else get_remote_address()


def _resolve_learner() -> User | None:
    if current_user is None or not current_user.is_authenticated:
        return None
    if not get_state().host_login:
        return current_user._get_current_object()  # type: ignore[attr-defined]
    # The host owns login: its hook says who its user is, and we find or create ours.
    hook: Callable[[Any], ExternalPerson | None] | None = current_app.config[
        "COURSEKIT_HOST_IDENTITY"
    ]
    if hook is None:
        raise RuntimeError(
            "the host app has its own login manager: set COURSEKIT_HOST_IDENTITY to a function "
            "that turns its current_user into coursekit.auth.services.ExternalPerson"
        )
    person = hook(current_user)
    return provision(db_session(), person) if person is not None else None


def login_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_learner() is None:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def instructor_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        learner = current_learner()
        if learner is None:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        if not learner.is_instructor:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def admin_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        learner = current_learner()
        if learner is None:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        if not learner.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def init_login(app: Any) -> bool:
    """Set up Flask-Login unless the host already did; return True in host mode."""
    if hasattr(app, "login_manager"):
        return True
    manager = LoginManager()
    manager.login_view = "coursekit.auth.login"
    manager.login_message = None  # the login page explains itself
    manager.session_protection = "basic"
    manager.user_loader(lambda cookie_id: load_session_user(db_session(), cookie_id))
    manager.init_app(app)
    return False
