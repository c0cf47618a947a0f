"""Statements into the outbox: where the site is, who the learner is to the LRS."""

import logging

from flask import current_app, has_app_context, has_request_context, url_for
from sqlalchemy.orm import Session

from ..auth.models import User
from ..domain.xapi import Learner, Site, pseudonym
from ..outbox import jobs
from ..outbox.services import NewMessage
from .sender import KIND

log = logging.getLogger("coursekit.xapi")


def enabled() -> bool:
    return (
        has_app_context()
        and "coursekit" in current_app.extensions
        and bool(current_app.config.get("COURSEKIT_XAPI_ENDPOINT"))
    )


def site() -> Site | None:
    """COURSEKIT_XAPI_SITE_URL, or this request's address of the course. Activity ids must
    not change, so a site reached under several names should set the setting."""
    url = current_app.config.get("COURSEKIT_XAPI_SITE_URL")
    if not url and has_request_context():
        url = url_for("coursekit.site.index", _external=True)
    return Site(str(url).rstrip("/")) if url else None


def learner(site: Site, user_id: int) -> Learner:
    """The learner as a pseudonymous account: keyed by COURSEKIT_XAPI_ACTOR_KEY (set it to
    keep the same names when the secret key changes), else by the secret key."""
    key = current_app.config.get("COURSEKIT_XAPI_ACTOR_KEY") or current_app.secret_key
    return Learner(site, pseudonym(str(key).encode(), user_id))


def enqueue_statements(session: Session, user_id: int, statements: list[dict]) -> int:
    """Queue the statements (in order, per learner) and start delivering them."""
    if not statements:
        return 0
    user = session.get(User, user_id)
    organisation_id = user.organisation_id if user is not None else None
    return jobs.queue_messages(
        session,
        [
            NewMessage(
                kind=KIND,
                ordering_key=f"xapi:{user_id}",
                payload=statement,
                idempotency_key=f"xapi:{statement['id']}",
                user_id=user_id,
                organisation_id=organisation_id,
            )
            for statement in statements
        ],
    )
