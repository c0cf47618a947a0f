"""The LMS-facing endpoints: login initiation, launch, the tool's JWKS, the new-window link,
and the deep-linking picker. Thin: parse, call a service, respond."""

import logging

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh as refresh_locale

from ..auth.identity import current_learner
from ..auth.models import User
from ..auth.services import set_locale
from ..auth.signin import begin_session
from ..i18n import SESSION_KEY
from ..security import allow_framing_by, csrf, limiter
from ..signals import course_launched
from ..state import course, db_session, get_state
from ..web import refuse
from . import claims as c
from . import cookies, registrations
from .keys import published_keys
from .launch import (
    LaunchError,
    LoginRequest,
    VerifiedLaunch,
    begin_login,
    issue_open_link,
    spend_nonce,
    spend_open_link,
    verify_launch,
)
from .picker import DEEP_LINK_KEY
from .policy import policy_for
from .provisioning import apply_launch

log = logging.getLogger("coursekit.lti")
bp = Blueprint("lti", __name__, url_prefix="/lti")
bp.after_request(policy_for)


def _refused(what: str, error: LaunchError) -> Exception:
    log.warning("LTI %s refused (%d): %s", what, error.status, error)
    return refuse(error.status, _("Your LMS's request was refused: %(reason)s.", reason=str(error)))


def _own_sign_in(what: str) -> None:
    """A launch signs a CourseKit user in: impossible when the host app owns sign-in."""
    if get_state().host_login:
        reason = "this site signs people in through its host application, not through an LMS"
        raise _refused(what, LaunchError(reason, 403))


def target_url(target: str) -> str:
    """Where a target opens in CourseKit."""
    kind, ident = c.parse_target(target)
    if kind == "module":
        return url_for("coursekit.learn.lesson", module_id=ident)
    if kind == "check":
        return url_for("coursekit.learn.check", module_id=ident)
    if kind == "roleplay":
        return url_for("coursekit.roleplay.intro", scenario_id=ident)
    return url_for("coursekit.site.index")


@bp.route("/login", methods=["GET", "POST"])
# Per client address: a classroom behind one NAT launches at once, so the default is high.
@limiter.limit(lambda: current_app.config["COURSEKIT_LTI_LOGIN_LIMIT"])
def login() -> Response:
    """Third-party initiated login: answer with a redirect to the platform's authorisation
    endpoint, carrying a fresh state (also set as a cookie on this browser) and nonce."""
    _own_sign_in("login")
    values = request.values
    login_request = LoginRequest(
        issuer=values.get("iss", ""),
        login_hint=values.get("login_hint", ""),
        target_link_uri=values.get("target_link_uri", ""),
        lti_message_hint=values.get("lti_message_hint"),
        client_id=values.get("client_id"),
        deployment_id=values.get("lti_deployment_id"),
    )
    max_age = current_app.config["COURSEKIT_LTI_LOGIN_MAX_AGE"]
    try:
        start = begin_login(
            db_session(),
            login_request,
            redirect_uri=url_for(".launch", _external=True),
            max_age=max_age,
        )
    except LaunchError as error:
        raise _refused("login", error) from error
    response = redirect(start.redirect_url, code=302)
    cookies.set_state_cookie(response, start.state, url_for(".launch"), max_age)
    return response


@bp.post("/launch")
def launch() -> Response:
    """The platform's form post with the id_token: checked completely before anything else."""
    _own_sign_in("launch")
    if request.form.get("error"):
        error = LaunchError(
            f"the LMS did not sign you in ({request.form.get('error')}: "
            f"{request.form.get('error_description', '')})"
        )
        raise _refused("launch", error)
    state = request.form.get("state")
    try:
        verified = verify_launch(
            db_session(),
            id_token=request.form.get("id_token"),
            state=state,
            browser_state=cookies.browser_state(state),
            cache=current_app.extensions["coursekit_lti"].keysets,
            leeway=current_app.config["COURSEKIT_LTI_LEEWAY_SECONDS"],
        )
        spend_nonce(db_session(), verified.nonce_hash)
    except LaunchError as error:
        raise _refused("launch", error) from error
    landing = apply_launch(db_session(), verified.platform, verified.message, course())
    _sign_in(landing.user, verified)
    course_launched.send(
        landing.user.id,
        session=db_session(),
        course_id=course().id,
        launch_id=verified.nonce_hash,
    )
    message = verified.message
    log.info(
        "LTI %s: user %d (%s) from %s, deployment %r, to %s",
        message.message_type,
        landing.user.id,
        message.subject,
        verified.platform.issuer,
        message.deployment_id,
        landing.target,
    )
    if message.deep_link is not None:
        settings = message.deep_link
        session[DEEP_LINK_KEY] = {
            "platform_id": verified.platform.id,
            "deployment_id": message.deployment_id,
            "return_url": settings.return_url,
            "data": settings.data,
        }
        continue_url, open_url = url_for("coursekit.lti_picker.pick"), None
    else:
        continue_url = target_url(landing.target)
        value = issue_open_link(
            db_session(),
            landing.user.id,
            landing.target,
            current_app.config["COURSEKIT_LTI_OPEN_LINK_MAX_AGE"],
        )
        open_url = url_for(".open_window", value=value)
    page = render_template(
        "coursekit/lti/launched.html",
        user=landing.user,
        continue_url=continue_url,
        open_url=open_url,
    )
    response = make_response(page)
    if state:
        cookies.clear_state_cookie(response, state, url_for(".launch"))
    return response


def _sign_in(user: User, verified: VerifiedLaunch | None = None, lang: str | None = None) -> None:
    """A fresh session for the launched user (as a login does), marked as a launch session
    so its cookie works in the LMS frame, which may now frame CourseKit."""
    languages = current_app.config["COURSEKIT_LANGUAGES"]
    if verified is not None:
        lang = c.language(verified.message.locale, languages)
    begin_session(user, language=lang or session.get(SESSION_KEY))
    session[cookies.LTI_SESSION_KEY] = True
    g.pop("coursekit_learner", None)
    if lang:
        set_locale(db_session(), user.id, lang)
        user.locale = lang
    refresh_locale()
    if verified is not None:
        message = verified.message
        deep_link = message.deep_link.return_url if message.deep_link else None
        allow_framing_by(
            registrations.frame_origins(verified.platform, message.return_url, deep_link)
        )


@bp.get("/open/<value>")
def open_window(value: str) -> Response:
    """The new-window link: signs the launched user in at the same target, once."""
    _own_sign_in("new-window link")
    try:
        user_id, target = spend_open_link(db_session(), value)
    except LaunchError as error:
        raise _refused("new-window link", error) from error
    user = db_session().get(User, user_id)
    if user is None:
        raise refuse(404, _("This account no longer exists."))
    _sign_in(user, lang=user.locale)
    return redirect(target_url(target), code=303)


@bp.get("/session")
def session_check() -> Response:
    """Whether this browser is signed in here: the launch page asks, to tell a frame that
    keeps our cookie from one whose browser blocks it."""
    response = jsonify(signed_in=current_learner() is not None)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/jwks")
def jwks() -> Response:
    """The tool's public keys (current, and retired ones still in their overlap)."""
    response = jsonify(keys=published_keys(db_session()))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# Launches arrive as cross-site POSTs from the LMS: they cannot carry our CSRF token, and are
# proven instead by the signed id_token and the state cookie.
CROSS_SITE_POSTS = (login, launch)
for _view in CROSS_SITE_POSTS:
    csrf.exempt(_view)
