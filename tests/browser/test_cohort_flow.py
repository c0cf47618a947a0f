"""An instructor runs a workshop: creates a cohort, a trainee on a phone joins with the code
and passes a knowledge check, and the instructor's dashboard shows it."""

import re

import pytest
from flask import Flask

from tests.browser.conftest import answer_correctly
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_workshop_join_and_dashboard(app: Flask, live_server: str, browser, make_user) -> None:
    make_user(email="trainer@example.com", name="王老师", role="instructor")
    laptop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    instructor = laptop.new_page()
    instructor.goto(f"{live_server}/login")
    instructor.locator("#email").fill("trainer@example.com")
    instructor.locator("#password").fill(PASSWORD)
    instructor.locator("form button.primary").click()
    instructor.get_by_role("link", name="Cohorts").click()
    instructor.get_by_role("link", name="New cohort").click()
    instructor.get_by_label("Name").fill("Saturday workshop")
    instructor.get_by_role("button", name="Create the cohort").click()
    instructor.get_by_role("link", name="Show the join code").click()
    shown = instructor.locator(".join-code").inner_text()
    code = re.sub(r"[^A-Z0-9]", "", shown)
    assert len(code) == 6 and instructor.locator(".qr svg").count() == 1
    instructor.screenshot(path="test-results/projector.png")

    phone_context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    phone = phone_context.new_page()
    phone.goto(f"{live_server}/join")  # typed from the projector
    phone.get_by_role("link", name="Create an account").click()
    phone.get_by_label("Your name").fill("Kim")
    phone.get_by_label("Email").fill("kim@example.com")
    phone.get_by_label("Password", exact=True).fill("a long enough password")
    phone.get_by_label("Repeat the password").fill("a long enough password")
    phone.get_by_role("button", name="Sign up").click()
    phone.get_by_label("Cohort code").fill(f"{code[:3].lower()} {code[3:].lower()}")
    phone.get_by_role("button", name="Join", exact=True).click()
    phone.get_by_role("button", name="Join the cohort").click()
    assert "Welcome to Saturday workshop!" in phone.locator(".flashes").inner_text()

    module = app.extensions["coursekit"].course.modules[0]
    phone.goto(f"{live_server}/modules/{module.id}")
    phone.get_by_role("button", name="Mark as read and take the knowledge check").click()
    answer_correctly(phone, module.check)
    phone.get_by_role("button", name="Submit my answers").click()
    phone.wait_for_url("**/attempts/*")

    instructor.get_by_role("link", name="Back to the dashboard").click()
    row = instructor.locator("table.matrix tbody tr", has_text="Kim")
    assert row.count() == 1
    cells = row.locator("td")
    assert cells.nth(1).inner_text() == "✓"  # lesson 1 read
    assert cells.nth(2).inner_text() == "100"  # knowledge check 1
    assert "c-pass" in cells.nth(2).get_attribute("class")
    instructor.screenshot(path="test-results/dashboard.png", full_page=True)
    laptop.close()
    phone_context.close()
