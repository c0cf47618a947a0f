"""Role-plays through the test client: start, resume, step validation, review, retries."""

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coursekit.roleplay.models import RoleplayAttempt, RoleplayStep
from tests.conftest import MINI_CONTENT, csrf_from, login, race, submitter


def count(app: Flask, model) -> int:  # type: ignore[no-untyped-def]
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        return session.scalar(select(func.count()).select_from(model))
    finally:
        session.close()


@pytest.fixture
def trainee(mini_app: Flask, mini_client: FlaskClient, make_user):  # type: ignore[no-untyped-def]
    user = make_user(email="trainee@example.com", target=mini_app)
    login(mini_client, "trainee@example.com")
    return user


def begin(client: FlaskClient, restart: bool = False) -> str:
    html = client.get("/roleplays/mini-call").get_data(as_text=True)
    data = {"csrf_token": csrf_from(html), **({"restart": "1"} if restart else {})}
    response = client.post("/roleplays/mini-call/start", data=data)
    assert response.status_code == 303
    return response.headers["Location"]


def step_form(client: FlaskClient, play_url: str) -> dict[str, str]:
    """The hidden fields of the decision currently shown."""
    html = client.get(play_url).get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))
    return {k: fields[k] for k in ("csrf_token", "position", "node")}


def take(client: FlaskClient, play_url: str, choice: str):  # type: ignore[no-untyped-def]
    return client.post(f"{play_url}/step", data={**step_form(client, play_url), "choice": choice})


def test_pages_need_a_login(mini_client: FlaskClient) -> None:
    for url in ["/roleplays/mini-call", "/roleplays/attempts/1", "/roleplays/attempts/1/review"]:
        assert mini_client.get(url).status_code == 302, url


def test_play_to_the_end_and_review(mini_app: Flask, mini_client: FlaskClient, trainee) -> None:
    url = begin(mini_client)
    page = mini_client.get(url).get_data(as_text=True)
    assert "Where is my order?" in page and "When do you need it?" in page
    assert 'meter min="0" max="100" value="50"' in page  # practice mode shows the meters
    assert take(mini_client, url, "wait").headers["Location"] == url
    done = take(mini_client, url, "basics")
    assert done.status_code == 303 and done.headers["Location"] == f"{url}/review"
    review = mini_client.get(f"{url}/review").get_data(as_text=True)
    assert "Your score: 66.8" in review and "delighted" in review
    # the review explains the numbers: discover 33.3 from decision 1, and the better reply
    assert "33.3" in review and "Decision 1:" in review
    assert "When do you need it?" in review and "A better reply:" in review
    assert "E 50 → 50 · P 50 → 60 · T 50 → 50" in review
    assert "<polyline" in review
    assert mini_client.get(url).headers["Location"] == f"{url}/review"  # finished: no more play
    session = mini_app.extensions["coursekit"].db.sessionmaker()
    attempt = session.scalar(select(RoleplayAttempt))
    session.close()
    assert (attempt.status, attempt.score, attempt.passed, attempt.band) == (
        "finished",
        66.8,
        True,
        "delighted",
    )
    assert attempt.path == ["wait", "basics"]


def test_resume_after_closing_the_phone(mini_app: Flask, trainee, make_user) -> None:
    phone = mini_app.test_client()
    login(phone, "trainee@example.com")
    url = begin(phone)
    take(phone, url, "ask")
    laptop = mini_app.test_client()  # a new session: the phone was closed
    login(laptop, "trainee@example.com")
    intro = laptop.get("/roleplays/mini-call").get_data(as_text=True)
    assert "Resume the conversation (decision 2)" in intro
    assert begin(laptop) == url  # starting again resumes the same conversation
    page = laptop.get(url).get_data(as_text=True)
    assert "It is a gift." in page and "When do you need it?" in page  # transcript so far
    assert count(mini_app, RoleplayAttempt) == 1


def test_restart_abandons_and_keeps_best_and_latest(mini_app, mini_client, trainee) -> None:
    url = begin(mini_client)
    take(mini_client, url, "ask")
    take(mini_client, url, "basics")  # 95.4
    second = begin(mini_client)
    assert second != url
    take(mini_client, second, "promise")
    take(mini_client, second, "extras")  # 7.8
    intro = mini_client.get("/roleplays/mini-call").get_data(as_text=True)
    assert "Best: 95.4" in intro and "Latest: 7.8" in intro and "2 attempts" in intro
    third = begin(mini_client)
    take(mini_client, third, "wait")
    fourth = begin(mini_client, restart=True)  # give up on the third
    assert fourth not in (url, second, third)
    statuses = sorted(a for a in _statuses(mini_app))
    assert statuses == ["abandoned", "active", "finished", "finished"]


def _statuses(app: Flask) -> list[str]:
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        return list(session.scalars(select(RoleplayAttempt.status)))
    finally:
        session.close()


def test_replayed_step_is_refused_and_changes_nothing(mini_app, mini_client, trainee) -> None:
    url = begin(mini_client)
    form = {**step_form(mini_client, url), "choice": "ask"}
    assert mini_client.post(f"{url}/step", data=form).status_code == 303
    replay = mini_client.post(f"{url}/step", data=form)
    assert replay.status_code == 409 and "already taken" in replay.get_data(as_text=True)
    other_choice = mini_client.post(f"{url}/step", data={**form, "choice": "promise"})
    assert other_choice.status_code == 409
    assert count(mini_app, RoleplayStep) == 1


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"choice": "basics"}, 400),  # a choice of a later node
        ({"choice": "hack"}, 400),  # no such choice
        ({"node": "mid"}, 409),  # a node the conversation is not at
        ({"position": "1"}, 409),  # out of order
        ({"position": "x"}, 400),
    ],
)
def test_forged_or_out_of_order_steps(mini_app, mini_client, trainee, change, status) -> None:
    url = begin(mini_client)
    form = {**step_form(mini_client, url), "choice": "ask", **change}
    assert mini_client.post(f"{url}/step", data=form).status_code == status
    assert count(mini_app, RoleplayStep) == 0
    assert mini_client.get(url).status_code == 200  # the conversation is where it was


def test_step_after_the_end_is_refused(mini_app, mini_client, trainee) -> None:
    url = begin(mini_client)
    take(mini_client, url, "ask")
    csrf = step_form(mini_client, url)["csrf_token"]
    take(mini_client, url, "basics")
    late = mini_client.post(
        f"{url}/step", data={"csrf_token": csrf, "position": "2", "node": "end", "choice": "ask"}
    )
    assert late.status_code == 409 and "already ended" in late.get_data(as_text=True)
    assert count(mini_app, RoleplayStep) == 2


def test_double_click_advances_once(mini_app: Flask, trainee) -> None:
    clients = [mini_app.test_client() for _ in range(2)]
    for c in clients:
        login(c, "trainee@example.com")
    url = begin(clients[0])
    forms = [{**step_form(c, url), "choice": "ask"} for c in clients]
    codes = race(*(submitter(c, f"{url}/step", f) for c, f in zip(clients, forms, strict=True)))
    assert sorted(codes) == [303, 409]
    assert count(mini_app, RoleplayStep) == 1


def test_double_click_on_start_makes_one_conversation(mini_app: Flask, trainee) -> None:
    clients = [mini_app.test_client() for _ in range(2)]
    for c in clients:
        login(c, "trainee@example.com")
    forms = [
        {"csrf_token": csrf_from(c.get("/roleplays/mini-call").get_data(as_text=True))}
        for c in clients
    ]
    starts = zip(clients, forms, strict=True)
    locations = race(
        *(submitter(c, "/roleplays/mini-call/start", f, "Location") for c, f in starts)
    )
    assert len(set(locations)) == 1
    assert count(mini_app, RoleplayAttempt) == 1


def test_another_trainee_cannot_see_or_play_an_attempt(
    mini_app, mini_client, trainee, make_user
) -> None:
    url = begin(mini_client)
    form = step_form(mini_client, url)
    make_user(email="other@example.com", target=mini_app)
    other = mini_app.test_client()
    login(other, "other@example.com")
    assert other.get(url).status_code == 404
    assert other.get(f"{url}/review").status_code == 404
    csrf = csrf_from(other.get("/").get_data(as_text=True))
    assert (
        other.post(f"{url}/step", data={**form, "csrf_token": csrf, "choice": "ask"}).status_code
        == 404
    )
    assert count(mini_app, RoleplayStep) == 0


def test_assessment_mode_hides_the_meters(make_app, make_user, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI_CONTENT, content)
    course = content / "course.yaml"
    course.write_text(
        course.read_text(encoding="utf-8").replace(
            "pass_mark: 60", "pass_mark: 60\nroleplay_mode: assessment"
        ),
        encoding="utf-8",
    )
    app = make_app(COURSEKIT_CONTENT_DIR=str(content))
    make_user(email="t@example.com", target=app)
    client = app.test_client()
    login(client, "t@example.com")
    page = client.get(begin(client)).get_data(as_text=True)
    assert "<meter" not in page and "Where is my order?" in page


def test_an_attempt_keeps_its_scenario_version(make_app, make_user, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI_CONTENT, content)
    app = make_app(COURSEKIT_CONTENT_DIR=str(content))
    make_user(email="t@example.com", target=app)
    client = app.test_client()
    login(client, "t@example.com")
    url = begin(client)
    take(client, url, "ask")
    # The scenario changes while the conversation is under way: a new line at the second node.
    path = content / "roleplays" / "mini-call.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("It is a gift.", "It is for my mother."),
        encoding="utf-8",
    )
    changed = make_app(COURSEKIT_CONTENT_DIR=str(content))
    client2 = changed.test_client()
    login(client2, "t@example.com")
    assert "It is a gift." in client2.get(url).get_data(as_text=True)
    assert take(client2, url, "basics").status_code == 303
    review = client2.get(f"{url}/review").get_data(as_text=True)
    assert "It is a gift." in review and "Your score: 95.4" in review
    fresh = begin(client2)  # a new conversation plays the new version
    take(client2, fresh, "ask")
    assert "It is for my mother." in client2.get(fresh).get_data(as_text=True)


def test_progress_counts_the_roleplay(mini_client: FlaskClient, trainee) -> None:
    url = begin(mini_client)
    take(mini_client, url, "ask")
    take(mini_client, url, "basics")
    home = mini_client.get("/").get_data(as_text=True)
    assert "Role-play: best 95.4" in home
    assert "Your progress: 20%" in home  # one of five parts


def test_the_lesson_page_shows_its_own_roleplays_best_score(
    mini_client: FlaskClient, trainee
) -> None:  # type: ignore[no-untyped-def]
    before = mini_client.get("/modules/one").get_data(as_text=True)
    assert 'href="/roleplays/mini-call"' in before and "best " not in before
    url = begin(mini_client)
    take(mini_client, url, "ask")
    take(mini_client, url, "basics")
    lesson = mini_client.get("/modules/one").get_data(as_text=True)
    assert '<span class="tag ok">best 95.4</span>' in lesson
    other = mini_client.get("/modules/two").get_data(as_text=True)
    assert "mini-call" not in other and "best " not in other
