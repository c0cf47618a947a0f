"""Content-Security-Policy for LTI pages: who may frame them, where their forms may post."""

from flask import Response, request

from ..security import content_security_policy
from ..state import db_session
from . import registrations

# Pages an LMS shows in its frame before a launch is verified (the session names no LMS yet):
# their refusals may be framed by any registered platform, so the reason is seen in the LMS.
_BEFORE_LAUNCH = {"coursekit.lti.login", "coursekit.lti.launch", "coursekit.lti.open_window"}


def content_policy(
    *, form_action: str | None = None, frame_ancestors: list[str] | None = None
) -> str:
    """CourseKit's policy with `form-action` widened to one origin, and/or `frame-ancestors`
    set to 'self' and the given origins."""
    ancestors = None if frame_ancestors is None else " ".join(["'self'", *frame_ancestors])
    return content_security_policy(ancestors=ancestors, form_action=form_action)


def policy_for(response: Response) -> Response:
    """After-request hook of the LTI blueprint (runs before CourseKit's own header hook,
    which only fills in a policy that is not set yet)."""
    if request.endpoint in _BEFORE_LAUNCH and response.status_code >= 400:
        origins = registrations.all_frame_origins(db_session())
        response.headers["Content-Security-Policy"] = content_policy(frame_ancestors=origins)
    return response
