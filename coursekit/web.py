"""The parent blueprint every CourseKit page hangs from, and what those pages share."""

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template, request
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, NotFound, default_exceptions

from . import paths
from .assets import AssetBlueprint, add_hash
from .auth.identity import current_learner
from .chrome import page_chrome
from .i18n import HTML_LANG, LANGUAGE_NAMES, template_gettext
from .ops import logs, metrics
from .security import add_security_headers, csrf
from .state import course, get_state

bp = AssetBlueprint(
    "coursekit",
    __name__,
    template_folder=str(paths.templates_dir()),
    static_folder=str(paths.static_dir()),
    static_url_path="/static",
)
bp.after_request(add_security_headers)
bp.url_defaults(add_hash)
# Request ids, access logs and latency metrics for every CourseKit request.
bp.before_request(logs.start_request)
bp.after_request(logs.finish_request)
bp.after_request(metrics.observe)


@bp.before_request
def _limit_request_size() -> None:
    # Per request (Flask 3.1), so a host's own limits stay the host's: a larger body is
    # refused with 413 before any of it is parsed.
    request.max_content_length = current_app.config["COURSEKIT_MAX_REQUEST_BYTES"]
    request.max_form_memory_size = current_app.config["COURSEKIT_MAX_REQUEST_BYTES"]


# The largest id any table holds (PostgreSQL's integer); a bigger number in a URL names nothing,
# and would overflow the database driver (a 500) if it reached a query.
MAX_ID = 2**31 - 1


@bp.before_request
def _ids_in_range() -> None:
    values = request.view_args or {}
    if any(isinstance(v, int) and v > MAX_ID for v in values.values()):
        current_app.logger.info("refused %s: a number in the URL is past any id", request.path)
        raise NotFound()


@bp.before_request
def _refuse_malformed_fields() -> None:
    # No browser sends these, and each was a 500: a multipart part without a name (a None key
    # in request.form, which Flask-WTF and our views take for a string), and a NUL character
    # (PostgreSQL cannot store one; its driver raises).
    fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
    fields += [(key, "") for key in request.files]
    fields += [("", v) for v in (request.view_args or {}).values() if isinstance(v, str)]
    if any(not isinstance(key, str) or "\x00" in key or "\x00" in value for key, value in fields):
        current_app.logger.info("refused %s: a nameless field or a NUL character", request.path)
        raise refuse(400, _("This request has a field or a character that cannot be accepted."))


@bp.before_request
def _protect_forms() -> None:
    # CourseKit checks CSRF on its own forms, whether or not the host checks its own.
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        # A no-op for GET, HEAD, OPTIONS and TRACE, and for views marked @csrf.exempt (a
        # cross-site POST from an LMS, checked by its own signed token instead).
        csrf.protect(apply_exemptions=True)


@bp.app_context_processor
def _page_context() -> dict[str, Any]:
    # Only CourseKit's own pages (a certificate rendered by a background job has no request).
    if not has_request_context() or not request.blueprints or request.blueprints[-1] != "coursekit":
        return {}
    config = current_app.config
    lang = str(get_locale() or config["COURSEKIT_DEFAULT_LANGUAGE"])
    learner = current_learner()
    context = {
        "learner": learner,
        "lang": lang,
        "html_lang": HTML_LANG.get(lang, lang),
        "languages": [
            (code, LANGUAGE_NAMES.get(code, code)) for code in config["COURSEKIT_LANGUAGES"]
        ],
        "course": course(),
        "organisation_name": config["COURSEKIT_ORGANISATION_NAME"],
        "organisation_logo": config["COURSEKIT_ORGANISATION_LOGO"],
        "host_login": get_state().host_login,
    }
    context.update(template_gettext(get_translations()))
    context["chrome"] = page_chrome(lang, learner, context)
    return context


_ERROR_TITLES = {
    400: lambda: _("This request could not be accepted"),
    403: lambda: _("You do not have access to this page"),
    404: lambda: _("Page not found"),
    405: lambda: _("This action is not allowed here"),
    409: lambda: _("Already done"),
    410: lambda: _("No longer available"),
    413: lambda: _("This is more than can be sent at once"),
    422: lambda: _("Please check what you entered"),
    429: lambda: _("Too many attempts"),
}


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):  # type: ignore[no-untyped-def]
    code = error.code or 500
    title = _ERROR_TITLES.get(code, lambda: error.name)()
    detail = error.description if getattr(error, "coursekit_message", False) else None
    if code == 429:
        detail = _("Please wait a minute before you try again.")
    if code == 413:
        detail = _(
            "Send at most %(size)s MB at a time.",
            size=f"{current_app.config['COURSEKIT_MAX_REQUEST_BYTES'] / 1_000_000:g}",
        )
    link = getattr(error, "coursekit_link", None)
    page = render_template("coursekit/error.html", title=title, detail=detail, code=code, link=link)
    return page, code


def refuse(code: int, message: str, link: tuple[str, str] | None = None) -> HTTPException:
    """An HTTP error whose message (already translated) is shown to the user, with an
    optional (url, text) link to where they can go on."""
    error = default_exceptions[code](description=message)
    error.coursekit_message = True  # type: ignore[attr-defined]
    error.coursekit_link = link  # type: ignore[attr-defined]
    return error


def safe_next_url(name: str = "next") -> str | None:
    """The named parameter if it is a path on this site, never another host."""
    target = request.values.get(name, "")
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return None
    if "\\" in target:
        return None
    return target
