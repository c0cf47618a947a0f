"""A live CourseKit server on 127.0.0.1 and Playwright driving Debian's Chromium."""

import os
import re
import shutil
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from coursekit.domain.roleplay.scoring import true_tags
from tests.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these, Chromium keeps trying to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: `make test` installs it with scripts/system-deps.sh")
        pytest.skip("Chromium is not installed (scripts/system-deps.sh installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def answer_correctly(page, check) -> None:  # type: ignore[no-untyped-def]
    """Tick the right answers of a knowledge check the way a person does."""
    from coursekit.domain.quiz import correct_answers

    for qid, answer in correct_answers(check).items():
        if isinstance(answer, str):
            page.locator(f'input[name="{qid}"][value="{answer}"]').check()
        elif isinstance(answer, frozenset):
            for option in answer:
                page.locator(f'input[name="{qid}"][value="{option}"]').check()
        else:
            for item, category in answer.items():
                page.locator(f'input[name="{qid}.{item}"][value="{category}"]').check()


def phone(browser, live_server: str, email: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button.primary").click()
    return context, page


def asked(page) -> set[str]:  # type: ignore[no-untyped-def]
    """The expectations the classify page asks the trainee to tag."""
    return set(re.findall(r'name="kind-([\w-]+)"', page.content()))


def tag_right(page, scenario, revealed) -> None:  # type: ignore[no-untyped-def]
    for expectation, kinds in true_tags(scenario).items():
        if expectation in revealed:
            for kind in kinds:
                page.locator(f'input[name="kind-{expectation}"][value="{kind}"]').check()
    page.get_by_role("button", name="See my review").click()
