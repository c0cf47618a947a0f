"""SCORM packages under a real SCORM runtime: scorm-again is the LMS, on its own origin, and
frames the exported package; the trainee works inside it in Chromium, and the LMS's API
ends up holding CourseKit's verdict, committed and finished."""

import re
import time
from pathlib import Path

import pytest
from flask import Flask
from lxml import etree
from sqlalchemy import select

from coursekit.auth.models import Identity, User
from coursekit.domain.quiz import Answer, answers_to_form, correct_answers
from coursekit.domain.roleplay.validate import path_report
from coursekit.learn import services as learning
from coursekit.learn.tickets import issue_ticket
from coursekit.roleplay import services as roleplays
from tests.browser.conftest import answer_correctly
from tests.conftest import SECRET
from tests.scorm.lms import SCORM_AGAIN, LmsServer, running_lms

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (SCORM_AGAIN / "scorm12.js").exists(),
        reason="scorm-again is missing: `make js-deps` installs it",
    ),
]
MODULE = "m01-what-are-expectations"  # a lesson and a check: complete when the check passes
STATUS = "coursekit:scorm-status"


@pytest.fixture
def lms(tmp_path: Path):  # type: ignore[no-untyped-def]
    with running_lms(tmp_path / "lms-package") as server:
        yield server


def install(
    app: Flask, lms: LmsServer, live_server: str, out: Path, version: str, module: str | None
) -> str:
    """Export the packages for this LMS, install one, and return its passing measure."""
    args = ["--version", version, "--per-module", "--out", str(out)]
    args += ["--base-url", live_server, "--lms-origin", lms.origin]
    result = app.test_cli_runner().invoke(args=["coursekit", "export-scorm", *args])
    assert result.exit_code == 0, result.output
    unit = "customer-expectations" + (f"-{module}" if module else "")
    lms.install(out / f"coursekit-{unit}-scorm{version.replace('.', '')}.zip")
    manifest = etree.parse(str(lms.package_dir / "imsmanifest.xml"))
    return manifest.findtext(".//{*}minNormalizedMeasure") or ""


def course_frame(page):  # type: ignore[no-untyped-def]
    """CourseKit's pages: LMS page > package page > CourseKit player > CourseKit page."""
    return page.frame_locator("#sco").frame_locator("#ck-frame").frame_locator("#coursekit-page")


def wrong_answers(check) -> dict[str, Answer]:  # type: ignore[no-untyped-def]
    answers: dict[str, Answer] = {}
    for q in check.questions:
        if q.type == "single":
            answers[q.id] = next(o.id for o in q.options if not o.correct)
        elif q.type == "multiple":
            answers[q.id] = frozenset(o.id for o in q.options if not o.correct)
        else:
            wrong = {c.id for c in check.category_sets[q.categories]}
            answers[q.id] = {i.id: sorted(wrong - {i.category})[0] for i in q.items}
    return answers


def tick(frame, answers: dict[str, Answer]) -> None:  # type: ignore[no-untyped-def]
    for qid, answer in answers.items():
        if isinstance(answer, str):
            frame.locator(f'input[name="{qid}"][value="{answer}"]').check()
        elif isinstance(answer, frozenset):
            for option in answer:
                frame.locator(f'input[name="{qid}"][value="{option}"]').check()
        else:
            for item, category in answer.items():
                frame.locator(f'input[name="{qid}.{item}"][value="{category}"]').check()


def cmi2004(page, *elements: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What the LMS's SCORM 2004 API holds (read directly: the SCO has terminated)."""
    return page.evaluate(f"[{', '.join('API_1484_11.cmi.' + e for e in elements)}]")


def watch_console(page) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    warnings: list[str] = []
    page.on("console", lambda m: (errors if m.type == "error" else warnings).append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors, warnings


def test_scorm_12_module_package_reports_a_pass(
    app: Flask, live_server: str, browser, lms: LmsServer, tmp_path: Path
) -> None:
    install(app, lms, live_server, tmp_path / "out", "1.2", MODULE)
    page = browser.new_page()
    errors, _ = watch_console(page)
    page.goto(lms.page("1.2", "student-7", "Lovelace, Ada"))
    frame = course_frame(page)
    frame.get_by_role("button", name="Mark as read and take the knowledge check").click()
    page.wait_for_function("window.API.cmi.core.lesson_status === 'incomplete'")
    module = app.extensions["coursekit"].course.module(MODULE)
    answer_correctly(frame, module.check)
    frame.locator("form.check-form button[type=submit]").click()
    page.wait_for_function("window.lmsEvents.includes('LMSFinish')")

    assert page.evaluate("window.API.cmi.core.lesson_status") == "passed"
    assert page.evaluate("window.API.cmi.core.score.raw") == "100"
    assert page.evaluate("[API.cmi.core.score.min, API.cmi.core.score.max]") == ["0", "100"]
    events = page.evaluate("window.lmsEvents")
    assert events[0] == "LMSInitialize" and events[-2:] == ["LMSCommit", "LMSFinish"]
    final = lms.commits[-1]["cmi"]["core"]  # what the LMS's server received
    assert (final["lesson_status"], final["score"]["raw"]) == ("passed", "100")
    assert final["exit"] == ""  # a normal exit: the attempt is over
    assert re.fullmatch(r"\d{2,4}:\d\d:\d\d(\.\d\d?)?", final["session_time"])
    assert page.frame_locator("#sco").locator("#ck-saved").is_visible()

    session = app.extensions["coursekit"].db.sessionmaker()
    learner = session.execute(
        select(User.name, Identity.issuer).join(Identity, Identity.user_id == User.id)
    ).one()
    session.close()
    assert tuple(learner) == ("Ada Lovelace", "scorm:1:127.0.0.1")
    assert errors == []
    print(f"SCORM 1.2 run: API calls {events}; the LMS's server received cmi.core {final}")


def test_scorm_2004_module_package_fails_then_passes_and_ignores_strangers(
    app: Flask, live_server: str, browser, lms: LmsServer, tmp_path: Path
) -> None:
    passing = install(app, lms, live_server, tmp_path / "out", "2004", MODULE)
    assert passing == "0.70"
    page = browser.new_page()
    errors, warnings = watch_console(page)
    page.goto(lms.page("2004", "student-8", "王, 丽", passing=passing))
    frame = course_frame(page)
    frame.get_by_role("button", name="Mark as read and take the knowledge check").click()
    page.wait_for_function("API_1484_11.cmi.completion_status === 'incomplete'")
    frame.locator("form.check-form").wait_for()

    # A status message from another origin (the LMS page's own) is ignored...
    full_marks = {"raw": 100, "min": 0, "max": 100, "scaled": 1}
    done = {"completion": "completed", "success": "passed", "progress": 1, "score": full_marks}
    forged = {"type": STATUS, "version": 1, "status": done}
    with page.expect_console_message(lambda m: "ignored a status message from" in m.text) as seen:
        page.evaluate(
            "m => document.getElementById('sco').contentWindow.postMessage(m, '*')", forged
        )
    assert lms.origin in seen.value.text
    # ...and so is one from CourseKit's origin but not from the package's own frame...
    ck_page = next(f for f in page.frames if f.name == "coursekit-page")
    with page.expect_console_message(lambda m: "ignored a status message from" in m.text) as seen:
        ck_page.evaluate("m => window.parent.parent.postMessage(m, '*')", forged)
    assert live_server in seen.value.text
    # ...and a malformed one from the player itself.
    player = next(f for f in page.frames if f.name == "ck-frame")
    bad = {**forged, "status": {**done, "score": {**full_marks, "raw": 900, "scaled": 9}}}
    with page.expect_console_message(lambda m: "malformed" in m.text):
        player.evaluate("m => window.parent.postMessage(m, '*')", bad)
    assert page.evaluate("API_1484_11.cmi.completion_status") == "incomplete"
    assert page.evaluate("API_1484_11.cmi.score.scaled") == ""
    assert "Terminate" not in page.evaluate("window.lmsEvents")

    # A failed attempt: below the pass mark, the LMS and CourseKit both say failed.
    module = app.extensions["coursekit"].course.module(MODULE)
    tick(frame, wrong_answers(module.check))
    frame.locator("form.check-form button[type=submit]").click()
    page.wait_for_function("API_1484_11.cmi.success_status === 'failed'")
    assert float(page.evaluate("API_1484_11.cmi.score.scaled")) < float(passing)
    assert page.evaluate("API_1484_11.cmi.completion_status") == "incomplete"

    # Try again and pass: completed, passed, committed and terminated.
    frame.get_by_role("link", name="Try again").click()
    answer_correctly(frame, module.check)
    frame.locator("form.check-form button[type=submit]").click()
    page.wait_for_function("window.lmsEvents.includes('Terminate')")
    assert cmi2004(page, "completion_status", "success_status") == ["completed", "passed"]
    assert cmi2004(page, "score.scaled", "score.raw", "progress_measure") == ["1", "100", "1"]
    final = lms.commits[-1]["cmi"]  # what the LMS's server received last
    assert final["exit"] == "normal" and final["session_time"].startswith("PT")
    assert (final["completion_status"], final["success_status"]) == ("completed", "passed")
    assert final["score"]["scaled"] == "1"
    assert page.evaluate("window.lmsEvents.slice(-2)") == ["Commit", "Terminate"]
    session = app.extensions["coursekit"].db.sessionmaker()
    assert session.scalar(select(User.name).where(User.email.like("scorm-%"))) == "王丽"
    session.close()
    assert errors == []
    assert all("ignored" in w or "malformed" in w for w in warnings if "CourseKit" in w)


def test_scorm_2004_course_package_completes_with_the_course(
    app: Flask, live_server: str, browser, lms: LmsServer, tmp_path: Path
) -> None:
    passing = install(app, lms, live_server, tmp_path / "out", "2004", None)
    assert passing == "1.00"
    page = browser.new_page()
    errors, _ = watch_console(page)
    page.goto(lms.page("2004", "student-9", "Nakamura, Aiko", passing=passing))
    frame = course_frame(page)
    frame.get_by_role("heading", name="Managing Customer Expectations").first.wait_for()
    page.wait_for_function("API_1484_11.cmi.completion_status === 'incomplete'")

    # Everything but the last knowledge check, done through the services.
    state = app.extensions["coursekit"]
    course = state.course
    session = state.db.sessionmaker()
    user_id = session.scalar(select(User.id).where(User.email.like("scorm-%")))
    last = course.modules[-1]
    for module in course.modules:
        learning.complete_lesson(session, user_id, course.id, module.id)
        for scenario_id in module.roleplays:
            best = path_report(course.roleplays[scenario_id])[0][0]
            roleplays.play_path(session, user_id, course, scenario_id, best)
        if module is not last:
            _, ticket = issue_ticket(SECRET, user_id, module.id, module.check.hash)
            form = answers_to_form(correct_answers(module.check))
            learning.submit_check(
                session, user_id=user_id, course=course, module=module, ticket=ticket, form=form
            )
    session.close()

    ck_page = next(f for f in page.frames if f.name == "coursekit-page")
    ck_page.goto(f"{live_server}/modules/{last.id}/check")
    page.wait_for_function("parseFloat(API_1484_11.cmi.progress_measure) > 0.9")
    assert float(page.evaluate("API_1484_11.cmi.progress_measure")) < 1  # 25 of 26 met
    assert page.evaluate("API_1484_11.cmi.success_status") == "unknown"  # not done: not failed
    answer_correctly(frame, last.check)
    frame.locator("form.check-form button[type=submit]").click()
    page.wait_for_function("window.lmsEvents.includes('Terminate')")
    assert cmi2004(page, "completion_status", "success_status", "score.scaled") == [
        "completed",
        "passed",
        "1",
    ]
    assert errors == []


def test_leaving_before_the_end_suspends_the_attempt(
    app: Flask, live_server: str, browser, lms: LmsServer, tmp_path: Path
) -> None:
    install(app, lms, live_server, tmp_path / "out", "1.2", None)
    page = browser.new_page()
    errors, _ = watch_console(page)
    page.goto(lms.page("1.2", "student-10", "Berg, Jonas"))
    course_frame(page).get_by_role(
        "heading", name="Managing Customer Expectations"
    ).first.wait_for()
    page.wait_for_function("API.cmi.core.lesson_status === 'incomplete'")
    assert "LMSFinish" not in page.evaluate("window.lmsEvents")

    page.evaluate("document.getElementById('sco').remove()")  # the LMS closes the course
    page.wait_for_function("window.lmsEvents.includes('LMSFinish')")
    assert page.evaluate("API.cmi.core.lesson_status") == "incomplete"
    deadline = time.monotonic() + 5
    while not any(c["cmi"]["core"]["exit"] == "suspend" for c in lms.commits):
        assert time.monotonic() < deadline, lms.commits  # the final commit reached the LMS
        time.sleep(0.05)
    assert errors == []
