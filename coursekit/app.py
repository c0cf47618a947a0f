"""The standalone CourseKit app, configured from COURSEKIT_* environment variables."""

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_compress import Compress
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config
from .extension import CourseKit
from .ops.logs import init_logging


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the standalone app; `test_config` replaces the environment (for tests)."""
    # No app-level static route: the blueprint serves CourseKit's files under hashed names.
    app = Flask("coursekit", instance_relative_config=True, static_folder=None)
    app.config.update(
        SECRET_KEY=config.DEV_SECRET_KEY,
        COURSEKIT_URL_PREFIX="",
    )
    app.config.update(config.from_environment() if test_config is None else test_config)
    init_logging(app)
    CourseKit(app)
    init_compression(app)
    init_proxies(app)
    return app


def init_proxies(app: Flask) -> None:
    """Behind COURSEKIT_TRUSTED_PROXIES proxies, the client's address and scheme come from
    their X-Forwarded-For and X-Forwarded-Proto (a host app sets up its own middleware)."""
    hops = int(app.config.get("COURSEKIT_TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def init_compression(app: Flask) -> None:
    """Brotli or gzip for pages, stylesheets and scripts (PDFs and zips are compressed)."""
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        ["text/html", "text/css", "application/javascript", "text/javascript", "application/json"],
    )
    Compress(app)
