"""Fixtures for the LTI tests: a running test LMS, and an app that has it registered."""

import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from tests.conftest import MINI_CONTENT
from tests.lti.flow import register
from tests.lti.platform import TestPlatform


@pytest.fixture
def platform() -> Iterator[TestPlatform]:
    with TestPlatform() as running:
        yield running


@pytest.fixture
def make_lti_app(make_app: Callable[..., Flask], platform: TestPlatform) -> Callable[..., Flask]:
    def factory(**settings: object) -> Flask:
        config = {
            "COURSEKIT_CONTENT_DIR": str(MINI_CONTENT),
            "COURSEKIT_LTI_JWKS_MIN_REFETCH_SECONDS": 0,
            **settings,
        }
        app = make_app(**config)
        register(app, platform)
        return app

    return factory


@pytest.fixture
def lti_app(make_lti_app: Callable[..., Flask]) -> Flask:
    return make_lti_app()


@pytest.fixture
def lti_client(lti_app: Flask) -> FlaskClient:
    return lti_app.test_client()


@pytest.fixture
def live_tool(lti_app: Flask, platform: TestPlatform) -> Iterator[str]:
    """The app on a real HTTP server on 127.0.0.1 (the LMS fetches its JWKS); the test LMS
    is told that this is where the tool is."""
    server = make_server("127.0.0.1", 0, lti_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    platform.tool_base = f"http://127.0.0.1:{server.port}"
    yield platform.tool_base
    server.shutdown()
    thread.join()
