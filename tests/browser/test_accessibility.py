"""axe-core audits (WCAG 2.1 A and AA) of every trainee page, on a phone and a laptop, in both
languages; and the keyboard path through a knowledge check."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask

from coursekit.domain.quiz import answers_to_form, correct_answers
from coursekit.domain.roleplay.validate import path_report
from coursekit.learn import services
from coursekit.learn.tickets import issue_ticket
from coursekit.roleplay import services as roleplays
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
AXE = Axe()
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def take_first_check(app: Flask, user_id: int) -> int:
    """An attempt made through the real service, so the result page has something to show."""
    state = app.extensions["coursekit"]
    module = state.course.modules[0]
    _token, ticket = issue_ticket(app.secret_key, user_id, module.id, module.check.hash)
    session = state.db.sessionmaker()
    try:
        attempt = services.submit_check(
            session,
            user_id=user_id,
            course=state.course,
            module=module,
            ticket=ticket,
            form=answers_to_form(correct_answers(module.check)),
        )
        return attempt.id
    finally:
        session.close()


def roleplays_under_way(app: Flask, user_id: int) -> tuple[int, int]:
    """A finished conversation (for the review page) and one in progress (for the play page)."""
    state = app.extensions["coursekit"]
    session = state.db.sessionmaker()
    try:
        best_path = path_report(state.course.roleplays["late-delivery"])[0][0]
        finished = roleplays.play_path(session, user_id, state.course, "late-delivery", best_path)
        complaint = state.course.roleplays["angry-complaint"]
        first = complaint.node(complaint.spec.start).choices[0].id
        active = roleplays.play_path(session, user_id, state.course, "angry-complaint", [first])
        return finished.id, active.id
    finally:
        session.close()


def sign_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button.primary").click()
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize(
    "viewport", [{"width": 360, "height": 740}, {"width": 1280, "height": 800}]
)
@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_pages_pass_axe(app: Flask, live_server: str, browser, make_user, viewport, locale) -> None:
    user = make_user(email="a11y@example.com", name="无障碍 Tester")
    attempt_id = take_first_check(app, user.id)
    finished, active = roleplays_under_way(app, user.id)
    module = app.extensions["coursekit"].course.modules[0].id
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    failures = []
    for url in ["/", "/login", "/register", "/nowhere"]:
        page.goto(live_server + url)
        result = AXE.run(page, options=WCAG)
        if result.violations_count:
            failures.append(f"{url}:\n{result.generate_report()}")
    sign_in(page, live_server, "a11y@example.com")
    for url in [
        "/",
        f"/modules/{module}",
        f"/modules/{module}/check",
        f"/attempts/{attempt_id}",
        "/account/password",
        "/roleplays/late-delivery",
        f"/roleplays/attempts/{active}",
        f"/roleplays/attempts/{finished}/review",
    ]:
        page.goto(live_server + url)
        result = AXE.run(page, options=WCAG)
        if result.violations_count:
            failures.append(f"{url}:\n{result.generate_report()}")
    context.close()
    assert not failures, "\n".join(failures)


def test_a_check_can_be_answered_with_the_keyboard_alone(
    app: Flask, live_server: str, browser, make_user
) -> None:
    make_user(email="keys@example.com")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server, "keys@example.com")
    module = app.extensions["coursekit"].course.modules[0]
    page.goto(f"{live_server}/modules/{module.id}/check")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    # Tab until the first answer of the first question has focus, then choose it with Space.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "q1":
            break
    page.keyboard.press("Space")
    assert page.locator('input[name="q1"]:checked').count() == 1
    context.close()


def test_the_audit_does_catch_problems(browser) -> None:
    """The audit above is only worth something if it fails on a bad page."""
    page = browser.new_page()
    page.set_content('<html><body><input type="text"><img src="x.png"></body></html>')
    result = AXE.run(page, options=WCAG)
    rules = {v["id"] for v in result.response["violations"]}
    assert {"label", "image-alt", "html-has-lang"} <= rules
    page.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_instructor_pages_pass_axe(
    app: Flask, live_server: str, browser, make_user, locale
) -> None:
    from coursekit.cohorts import services as cohorts

    trainer = make_user(email="trainer@example.com", name="王老师", role="instructor")
    trainee = make_user(email="member@example.com", name="学员甲")
    take_first_check(app, trainee.id)
    roleplays_under_way(app, trainee.id)
    session = app.extensions["coursekit"].db.sessionmaker()
    cohort = cohorts.create(
        session, trainer, name="Audit cohort", course_id="customer-expectations"
    )
    cohorts.join(session, trainee.id, cohort.join_code)
    session.close()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale)
    page = context.new_page()
    sign_in(page, live_server, "trainer@example.com")
    failures = []
    for url in [
        "/cohorts",
        "/cohorts/new",
        f"/cohorts/{cohort.id}",
        f"/cohorts/{cohort.id}/edit",
        f"/cohorts/{cohort.id}/projector",
        f"/cohorts/{cohort.id}/trainees/{trainee.id}",
    ]:
        page.goto(live_server + url)
        for details in page.locator("details").all():  # audit the folded parts too
            details.evaluate("d => d.open = true")
        result = AXE.run(page, options=WCAG)
        if result.violations_count:
            failures.append(f"{url}:\n{result.generate_report()}")
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale=locale)
    member = phone.new_page()
    sign_in(member, live_server, "member@example.com")
    for url in ["/join", f"/join/{cohort.join_code}"]:
        member.goto(live_server + url)
        result = AXE.run(member, options=WCAG)
        if result.violations_count:
            failures.append(f"{url}:\n{result.generate_report()}")
    context.close()
    phone.close()
    assert not failures, "\n".join(failures)
