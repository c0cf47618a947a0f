"""Interface languages: Flask-Babel set up with CourseKit's catalogue and locale choice."""

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from babel.support import NullTranslations
from flask import Flask, current_app, request, session
from flask_babel import Babel
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from . import paths

SESSION_KEY = "coursekit_lang"
LANGUAGE_NAMES = {"zh": "简体中文", "en": "English"}
HTML_LANG = {"zh": "zh-Hans", "en": "en"}


def select_locale() -> str:
    """The user's saved choice, then this browser's choice, then Accept-Language."""
    from .auth.identity import current_learner  # late: identity needs the app set up

    languages = current_app.config["COURSEKIT_LANGUAGES"]
    learner = current_learner()
    if learner is not None and learner.locale in languages:
        return learner.locale
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages)
        or current_app.config["COURSEKIT_DEFAULT_LANGUAGE"]
    )


def init_i18n(app: Flask) -> None:
    """Use the host's Flask-Babel if it has one (adding our catalogue), else set it up."""
    if "babel" not in app.extensions:
        Babel().init_app(app, locale_selector=select_locale)
    app.extensions["babel"].translation_directories.append(str(paths.translations_dir()))


@lru_cache(maxsize=16)
def template_gettext(translations: NullTranslations) -> dict[str, Callable[..., Any]]:
    """`gettext` and `ngettext` for CourseKit's templates, bound to one catalogue. The page
    context supplies them in place of Flask-Babel's, which look up the request's locale and
    catalogue again on every call (a dozen or more per page); they behave like Jinja's
    "newstyle" gettext: escaped under autoescape, always %-formatted with their keywords."""

    @pass_context
    def gettext(context: Context, string: str, **variables: Any) -> str:
        text = translations.ugettext(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, n: int, **variables: Any) -> str:
        variables.setdefault("num", n)
        text = translations.ungettext(singular, plural, n)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return {"gettext": gettext, "ngettext": ngettext}
