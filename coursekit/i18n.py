"""Interface languages: Flask-Babel set up with CourseKit's catalogue and locale choice."""

from flask import Flask, current_app, request, session
from flask_babel import Babel

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
