"""Lessons, knowledge checks and progress through the test client, on the small test course."""

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coursekit.domain.content import load_course
from coursekit.domain.quiz import answers_to_form, correct_answers
from coursekit.learn.models import CheckAttempt, LessonProgress
from tests.conftest import MINI_CONTENT, csrf_from, login, race, submitter

COURSE = load_course(MINI_CONTENT)
RIGHT = answers_to_form(correct_answers(COURSE.module("one").check))


def attempts_stored(app: Flask) -> int:
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        return session.scalar(select(func.count()).select_from(CheckAttempt))
    finally:
        session.close()


def open_check(client: FlaskClient, module: str = "one") -> dict[str, str]:
    html = client.get(f"/modules/{module}/check").get_data(as_text=True)
    ticket = re.search(r'name="ticket" value="([^"]+)"', html).group(1)
    return {"csrf_token": csrf_from(html), "ticket": ticket}


@pytest.fixture
def trainee(mini_app: Flask, mini_client: FlaskClient, make_user):  # type: ignore[no-untyped-def]
    user = make_user(email="trainee@example.com", target=mini_app)
    login(mini_client, "trainee@example.com")
    return user


def test_pages_need_a_login(mini_client: FlaskClient) -> None:
    for url in ["/modules/one", "/modules/one/check", "/attempts/1", "/continue"]:
        response = mini_client.get(url)
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"], url


def test_lesson_is_rendered_and_sanitised(mini_client: FlaskClient, trainee) -> None:
    html = mini_client.get("/modules/one").get_data(as_text=True)
    assert "<strong>hello</strong>" in html and "<script>alert" not in html
    assert mini_client.get("/modules/nope").status_code == 404


def test_reading_and_passing_raise_progress(
    mini_app: Flask, mini_client: FlaskClient, trainee
) -> None:
    assert "Your progress: 0%" in mini_client.get("/").get_data(as_text=True)
    mini_client.get("/modules/one")
    assert mini_client.get("/continue").headers["Location"] == "/modules/one"
    html = mini_client.get("/modules/one").get_data(as_text=True)
    done = mini_client.post("/modules/one/done", data={"csrf_token": csrf_from(html)})
    assert done.status_code == 303 and done.headers["Location"] == "/modules/one/check"
    # five parts in the small course: two lessons, two checks and one role-play
    assert "Your progress: 20%" in mini_client.get("/").get_data(as_text=True)
    assert mini_client.get("/continue").headers["Location"] == "/modules/one/check"
    response = mini_client.post("/modules/one/check", data={**open_check(mini_client), **RIGHT})
    assert response.status_code == 303
    result = mini_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your score: 100.0%" in result and "Passed" in result
    home = mini_client.get("/").get_data(as_text=True)
    assert "Your progress: 40%" in home and "Check: best 100%" in home
    assert mini_client.get("/continue").headers["Location"] == "/roleplays/mini-call"


def test_partial_credit_feedback_and_best_score_kept(mini_client: FlaskClient, trainee) -> None:
    half = {**RIGHT, "q2": ["a"], "q3.i1": ["implicit"], "q3.i2": ["explicit"]}
    first = mini_client.post("/modules/one/check", data={**open_check(mini_client), **half})
    result = mini_client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Your score: 66.7%" in result
    assert "0.5 of 1 point(s)" in result
    assert "A and B." in result  # the question's feedback
    best = mini_client.post("/modules/one/check", data={**open_check(mini_client), **RIGHT})
    worse = mini_client.post(
        "/modules/one/check", data={**open_check(mini_client), **RIGHT, "q1": ["b"]}
    )
    assert best.status_code == worse.status_code == 303
    page = mini_client.get("/modules/one/check").get_data(as_text=True)
    assert "Your best score so far: 100%" in page and "3 attempts" in page


def test_review_explains_each_wrong_option(mini_client: FlaskClient, trainee) -> None:
    check_page = mini_client.get("/modules/one/check").get_data(as_text=True)
    assert "Not B." not in check_page and "is a trap" not in check_page  # only after submitting
    answers = {**RIGHT, "q1": ["b"], "q2": ["a", "c"]}
    done = mini_client.post("/modules/one/check", data={**open_check(mini_client), **answers})
    review = mini_client.get(done.headers["Location"]).get_data(as_text=True)
    # the chosen wrong options, each with its own feedback
    assert "<strong>Why “B” is wrong:</strong> Not B." in review
    assert "<strong>Why “C” is wrong:</strong> C is a trap." in review
    # the wrong options not chosen, folded: q1's c, q2's d and e
    folded = re.findall(r"<details class=\"option-feedback\">(.*?)</details>", review, re.S)
    assert len(folded) == 2 and all("Why the other options are wrong" in f for f in folded)
    assert "Not C." in folded[0] and "Not B." not in folded[0]
    assert "D is a trap." in folded[1] and "E is a trap." in folded[1]
    assert "C is a trap." not in folded[1]
    zh = mini_client.get(done.headers["Location"], headers={"Accept-Language": "zh"})
    html = zh.get_data(as_text=True)
    assert "<strong>为什么“乙”不对：</strong> 不是乙。" in html
    assert "其他选项为什么不对" in html and "戊是陷阱。" in html


def test_replayed_submission_is_refused_and_stores_nothing(
    mini_app: Flask, mini_client: FlaskClient, trainee
) -> None:
    form = {**open_check(mini_client), **RIGHT}
    assert mini_client.post("/modules/one/check", data=form).status_code == 303
    replay = mini_client.post("/modules/one/check", data=form)
    assert replay.status_code == 409
    assert "already submitted" in replay.get_data(as_text=True)
    assert attempts_stored(mini_app) == 1


def test_double_click_stores_one_attempt(mini_app: Flask, trainee, make_user) -> None:
    """Two identical submissions racing each other on separate connections."""
    clients = [mini_app.test_client() for _ in range(2)]
    for c in clients:
        login(c, "trainee@example.com")
    form = {**open_check(clients[0]), **RIGHT}
    # Both clients are the same trainee; the second needs its own CSRF token for its session.
    forms = [form, {**form, "csrf_token": open_check(clients[1])["csrf_token"]}]
    codes = race(
        *(submitter(c, "/modules/one/check", f) for c, f in zip(clients, forms, strict=True))
    )
    assert sorted(codes) == [303, 409]
    assert attempts_stored(mini_app) == 1


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"q9": "a"}, 400, "q9: this check has no such question"),
        ({"q1": "z"}, 400, "q1: unknown option(s) z"),
        ({"q3.i1": "premium"}, 400, "item i1: unknown category"),
        ({"ticket": "forged"}, 400, "This form was altered"),
    ],
)
def test_tampered_submissions_are_refused(
    mini_app, mini_client, trainee, change, status, message
) -> None:
    response = mini_client.post(
        "/modules/one/check", data={**open_check(mini_client), **RIGHT, **change}
    )
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert attempts_stored(mini_app) == 0


def test_missing_answers_keep_the_given_ones(
    mini_app: Flask, mini_client: FlaskClient, trainee
) -> None:
    form = {**open_check(mini_client), **RIGHT}
    del form["q2"], form["q3.i4"]
    response = mini_client.post("/modules/one/check", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count("Please answer this question.") == 2
    assert re.search(r'name="q1" value="a" checked', html)
    assert re.search(r'name="q3.i1" value="explicit" checked', html)
    assert attempts_stored(mini_app) == 0
    # the same form, completed, is then accepted once
    assert mini_client.post("/modules/one/check", data={**form, **RIGHT}).status_code == 303


def test_ticket_for_another_check_or_trainee_is_refused(
    mini_app, mini_client, trainee, make_user
) -> None:
    form = {**open_check(mini_client, "one"), **RIGHT}
    assert mini_client.post("/modules/two/check", data=form).status_code == 400
    make_user(email="other@example.com", target=mini_app)
    other = mini_app.test_client()
    login(other, "other@example.com")
    stolen = {**form, "csrf_token": open_check(other)["csrf_token"]}
    response = other.post("/modules/one/check", data=stolen)
    assert response.status_code == 400 and "not issued to you" in response.get_data(as_text=True)
    assert attempts_stored(mini_app) == 0


def test_expired_form_is_refused(make_app, make_user) -> None:
    app = make_app(COURSEKIT_CONTENT_DIR=str(MINI_CONTENT), COURSEKIT_CHECK_TOKEN_MAX_AGE=-1)
    make_user(email="t@example.com", target=app)
    client = app.test_client()
    login(client, "t@example.com")
    response = client.post("/modules/one/check", data={**open_check(client), **RIGHT})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert attempts_stored(app) == 0


def test_trainee_cannot_read_another_trainees_attempt(
    mini_app, mini_client, trainee, make_user
) -> None:
    done = mini_client.post("/modules/one/check", data={**open_check(mini_client), **RIGHT})
    url = done.headers["Location"]
    make_user(email="other@example.com", target=mini_app)
    other = mini_app.test_client()
    login(other, "other@example.com")
    assert other.get(url).status_code == 404
    make_user(email="admin@example.com", role="admin", target=mini_app)
    admin = mini_app.test_client()
    login(admin, "admin@example.com")
    assert admin.get(url).status_code == 200


def test_review_uses_the_version_the_attempt_was_taken_on(
    make_app, make_user, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI_CONTENT, content)
    app = make_app(COURSEKIT_CONTENT_DIR=str(content))
    make_user(email="t@example.com", target=app)
    client = app.test_client()
    login(client, "t@example.com")
    url = client.post("/modules/one/check", data={**open_check(client), **RIGHT}).headers[
        "Location"
    ]
    stale_form = {**open_check(client), **RIGHT}
    # The course changes: a new prompt. The old attempt still shows the old question.
    path = content / "checks" / "one.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Pick a", "Choose A now"), encoding="utf-8"
    )
    changed = make_app(COURSEKIT_CONTENT_DIR=str(content))
    client2 = changed.test_client()
    login(client2, "t@example.com")
    review = client2.get(url).get_data(as_text=True)
    assert "Pick a" in review and "Choose A now" not in review
    stale = client2.post(
        "/modules/one/check", data={**stale_form, "csrf_token": open_check(client2)["csrf_token"]}
    )
    assert stale.status_code == 409 and "questions changed" in stale.get_data(as_text=True)
    session = changed.extensions["coursekit"].db.sessionmaker()
    hashes = session.scalars(select(CheckAttempt.check_hash)).all()
    session.close()
    assert len(hashes) == 1  # the stale form stored nothing


def test_option_order_follows_the_ticket_seed(mini_client: FlaskClient, trainee) -> None:
    orders = set()
    for _ in range(8):
        html = mini_client.get("/modules/one/check").get_data(as_text=True)
        orders.add(tuple(re.findall(r'name="q2" value="(\w)"', html)))
    assert len(orders) > 1  # shuffled per attempt
    form = {**open_check(mini_client), **RIGHT}
    check_html = mini_client.get("/modules/one/check").get_data(as_text=True)  # noqa: F841
    url = mini_client.post("/modules/one/check", data=form).headers["Location"]
    review = mini_client.get(url).get_data(as_text=True)
    assert "correct answer" in review


def test_lesson_progress_rows(mini_app: Flask, mini_client: FlaskClient, trainee) -> None:
    mini_client.get("/modules/two")
    mini_client.get("/modules/two")
    session = mini_app.extensions["coursekit"].db.sessionmaker()
    rows = session.scalars(select(LessonProgress)).all()
    session.close()
    assert [(r.module_id, r.completed_at) for r in rows] == [("two", None)]


def test_continue_follows_the_lesson_opened_last(mini_client: FlaskClient, trainee) -> None:
    mini_client.get("/modules/two")
    mini_client.get("/modules/one")
    assert mini_client.get("/continue").headers["Location"] == "/modules/one"
    mini_client.get("/modules/two")
    assert mini_client.get("/continue").headers["Location"] == "/modules/two"
