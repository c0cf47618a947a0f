"""CSRF, login rate limits and the security headers on every CourseKit response."""

from collections.abc import Iterable

from flask import Flask, Response, current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
# One limiter for the process; its storage (memory, or Redis when COURSEKIT_REDIS_URL is set)
# comes from the app's config when the app is set up.
limiter = Limiter(key_func=get_remote_address, key_prefix="coursekit", strategy="moving-window")


def failed(response: Response) -> bool:
    """For limits that count only what went wrong: a refused login, an unknown join code."""
    return response.status_code >= 400


def login_account_key() -> str:
    """Rate-limit key for the account being tried, whatever address it is tried from; a
    browser that has signed in to that account before is counted on its own (auth/devices.py),
    so nobody can lock the owner out by guessing."""
    from .auth.devices import trusted_device

    email = request.form.get("email", "").strip().lower()
    device = trusted_device(email)
    return f"device:{device}" if device else f"account:{email}"


def init_security(app: Flask) -> None:
    if "csrf" not in app.extensions:
        # CourseKit's blueprint checks its own forms (web.py); the host's routes stay the
        # host's business.
        app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
        csrf.init_app(app)
    redis_url = app.config["COURSEKIT_REDIS_URL"]
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Explicit, because the limiter is one per process: left unset, an app would inherit
    # whatever the previous app set up in this process chose.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    # CourseKit sets only per-view limits (@limiter.limit), which the decorator itself checks.
    # The extension's app-wide hook exists for default and application limits, which we have
    # none of, yet it resolved the (empty) set of limits for every request, the host's too.
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # not there when limits are disabled
        hooks.remove(limiter._check_request_limit)


# The LMS origins that launched this browser (LTI or SCORM): its pages may frame ours.
FRAME_ORIGINS_KEY = "ck_frame_origins"
MAX_FRAME_ORIGINS = 4


def allow_framing_by(origins: Iterable[str]) -> None:
    """Let these origins (scheme://host[:port]) frame CourseKit for the rest of this browser
    session: called by a verified LMS launch, never from anything a user typed."""
    known = [o for o in session.get(FRAME_ORIGINS_KEY, []) if o not in origins]
    session[FRAME_ORIGINS_KEY] = (list(dict.fromkeys(origins)) + known)[:MAX_FRAME_ORIGINS]


def frame_ancestors(also: Iterable[str] = ()) -> str:
    """Who may frame this response: the configured sources, the LMSs that launched this
    browser, and `also` (the LMS page that posted a refused launch)."""
    configured = current_app.config["COURSEKIT_FRAME_ANCESTORS"]
    launched = [*session.get(FRAME_ORIGINS_KEY, []), *also]
    if not launched:
        return configured
    base = [] if configured.strip() == "'none'" else configured.split()
    return " ".join(dict.fromkeys(base + launched))


def content_security_policy(*, ancestors: str | None = None, form_action: str | None = None) -> str:
    """CourseKit's policy; `ancestors` replaces the sources of frame-ancestors (default:
    frame_ancestors()), `form_action` is one more origin forms may post to."""
    ancestors = frame_ancestors() if ancestors is None else ancestors
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: https:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            f"form-action 'self' {form_action}" if form_action else "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )


def add_security_headers(response: Response) -> Response:
    """Registered on CourseKit's blueprint, so a host's own pages keep their own policy."""
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure or current_app.config["COURSEKIT_PRODUCTION"]:
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    return response
