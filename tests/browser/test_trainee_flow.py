"""A trainee on a phone: sign up, switch to Chinese, read a lesson, pass its check, see progress."""

import pytest
from flask import Flask
from sqlalchemy import func, select

from coursekit.learn.models import CheckAttempt
from tests.browser.conftest import answer_correctly

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


def test_trainee_takes_the_first_module_in_chinese(app: Flask, live_server: str, browser) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # Register (the page is in English: the browser asks for English)
    page.goto(f"{live_server}/register")
    page.get_by_label("Your name").fill("张伟")
    page.get_by_label("Email").fill("zhang.wei@example.com")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Repeat the password").fill("a long enough password")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{live_server}/")
    assert page.locator("progress").first.get_attribute("value") == "0"

    # Switch to Chinese with the switcher in the header
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.get_by_role("heading", name="客户期望管理").is_visible()

    # Read the first lesson
    page.get_by_role("link", name="什么是客户期望", exact=True).click()
    assert page.get_by_role("heading", name="思考题").is_visible()
    module = app.extensions["coursekit"].course.modules[0]
    page.get_by_role("button", name="标记为已读并参加知识测验").click()

    # Answer the knowledge check correctly, clicking the way a person does
    page.wait_for_url(f"**/modules/{module.id}/check")
    answer_correctly(page, module.check)
    page.locator("form.check-form button[type=submit]").dblclick()  # an impatient double-click
    page.wait_for_url("**/attempts/*")
    assert "100" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator(".result.passed").is_visible()

    session = app.extensions["coursekit"].db.sessionmaker()
    assert session.scalar(select(func.count()).select_from(CheckAttempt)) == 1
    session.close()

    # Progress has risen on the course page
    page.get_by_role("link", name="返回课程").click()
    course = app.extensions["coursekit"].course
    parts = 2 * len(course.modules) + len(course.roleplays)  # lessons, checks, role-plays
    assert page.locator("progress").first.get_attribute("value") == str(round(100 * 2 / parts))
    assert page.locator(".module.complete").count() == 1
    page.screenshot(path="test-results/phone-course-zh.png", full_page=True)
    assert errors == []
    context.close()
