"""The dynamic registration URL an LMS administrator pastes into the LMS."""

import logging

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext as _

from ..security import limiter
from ..state import db_session
from ..web import refuse
from . import dynamic, registrations
from .policy import content_policy

log = logging.getLogger("coursekit.lti")
bp = Blueprint("lti_dynamic", __name__, url_prefix="/lti")


def tool_urls() -> dynamic.ToolUrls:
    return dynamic.ToolUrls(
        name=current_app.config["COURSEKIT_ORGANISATION_NAME"],
        login_url=url_for("coursekit.lti.login", _external=True),
        launch_url=url_for("coursekit.lti.launch", _external=True),
        jwks_url=url_for("coursekit.lti.jwks", _external=True),
        description=_("The training course, with its knowledge checks and role-plays."),
    )


@bp.get("/register/<token>")
@limiter.limit("30 per minute")
def register(token: str) -> str:
    """Called by the LMS (in its frame) with openid_configuration and registration_token."""
    try:
        platform = dynamic.register(
            db_session(),
            token=token,
            openid_configuration=request.args.get("openid_configuration"),
            registration_token=request.args.get("registration_token"),
            tool=tool_urls(),
            timeout=current_app.config["COURSEKIT_LTI_HTTP_TIMEOUT"],
            loopback_http=not current_app.config["COURSEKIT_PRODUCTION"],
        )
    except dynamic.RegistrationFailed as error:
        log.warning("LTI dynamic registration refused (%d): %s", error.status, error)
        raise refuse(
            error.status, _("The registration with your LMS failed: %(reason)s.", reason=str(error))
        ) from error
    return render_template(
        "coursekit/lti/registered.html",
        platform=platform,
        lms_origin=_lms_origin() or "*",
    )


@bp.get("/canvas.json")
def canvas_configuration():  # type: ignore[no-untyped-def]
    """A Canvas developer-key configuration ("Enter URL"): launch, deep linking from the
    link and assignment pickers, the grade and roster scopes, names and emails."""
    tool = tool_urls()
    placements = [
        {
            "placement": p,
            "message_type": "LtiDeepLinkingRequest",
            "target_link_uri": tool.launch_url,
        }
        for p in ("link_selection", "assignment_selection")
    ]
    return {
        "title": tool.name,
        "description": tool.description,
        "oidc_initiation_url": tool.login_url,
        "target_link_uri": tool.launch_url,
        "public_jwk_url": tool.jwks_url,
        "scopes": list(dynamic.SCOPES),
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "privacy_level": "public",
                "settings": {"placements": placements},
            }
        ],
        "custom_fields": {},
    }


def _lms_origin() -> str | None:
    url = request.args.get("openid_configuration")
    return registrations.origin(url) if url else None


@bp.after_request
def _framed_by_the_lms(response: Response) -> Response:
    # The LMS shows this page (or its refusal) in its own frame.
    origin = _lms_origin()
    if request.endpoint == "coursekit.lti_dynamic.register" and origin:
        response.headers["Content-Security-Policy"] = content_policy(frame_ancestors=[origin])
    return response
