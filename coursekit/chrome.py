"""What every CourseKit page shares: the links in <head>, the header (brand, language switch,
navigation) and the footer, rendered once per combination of what they depend on and kept
per app.

They were most of a page's template work (a dozen url_for and gettext calls) yet depend only
on the language, what kind of learner is signed in, the app's settings and the script root.
The two values that differ per request, the CSRF token and the page's own path (where the
language switch comes back to), are rendered as holes and filled in at the end.
"""

from dataclasses import dataclass
from typing import Any

from flask import current_app, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .auth.models import User
from .state import get_state

TEMPLATE = "coursekit/_chrome.html"
# NUL never occurs in a rendered page (no template, translation or setting holds one).
CSRF_HOLE = "\x00coursekit-csrf\x00"
PATH_HOLE = "\x00coursekit-path\x00"
MAX_KEPT = 64  # the combinations in use are a handful; a bound in case a proxy varies the root


@dataclass(frozen=True)
class Chrome:
    head: Markup
    header: Markup
    footer: Markup


def page_chrome(lang: str, learner: User | None, context: dict[str, Any]) -> Chrome:
    """The shared parts for this request, `context` holding the page context's settings."""
    key = (
        lang,
        learner is not None,
        learner is not None and learner.is_instructor,
        learner is not None and learner.is_admin,
        request.script_root,
        context["organisation_name"],
        context["organisation_logo"],
        tuple(context["languages"]),
    )
    kept = get_state().chrome
    parts = kept.get(key)
    if parts is None or current_app.debug:  # templates change under a developer's hands
        parts = _render(context)
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[key] = parts
    here = request.full_path if request.method == "GET" else url_for("coursekit.site.index")
    token, path = generate_csrf(), str(escape(here))
    return Chrome(*(Markup(p.replace(CSRF_HOLE, token).replace(PATH_HOLE, path)) for p in parts))


def _render(context: dict[str, Any]) -> tuple[str, str, str]:
    template = current_app.jinja_env.get_template(TEMPLATE)
    macros = template.make_module(
        {**context, "csrf_token": lambda: CSRF_HOLE, "next_path": PATH_HOLE}
    )
    return str(macros.head()), str(macros.header()), str(macros.footer())  # type: ignore[attr-defined]
