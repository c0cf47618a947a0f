"""Starting a signed-in session, the one way every login path does it (the login and
sign-up forms, an LTI launch, a SCORM launch): a fresh session against fixation, the
language choice kept, and a sign-in recorded on the server so that logout can end it."""

from flask import session
from flask_login import login_user

from ..i18n import SESSION_KEY
from ..state import db_session
from . import services
from .models import User


def begin_session(user: User, *, remember: bool = False, language: str | None = None) -> None:
    kept = language or session.get(SESSION_KEY)
    session.clear()
    if kept:
        session[SESSION_KEY] = kept
    services.start_sign_in(db_session(), user)
    login_user(user, remember=remember)
