"""A trainee plays a role-play in assessment mode on a phone in Chromium: no meters and no
feedback, the replies shuffled (and the order stored), the expectations tagged before any
score, and a review that shows the replies in the order they were seen."""

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from coursekit.domain.roleplay.validate import path_report
from coursekit.roleplay.models import RoleplayAttempt, RoleplayStep
from tests.browser.conftest import asked, phone, tag_right
from tests.conftest import ROOT

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app, tmp_path: Path) -> Flask:  # type: ignore[no-untyped-def]
    """The shipped course in assessment mode."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    course = content / "course.yaml"
    text = course.read_text(encoding="utf-8")
    course.write_text(text.replace("roleplay_mode: practice", "roleplay_mode: assessment"))
    return make_app(COURSEKIT_CONTENT_DIR=str(content))


def test_assessment_on_a_phone_shuffled_tagged_and_reviewed(
    app: Flask, live_server: str, browser, make_user
) -> None:
    make_user(email="assessed@example.com", name="Ana Assessed")
    scenario = app.extensions["coursekit"].course.roleplays["late-delivery"]
    best_path, best = path_report(scenario)[0]
    context, page = phone(browser, live_server, "assessed@example.com")
    page.goto(f"{live_server}/roleplays/late-delivery")
    page.get_by_role("button", name="Start the conversation").click()
    seen = []
    for choice_id in best_path:
        assert page.locator("svg.zone-meter").count() == 0  # assessment: no meters
        assert page.locator(".step-feedback").count() == 0  # and no feedback
        buttons = page.locator('button[name="choice"]')
        seen.append([buttons.nth(i).get_attribute("value") for i in range(buttons.count())])
        letters = [buttons.nth(i).locator(".letter").inner_text() for i in range(buttons.count())]
        assert letters == list("ABCD"[: buttons.count()])
        box = buttons.first.bounding_box()
        assert box is not None and box["width"] <= 360  # fits the phone
        page.locator(f'button[name="choice"][value="{choice_id}"]').click()
    authored = [[c.id for c in scenario.node(n).choices] for n in _nodes(scenario, best_path)]
    assert seen != authored  # shuffled (all in authored order: about 1 in 10^6)
    # Classify is an act: the page lists what was uncovered, with no kinds shown.
    assert page.get_by_role("heading", name="Before you see how it went").is_visible()
    assert page.locator(".tag").count() == 0
    tag_right(page, scenario, asked(page))
    page.wait_for_url("**/review")
    assert page.get_by_role("heading", level=1).inner_text() == f"Your score: {best.score}"
    assert "Passed" in page.locator(".verdict").inner_text()
    # late-delivery belongs to the last module: the review leads back to the course
    assert page.get_by_role("link", name=re.compile("On to the next module")).count() == 0
    assert page.get_by_role("link", name="Back to the course").count() == 1
    session = app.extensions["coursekit"].db.sessionmaker()
    attempt = session.scalar(select(RoleplayAttempt).where(RoleplayAttempt.status == "finished"))
    stored = session.scalars(
        select(RoleplayStep.shown)
        .where(RoleplayStep.attempt_id == attempt.id)
        .order_by(RoleplayStep.position)
    ).all()
    session.close()
    assert [list(s) for s in stored] == seen  # the order the trainee saw is the one stored
    page.locator("details:has-text('The replies as you saw them')").first.click()
    first_shown = page.locator("ol.shown").first.locator("li")
    said = {c.id: c.say.en.strip() for c in scenario.node(scenario.spec.start).choices}
    assert [first_shown.nth(i).inner_text().strip() for i in range(first_shown.count())] == [
        said[c] for c in seen[0]
    ]
    page.screenshot(path="test-results/phone-roleplay-assessment-review.png", full_page=True)
    context.close()


def _nodes(scenario, path) -> list[str]:  # type: ignore[no-untyped-def]
    nodes, node = [], scenario.spec.start
    for choice_id in path:
        nodes.append(node)
        node = next(c for c in scenario.node(node).choices if c.id == choice_id).next
    return nodes
