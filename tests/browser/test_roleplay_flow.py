"""A trainee plays a role-play to the end on a phone in Chromium, tags what they uncovered and
reads the review, in practice mode (meters, feedback after each step). Assessment mode:
test_roleplay_assessment.py."""

import pytest
from flask import Flask

from coursekit.domain.roleplay.validate import path_report
from tests.browser.conftest import asked, phone, tag_right

pytestmark = pytest.mark.browser


def test_play_late_delivery_to_the_end(app: Flask, live_server: str, browser, make_user) -> None:
    make_user(email="player@example.com", name="Sam Player")
    scenario = app.extensions["coursekit"].course.roleplays["late-delivery"]
    worst_path, worst = path_report(scenario)[-1]
    context, page = phone(browser, live_server, "player@example.com")
    page.goto(f"{live_server}/roleplays/late-delivery")
    page.get_by_role("button", name="Start the conversation").click()
    node = scenario.spec.start
    for number, choice_id in enumerate(worst_path, start=1):
        node_spec = scenario.node(node)
        assert page.locator("#customer-line").inner_text().strip() == node_spec.say.en.strip()
        assert page.locator("svg.zone-meter").count() == 1  # practice mode
        choice = next(c for c in node_spec.choices if c.id == choice_id)
        page.locator(f'button[name="choice"][value="{choice_id}"]').click()
        if number < len(worst_path):  # practice: the reply's feedback right after the step
            assert choice.feedback.en.strip() in page.locator(".step-feedback").inner_text()
        node = choice.next
        if number == 2:  # close the phone mid-way and come back
            page.goto(f"{live_server}/roleplays/late-delivery")
            page.get_by_role("button", name="Resume the conversation (decision 3)").click()
    if "/review" not in page.url:  # something was uncovered: tag it first
        tag_right(page, scenario, asked(page))
    page.wait_for_url("**/review")
    assert page.get_by_role("heading", level=1).inner_text() == f"Your score: {worst.score}"
    assert "Not passed yet" in page.locator(".verdict").inner_text()
    assert page.locator("svg.state-chart polygon.zone").count() == 1
    assert page.locator("svg.state-chart polyline").count() == 2  # P and T
    assert page.locator(".step").count() == len(worst_path)
    assert page.locator(".better").count() >= 1  # it says what would have been better
    page.screenshot(path="test-results/phone-roleplay-review.png", full_page=True)
    page.get_by_role("button", name="Try again").click()
    assert (
        page.locator("#customer-line").inner_text().strip()
        == scenario.node(scenario.spec.start).say.en.strip()
    )
    context.close()
