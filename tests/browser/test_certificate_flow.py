"""The demo trainee 李娜 passes her last knowledge check, downloads her certificate, and an
anonymous browser opens the verification link printed beside its QR code."""

import io
import re

import pytest
from flask import Flask
from pypdf import PdfReader

from coursekit.demo import PASSWORD, load_demo
from tests.browser.conftest import answer_correctly

pytestmark = pytest.mark.browser


def test_last_requirement_then_certificate_then_verification(
    app: Flask, live_server: str, browser
) -> None:
    with app.app_context():
        load_demo(app)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.locator("#email").fill("li.na@example.com")
    page.locator("#password").fill(PASSWORD)
    page.locator("form button.primary").click()
    page.wait_for_url(f"{live_server}/")
    assert page.locator('a[href$=".pdf"]').count() == 0  # not complete yet
    last = app.extensions["coursekit"].course.modules[-1]
    assert page.locator(f'.missing a[href="/modules/{last.id}/check"]').count() == 1

    page.goto(f"{live_server}/modules/{last.id}/check")
    answer_correctly(page, last.check)
    page.locator("form.check-form button[type=submit]").click()
    page.wait_for_url("**/attempts/*")
    page.goto(f"{live_server}/")
    link = page.locator('a[href$=".pdf"]')
    assert link.count() == 1
    pdf = page.request.get(live_server + link.get_attribute("href"))  # with her session
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
    assert "李娜" in re.sub(r"\s+", "", text) and "客户期望管理" in re.sub(r"\s+", "", text)
    verify_href = page.locator('.certificate-box a[href*="/verify/"]').get_attribute("href")
    assert verify_href.rsplit("/", 1)[1] in re.sub(
        r"\s+", "", text
    )  # the number printed by the QR code
    context.close()

    anonymous = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    visitor = anonymous.new_page()
    visitor.goto(live_server + verify_href)
    assert visitor.get_by_role("heading", level=1).inner_text() == "This certificate is valid"
    assert "李娜" in visitor.locator(".verify-card").inner_text()
    assert "li.na@example.com" not in visitor.content()
    anonymous.close()
