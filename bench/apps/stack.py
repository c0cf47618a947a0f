"""CourseKit's per-request machinery around the baselines' page: the lesson's URL served by
the production app, with all its hooks (CSRF check, signed session and Flask-Login through
CourseKit's user loader, request id, JSON access line, latency histogram, security headers,
compression), but a view that renders the baselines' page for the signed-in trainee as
login.py does. What it costs over login.py is what CourseKit adds to every page before the
page's own work. gunicorn runs it as "stack:create()"."""

from pathlib import Path

from common import ITEMS
from flask import Flask

LESSON_ENDPOINT = "coursekit.learn.lesson"


def serve_baseline_page(app: Flask) -> Flask:
    from coursekit.auth.identity import current_learner, login_required

    page = app.jinja_env.from_string((Path(__file__).parent / "templates/page.html").read_text())

    @login_required
    def view(module_id: str) -> str:
        return page.render(title="CourseKit's stack", items=ITEMS, user=current_learner())

    app.view_functions[LESSON_ENDPOINT] = view
    return app


def create() -> Flask:
    from coursekit import create_app

    return serve_baseline_page(create_app())
