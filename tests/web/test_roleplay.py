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


RIGHT = {"gift-wrap": ["implicit", "enhanced"], "on-time": ["explicit", "basic"]}


def tag(client: FlaskClient, play_url: str, tags: dict[str, list[str]] | None = None):  # type: ignore[no-untyped-def]
    """Tag the expectations the classify page asks about (all of them right by default)."""
    html = client.get(play_url, follow_redirects=True).get_data(as_text=True)
    asked = set(re.findall(r'name="kind-([\w-]+)"', html))
    chosen = tags if tags is not None else {e: RIGHT[e] for e in asked}
    data: dict[str, object] = {"csrf_token": csrf_from(html)}
    data.update({f"kind-{e}": kinds for e, kinds in chosen.items()})
    return client.post(f"{play_url}/classify", data=data)


def finish(client: FlaskClient, play_url: str, *choices: str) -> None:
    """Take the choices and, when the ending asks for it, tag what was uncovered right."""
    for choice in choices:
        response = take(client, play_url, choice)
        assert response.status_code == 303, response.get_data(as_text=True)
    if response.headers["Location"] == play_url:
        assert tag(client, play_url).headers["Location"] == f"{play_url}/review"


def shown(client: FlaskClient, play_url: str) -> list[str]:
    html = client.get(play_url).get_data(as_text=True)
    return re.findall(r'<button type="submit" name="choice" value="([\w-]+)"', html)


def test_pages_need_a_login(mini_client: FlaskClient) -> None:
    for url in ["/roleplays/mini-call", "/roleplays/attempts/1", "/roleplays/attempts/1/review"]:
        assert mini_client.get(url).status_code == 302, url


def test_play_to_the_end_tag_and_review(mini_app: Flask, mini_client: FlaskClient, trainee) -> None:
    url = begin(mini_client)
    page = mini_client.get(url).get_data(as_text=True)
    assert "Where is my order?" in page and "When do you need it?" in page
    assert 'class="zone-meter' in page and "A 45" in page and "D 60" in page  # practice meter
    assert take(mini_client, url, "check").headers["Location"] == url
    page = mini_client.get(url).get_data(as_text=True)
    assert "Checking before promising." in page  # practice: the reply's feedback right after
    assert "Your last reply moved: T +5" in page
    at_end = take(mini_client, url, "basics")
    # The ending asks the trainee to tag what they uncovered before any score is shown.
    assert at_end.status_code == 303 and at_end.headers["Location"] == url
    classify = mini_client.get(url).get_data(as_text=True)
    assert "Before you see how it went" in classify and 'name="kind-gift-wrap"' in classify
    assert "Gift wrap" in classify and "kind-on-time" not in classify  # only what was found
    assert _statuses(mini_app) == ["active"]
    done = tag(mini_client, url, {"gift-wrap": ["implicit"]})  # half right
    assert done.status_code == 303 and done.headers["Location"] == f"{url}/review"
    review = mini_client.get(f"{url}/review").get_data(as_text=True)
    assert "Your score: 83.6" in review and "delighted" in review
    assert "you tagged it: implicit" in review
    assert "Half from your replies (100.0), half from your tagging (50.0)." in review
    assert "Perceived performance 65 against a zone of tolerance from 45 (adequate) to 60" in review
    assert "<polygon" in review and "<polyline" in review  # the zone band and the lines
    assert mini_client.get(url).headers["Location"] == f"{url}/review"  # finished: no more play
    session = mini_app.extensions["coursekit"].db.sessionmaker()
    attempt = session.scalar(select(RoleplayAttempt))
    session.close()
    assert (attempt.status, attempt.score, attempt.passed, attempt.band) == (
        "finished",
        83.6,
        True,
        "delighted",
    )
    assert attempt.path == ["check", "basics"] and attempt.tags == {"gift-wrap": ["implicit"]}


def test_the_review_names_one_better_reply_per_decision(mini_client, trainee) -> None:
    url = begin(mini_client)
    finish(mini_client, url, "promise", "wrap")
    review = mini_client.get(f"{url}/review").get_data(as_text=True)
    assert review.count("A better reply here:") == 2
    assert "“When do you need it?”" in review and "“Date first, then the wrapping.”" in review
    # the costliest decisions are marked in the steps and on the chart
    assert review.count("one of the costliest") == 2 and 'class="cost-mark"' in review
    assert "Scored on: Discover -1, Calibrate -2." in review


def test_choices_are_shuffled_per_attempt_stored_and_shown_again(
    mini_app: Flask, mini_client: FlaskClient, trainee
) -> None:
    orders = set()
    for _ in range(8):
        url = begin(mini_client, restart=True)
        first = shown(mini_client, url)
        assert sorted(first) == ["ask", "check", "promise"]
        assert shown(mini_client, url) == first  # the same order on every reload
        orders.add(tuple(first))
    assert len(orders) > 1  # attempts differ
    finish(mini_client, url, "check", "wrap")
    session = mini_app.extensions["coursekit"].db.sessionmaker()
    attempt = session.scalar(select(RoleplayAttempt).where(RoleplayAttempt.status == "finished"))
    steps = session.scalars(
        select(RoleplayStep).where(RoleplayStep.attempt_id == attempt.id).order_by("position")
    ).all()
    session.close()
    assert steps[0].shown == first and sorted(steps[1].shown) == ["basics", "extras", "wrap"]
    review = mini_client.get(f"/roleplays/attempts/{attempt.id}/review").get_data(as_text=True)
    said = {
        "ask": "When do you need it?",
        "check": "I&#39;ll check, then give you a date I can keep.",
        "promise": "So sorry for the wait! It will be with you tomorrow, I promise.",
    }
    listed = re.search(r'<ol class="shown" type="A">(.*?)</ol>', review, re.S).group(1)
    assert [said[c] in listed for c in first] == [True] * 3
    positions = [listed.index(said[c]) for c in first]
    assert positions == sorted(positions)  # in the order the trainee saw them


@pytest.mark.parametrize(
    "tags",
    [
        {},  # nothing tagged
        {"gift-wrap": ["sparkly"]},  # no such kind
        {"gift-wrap": ["implicit"], "on-time": ["basic"]},  # on-time was not uncovered
    ],
)
def test_bad_tagging_is_refused_and_changes_nothing(mini_app, mini_client, trainee, tags) -> None:
    url = begin(mini_client)
    take(mini_client, url, "check")
    take(mini_client, url, "basics")
    refused = tag(mini_client, url, tags)
    assert refused.status_code == 422
    assert "Tag every expectation you uncovered" in refused.get_data(as_text=True)
    assert _statuses(mini_app) == ["active"]
    assert tag(mini_client, url).status_code == 303  # then a good tagging goes through
    again = tag(mini_client, url)
    assert again.status_code == 409 and "already ended" in again.get_data(as_text=True)


def test_tagging_before_the_end_is_refused(mini_app, mini_client, trainee) -> None:
    url = begin(mini_client)
    html = mini_client.get(url).get_data(as_text=True)
    early = mini_client.post(
        f"{url}/classify", data={"csrf_token": csrf_from(html), "kind-gift-wrap": "implicit"}
    )
    assert early.status_code == 409 and "not reached its end" in early.get_data(as_text=True)
    assert _statuses(mini_app) == ["active"]


def test_nothing_uncovered_needs_no_tagging(mini_app, mini_client, trainee) -> None:
    url = begin(mini_client)
    take(mini_client, url, "promise")
    assert take(mini_client, url, "extras").headers["Location"] == f"{url}/review"
    review = mini_client.get(f"{url}/review").get_data(as_text=True)
    assert "Your score: 5.6" in review and "dissatisfied" in review


def test_a_passed_review_leads_on_to_the_next_module(mini_client, trainee) -> None:
    url = begin(mini_client)
    finish(mini_client, url, "check", "basics")
    review = mini_client.get(f"{url}/review").get_data(as_text=True)
    assert 'href="/modules/two"' in review and "On to the next module" in review
    failed = begin(mini_client)
    finish(mini_client, failed, "promise", "extras")
    assert "On to the next module" not in mini_client.get(f"{failed}/review").get_data(as_text=True)


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
    finish(mini_client, url, "check", "basics")  # 87.8
    second = begin(mini_client)
    assert second != url
    finish(mini_client, second, "promise", "extras")  # 5.6
    intro = mini_client.get("/roleplays/mini-call").get_data(as_text=True)
    assert "Best: 87.8" in intro and "Latest: 5.6" in intro and "2 attempts" in intro
    third = begin(mini_client)
    take(mini_client, third, "check")
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
    take(mini_client, url, "check")
    csrf = step_form(mini_client, url)["csrf_token"]
    take(mini_client, url, "basics")
    waiting = {"csrf_token": csrf, "position": "2", "node": "end", "choice": "ask"}
    # at the ending, waiting for the tags: no step
    assert mini_client.post(f"{url}/step", data=waiting).status_code == 409
    tag(mini_client, url)
    late = mini_client.post(f"{url}/step", data=waiting)
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
    url = begin(client)
    page = client.get(url).get_data(as_text=True)
    assert "zone-meter" not in page and "Where is my order?" in page
    take(client, url, "ask")
    page = client.get(url).get_data(as_text=True)
    assert "Asking first." not in page  # no feedback during an assessment
    take(client, url, "basics")
    # Classify is an act in assessment mode too: the kinds are never shown before tagging.
    classify = client.get(url).get_data(as_text=True)
    assert "kind-on-time" in classify and "kind-gift-wrap" in classify
    assert 'class="tag"' not in classify
    done = tag(client, url, {"on-time": ["explicit", "basic"], "gift-wrap": ["basic"]})
    assert done.headers["Location"] == f"{url}/review"
    review = client.get(f"{url}/review").get_data(as_text=True)
    # tagging: on-time right (1), gift-wrap wrong (0): 50; classify (100 + 50) / 2 = 75
    assert "Half from your replies (100.0), half from your tagging (50.0)." in review


def test_an_attempt_keeps_its_scenario_version(make_app, make_user, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI_CONTENT, content)
    app = make_app(COURSEKIT_CONTENT_DIR=str(content))
    make_user(email="t@example.com", target=app)
    client = app.test_client()
    login(client, "t@example.com")
    url = begin(client)
    take(client, url, "check")
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
    assert tag(client2, url).status_code == 303
    review = client2.get(f"{url}/review").get_data(as_text=True)
    assert "It is a gift." in review and "Your score: 87.8" in review
    fresh = begin(client2)  # a new conversation plays the new version
    take(client2, fresh, "ask")
    assert "It is for my mother." in client2.get(fresh).get_data(as_text=True)


def test_progress_counts_the_roleplay(mini_client: FlaskClient, trainee) -> None:
    url = begin(mini_client)
    finish(mini_client, url, "check", "basics")
    home = mini_client.get("/").get_data(as_text=True)
    assert "Role-play: best 87.8" in home
    assert "Your progress: 20%" in home  # one of five parts


def test_the_lesson_page_shows_its_own_roleplays_best_score(
    mini_client: FlaskClient, trainee
) -> None:  # type: ignore[no-untyped-def]
    before = mini_client.get("/modules/one").get_data(as_text=True)
    assert 'href="/roleplays/mini-call"' in before and "best " not in before
    url = begin(mini_client)
    finish(mini_client, url, "check", "basics")
    lesson = mini_client.get("/modules/one").get_data(as_text=True)
    assert '<span class="tag ok">best 87.8</span>' in lesson
    other = mini_client.get("/modules/two").get_data(as_text=True)
    assert "mini-call" not in other and "best " not in other


def test_double_click_on_tagging_scores_once(mini_app: Flask, trainee) -> None:
    clients = [mini_app.test_client() for _ in range(2)]
    for c in clients:
        login(c, "trainee@example.com")
    url = begin(clients[0])
    take(clients[0], url, "check")
    take(clients[0], url, "basics")
    forms = []
    for c in clients:
        html = c.get(url).get_data(as_text=True)
        forms.append({"csrf_token": csrf_from(html), "kind-gift-wrap": ["implicit", "enhanced"]})
    posts = zip(clients, forms, strict=True)
    codes = race(*(submitter(c, f"{url}/classify", f) for c, f in posts))
    assert sorted(codes) == [303, 409]
    assert _statuses(mini_app) == ["finished"]
