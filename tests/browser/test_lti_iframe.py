"""An LMS course page frames CourseKit: the launch runs inside the iframe, cross-site, and
lands signed in on the linked module. The test LMS is http://127.0.0.1; CourseKit is served
over https (a throwaway self-signed certificate) at https://localhost, another site, so its
cookies must be Secure; SameSite=None; Partitioned to be kept inside the frame."""

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from coursekit.auth.models import User
from coursekit.cohorts.models import Cohort
from tests.conftest import MINI_CONTENT
from tests.lti.flow import register
from tests.lti.platform import LTI, TestPlatform

pytestmark = pytest.mark.browser


@pytest.fixture
def framed(make_app) -> Iterator[tuple[Flask, TestPlatform, str]]:  # type: ignore[no-untyped-def]
    app = make_app(COURSEKIT_CONTENT_DIR=str(MINI_CONTENT))
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context="adhoc")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    tool = f"https://localhost:{server.port}"
    with TestPlatform(tool_base=tool) as platform:
        register(app, platform)
        yield app, platform, tool
    server.shutdown()
    thread.join()


def test_a_launch_inside_the_lms_frame_lands_signed_in(framed, browser) -> None:  # type: ignore[no-untyped-def]
    app, platform, tool = framed
    platform.launches["framed-1"] = {
        LTI + "custom": {"coursekit_target": "module:one"},
        "name": "Chen Jing",
    }
    context = browser.new_context(ignore_https_errors=True, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{platform.url}/course/framed-1")
    frame = page.frame_locator("#tool")
    # Login initiation, the LMS's authorisation, the launch, the check that the frame kept
    # the session cookie, and the module: all inside the iframe.
    frame.get_by_role("heading", name="Module one").wait_for(timeout=15_000)
    assert frame.locator(".site-nav").get_by_text("Continue").is_visible()
    inner = next(f for f in page.frames if f.url.startswith(tool))
    assert inner.url == f"{tool}/modules/one"
    cookies = {c["name"]: c for c in context.cookies(tool)}
    assert cookies["session"]["secure"] and cookies["session"]["sameSite"] == "None"
    page.screenshot(path="test-results/lti-framed-launch.png", full_page=True)
    # A form inside the frame: the partitioned session carries its CSRF token.
    frame.get_by_role("button", name="Mark as read and take the knowledge check").click()
    frame.locator("form.check-form").wait_for(timeout=10_000)
    assert next(f for f in page.frames if f.url.startswith(tool)).url.endswith("/modules/one/check")

    session = app.extensions["coursekit"].db.sessionmaker()
    assert session.scalar(select(User.name)) == "Chen Jing"
    assert session.scalar(select(Cohort.name)) == "Service excellence 2026"
    session.close()
    assert [e for e in errors if "favicon" not in e] == []
    context.close()
