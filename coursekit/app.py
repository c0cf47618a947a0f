"""The standalone CourseKit app, configured from COURSEKIT_* environment variables."""

from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import config
from .extension import CourseKit
from .ops.logs import init_logging


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the standalone app; `test_config` replaces the environment (for tests)."""
    app = Flask("coursekit", instance_relative_config=True)
    app.config.update(
        SECRET_KEY=config.DEV_SECRET_KEY,
        COURSEKIT_URL_PREFIX="",
    )
    app.config.update(config.from_environment() if test_config is None else test_config)
    init_logging(app)
    CourseKit(app)
    return app
