"""The hosted side of a SCORM package: the launch it posts to, the player page the LMS frames,
and the status the player passes on to the package."""

import time

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from ..auth.identity import current_learner
from ..auth.signin import begin_session
from ..i18n import SESSION_KEY
from ..lti.cookies import LTI_SESSION_KEY
from ..security import (
    allow_framing_by,
    content_security_policy,
    csrf,
    frame_ancestors,
    limiter,
)
from ..state import course, db_session, get_state
from . import services
from .dispatch import Dispatch, DispatchError, normalise_origin, read

bp = Blueprint("scorm", __name__, url_prefix="/scorm")

# What the signed-in browser was launched for: the course or module, and the package
# page's origin, the only one the player posts status messages to.
SCOPE_KEY = "ck_scorm"


# Each refusal: its status code and the message the learner sees in the LMS's frame.
_REFUSALS = {
    "host": (404, lambda: _("Course packages cannot sign learners in here.")),
    "expired": (
        403,
        lambda: _("This course package has expired. Ask your LMS administrator for a new one."),
    ),
    "revoked": (
        403,
        lambda: _("This course package was withdrawn. Ask your LMS administrator for a new one."),
    ),
    "invalid": (400, lambda: _("This course package is damaged or was not made by this site.")),
    "origin": (403, lambda: _("This course package may not be opened from this website.")),
    "unknown": (
        404,
        lambda: _("This course package is for a course or module this site does not offer."),
    ),
    "learner": (
        400,
        lambda: _("Your learning platform did not say who you are, so the course cannot open."),
    ),
    "scope": (403, lambda: _("Please open this course from your learning platform (LMS) again.")),
}


def _refusal(reason: str, detail: str = ""):  # type: ignore[no-untyped-def]
    """A 4xx page the LMS's frame can show (the page that posted to us may frame the
    refusal, nothing else), and a log line for the administrator."""
    code, message = _REFUSALS[reason]
    origin = normalise_origin(request.headers.get("Origin", ""))
    current_app.logger.warning(
        "SCORM %s refused (%s%s), origin %s", request.endpoint, reason, detail, origin
    )
    page = render_template(
        "coursekit/error.html", title=_("This course cannot be opened"), detail=message(), code=code
    )
    response = current_app.make_response((page, code))
    if origin:
        response.headers["Content-Security-Policy"] = content_security_policy(
            ancestors=frame_ancestors(also=[origin])
        )
    return response


def _verified_dispatch() -> Dispatch | str:
    """The launch's dispatch, or the reason to refuse it."""
    config = current_app.config
    keys = [*(config.get("SECRET_KEY_FALLBACKS") or ()), current_app.secret_key]
    try:
        return read(
            keys,
            request.form.get("credential", ""),
            now=time.time(),
            revoked=config["COURSEKIT_SCORM_REVOKED_PACKAGES"],
        )
    except DispatchError as error:
        return error.reason


@bp.post("/launch")
@limiter.limit("120 per minute")
@csrf.exempt  # a cross-site POST from the LMS's page: the signed credential protects it
def launch():
    if get_state().host_login:
        return _refusal("host")
    dispatch = _verified_dispatch()
    if not isinstance(dispatch, Dispatch):
        return _refusal(dispatch)
    origin = normalise_origin(request.headers.get("Origin", ""))
    if origin is None or origin not in dispatch.origins:
        return _refusal("origin", f": allowed {', '.join(dispatch.origins)}")
    module_id = dispatch.module_id
    if dispatch.course_id != course().id or (
        module_id is not None and course().module(module_id) is None
    ):
        return _refusal("unknown", f": {dispatch.course_id}/{module_id}")
    language = _language(request.form.get("language", ""))
    try:
        user = services.launch(
            db_session(),
            dispatch,
            request.form.get("learner_id", ""),
            request.form.get("learner_name", ""),
            locale=language,
        )
    except services.LaunchError as error:
        return _refusal("learner", f": {error}")
    # A fresh session for the learner (as at any login); a language choice survives.
    begin_session(user, language=session.get(SESSION_KEY) or language)
    # The package page and the LMS around it may frame us; the player frames our own pages.
    allow_framing_by(["'self'", *dispatch.origins])
    # Our cookies are third-party in the LMS's frame: the LTI tool's session interface makes
    # this browser's session cookie SameSite=None; Secure; Partitioned over https.
    session[LTI_SESSION_KEY] = True
    session[SCOPE_KEY] = {
        "course": dispatch.course_id,
        "module": module_id,
        "origin": origin,
        "package": dispatch.package_id,
    }
    current_app.logger.info(
        "SCORM launch of package %s: %s learner as user %s",
        dispatch.package_id,
        dispatch.issuer,
        user.id,
    )
    return redirect(url_for(".player"), code=303)


@bp.record_once
def _exempt_from_host_csrf(state) -> None:  # type: ignore[no-untyped-def]
    # A host whose own CSRFProtect checks every route must let the package's launch in too.
    host_csrf = state.app.extensions.get("csrf")
    if host_csrf is not None and host_csrf is not csrf:
        host_csrf.exempt(launch)


def _language(value: str) -> str | None:
    """The LMS's language preference ("zh-CN", "en_GB") if CourseKit offers it."""
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in current_app.config["COURSEKIT_LANGUAGES"] else None


def _scope() -> dict | None:
    scope = session.get(SCOPE_KEY)
    if (
        current_learner() is None
        or not isinstance(scope, dict)
        or scope.get("course") != course().id
    ):
        return None
    return scope


@bp.get("/player")
def player():
    scope = _scope()
    if scope is None:
        return _refusal("scope")
    module_id = scope["module"]
    if module_id is None:
        start, title = url_for("coursekit.site.index"), course().title
    else:
        module = course().module(module_id)
        if module is None:
            return _refusal("unknown", f": module {module_id}")
        start, title = url_for("coursekit.learn.lesson", module_id=module_id), module.title
    return render_template(
        "coursekit/scorm/player.html", start=start, title=title, target_origin=scope["origin"]
    )


@bp.get("/status")
def status():
    scope = _scope()
    if scope is None:
        current_app.logger.warning("SCORM status refused: this browser was not launched")
        response = jsonify(error="not launched from a SCORM package")
        response.status_code = 403
        return response
    learner = current_learner()
    assert learner is not None
    result = services.status(db_session(), learner.id, course(), scope["module"])
    response = jsonify(result.as_json())
    response.headers["Cache-Control"] = "no-store"
    return response
