"""The course page (with the trainee's progress) and the language switch."""

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from ..auth.identity import current_learner
from ..auth.services import set_locale
from ..certificates import services as certificates
from ..cohorts import services as cohorts
from ..domain.completion import missing
from ..i18n import SESSION_KEY
from ..learn.services import progress
from ..state import course, db_session
from ..web import refuse, safe_next_url

bp = Blueprint("site", __name__)


@bp.get("/")
def index():
    learner = current_learner()
    if learner is None:
        return render_template("coursekit/site/index.html", progress=None)
    course_progress = progress(db_session(), learner.id, course())
    return render_template(
        "coursekit/site/index.html",
        progress=course_progress,
        certificate=certificates.of_trainee(db_session(), learner.id, course().id),
        missing=missing(course(), course_progress),
        invitations=cohorts.invitations_for(db_session(), learner),
    )


@bp.post("/language")
def language():
    lang = request.form.get("lang", "")
    if lang not in current_app.config["COURSEKIT_LANGUAGES"]:
        raise refuse(400, f"unknown language {lang!r}")
    session[SESSION_KEY] = lang
    learner = current_learner()
    if learner is not None:
        set_locale(db_session(), learner.id, lang)
    return redirect(safe_next_url() or url_for(".index"), code=303)
