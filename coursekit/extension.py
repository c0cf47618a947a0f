"""CourseKit as a Flask extension: `CourseKit(app)` or `coursekit.init_app(app)`."""

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

from . import cli, config, paths
from .auth.identity import init_login
from .auth.views import bp as auth_bp
from .certificates import hooks as certificate_hooks
from .certificates.views import bp as certificates_bp
from .cohorts.views import bp as cohorts_bp
from .db import Database
from .domain.content import load_course
from .i18n import init_i18n
from .learn.views import bp as learn_bp
from .lti import grades as lti_grades
from .lti.sealed import SEALING_KEYS, parse_keys
from .lti.setup import LTI_BLUEPRINTS, init_lti
from .ops import metrics as ops_metrics
from .ops.health import bp as health_bp
from .ops.metrics import bp as metrics_bp
from .orgs.views import bp as orgs_bp
from .outbox.views import bp as outbox_bp
from .privacy.views import bp as privacy_bp
from .roleplay.views import bp as roleplay_bp
from .scorm.views import bp as scorm_bp
from .security import init_security
from .site.views import bp as site_bp
from .state import State, close_session
from .web import bp as parent_bp
from .xapi import hooks as xapi_hooks

_children = (site_bp, auth_bp, learn_bp, roleplay_bp, cohorts_bp, certificates_bp, orgs_bp)
for child in (*_children, scorm_bp, outbox_bp, privacy_bp, health_bp, metrics_bp):
    parent_bp.register_blueprint(child)
for child in LTI_BLUEPRINTS:
    parent_bp.register_blueprint(child)
certificate_hooks.connect()
xapi_hooks.connect()
lti_grades.connect()
ops_metrics.connect()


class CourseKit:
    """Mounts the course under COURSEKIT_URL_PREFIX in any Flask app. Keeps no app: per-app
    state lives in app.extensions["coursekit"]."""

    def __init__(self, app: Flask | None = None):
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        if "coursekit" in app.extensions:
            raise RuntimeError("CourseKit is already set up on this app")
        config.apply_defaults(app)
        config.check_production(app)
        # Invalid content stops the app here, with every problem listed (ContentError).
        course = load_course(app.config["COURSEKIT_CONTENT_DIR"])
        host_login = init_login(app)
        app.extensions["coursekit"] = State(
            db=Database(
                app.config["COURSEKIT_DATABASE_URL"],
                info={SEALING_KEYS: parse_keys(app.config["COURSEKIT_KEY_ENCRYPTION_KEYS"])},
            ),
            course=course,
            host_login=host_login,
        )
        app.teardown_appcontext(close_session)
        init_i18n(app)
        init_security(app)
        init_lti(app)
        app.register_blueprint(parent_bp, url_prefix=app.config["COURSEKIT_URL_PREFIX"] or None)
        _expose_original_templates(app)
        app.cli.add_command(cli.group)


def _expose_original_templates(app: Flask) -> None:
    """A host that overrides coursekit/base.html can still extend CourseKit's own copy as
    "coursekit-original/coursekit/base.html" (the host's own templates always come first)."""
    originals = PrefixLoader({"coursekit-original": FileSystemLoader(str(paths.templates_dir()))})
    app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader, originals])  # type: ignore[list-item]
