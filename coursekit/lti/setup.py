"""Wiring the LTI tool into an app: its blueprints, per-app state and cookie handling."""

from dataclasses import dataclass

from flask import Blueprint, Flask, current_app
from flask.sessions import SecureCookieSessionInterface

from ..security import csrf
from .admin import bp as admin_bp
from .cookies import LaunchAwareSessionInterface
from .dynamic_views import bp as dynamic_bp
from .grades import init_grades
from .jwks import KeySetCache
from .picker import bp as picker_bp
from .roster_views import bp as roster_bp
from .views import CROSS_SITE_POSTS
from .views import bp as launch_bp

LTI_BLUEPRINTS: tuple[Blueprint, ...] = (launch_bp, picker_bp, dynamic_bp, admin_bp, roster_bp)


@dataclass
class LtiState:
    keysets: KeySetCache  # the platforms' public keys, per process


def init_lti(app: Flask) -> None:
    init_grades(app)
    app.extensions["coursekit_lti"] = LtiState(
        keysets=KeySetCache(
            ttl=app.config["COURSEKIT_LTI_JWKS_CACHE_SECONDS"],
            min_refetch=app.config["COURSEKIT_LTI_JWKS_MIN_REFETCH_SECONDS"],
            timeout=app.config["COURSEKIT_LTI_HTTP_TIMEOUT"],
        )
    )
    # Only Flask's own cookie session is taught to work in a frame; a host with another
    # session interface (server-side sessions) keeps its own cookie settings.
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = LaunchAwareSessionInterface()
    # A host whose CSRFProtect checks every route must let the LMS's cross-site POSTs in
    # (they carry their own proof: the signed id_token and the state cookie).
    host_csrf = app.extensions.get("csrf")
    if host_csrf is not None and host_csrf is not csrf:
        for view in CROSS_SITE_POSTS:
            host_csrf.exempt(view)


def lti_state() -> LtiState:
    return current_app.extensions["coursekit_lti"]
