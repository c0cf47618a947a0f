"""The header and footer every page shares are rendered once per language, kind of learner and
settings (coursekit/chrome.py): what is kept for one visitor must never show for another."""

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_from, login, post_form

LESSON = "/modules/m01-what-are-expectations"
NEXT_RE = re.compile(r'name="next" value="([^"]*)"')


def _nav(html: str) -> str:
    return html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]


def test_each_kind_of_visitor_gets_its_own_navigation(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(email="trainee@example.com")
    make_user(email="instructor@example.com", role="instructor")
    make_user(email="admin@example.com", role="admin")
    seen = {}
    for who in ("trainee", "instructor", "admin", "trainee"):
        client = app.test_client()
        login(client, f"{who}@example.com")
        seen[who] = _nav(client.get("/").get_data(as_text=True))
    anonymous = _nav(app.test_client().get("/").get_data(as_text=True))

    assert 'href="/join"' in seen["trainee"] and "/admin/" not in seen["trainee"]
    assert "Cohorts" in seen["instructor"] and 'href="/join"' not in seen["instructor"]
    assert "/admin/organisations" in seen["admin"] and "/admin/users" in seen["admin"]
    assert "Log out" in seen["trainee"] and "Log out" not in anonymous
    assert "/login" in anonymous and "/continue" not in anonymous


def test_the_language_switch_returns_to_this_page_with_this_sessions_token(
    client: FlaskClient, make_user
) -> None:  # type: ignore[no-untyped-def]
    make_user(email="trainee@example.com")
    login(client, "trainee@example.com")
    lesson = client.get(LESSON + "?from=a&b=<x>").get_data(as_text=True)
    # The page's own path, escaped; not the path of whoever filled the kept header first.
    assert NEXT_RE.search(lesson).group(1) == LESSON + "?from=a&amp;b=&lt;x&gt;"  # type: ignore[union-attr]
    index = client.get("/").get_data(as_text=True)
    assert NEXT_RE.search(index).group(1) == "/?"  # type: ignore[union-attr]

    other = client.application.test_client()
    other_token = csrf_from(other.get("/").get_data(as_text=True))
    assert csrf_from(index) != other_token  # each session its own token, kept header or not

    switched = post_form(client, LESSON, "/language", data={"lang": "zh", "next": LESSON})
    assert switched.status_code == 303 and switched.headers["Location"].endswith(LESSON)
    chinese = client.get(LESSON).get_data(as_text=True)
    assert "退出登录" in _nav(chinese)
    assert 'lang="zh-Hans"' in chinese and 'aria-pressed="true" class="current">简体中文' in chinese
    english = other.get(LESSON, follow_redirects=True).get_data(as_text=True)
    assert "Log in" in _nav(english)


def test_the_lesson_page_shows_this_trainees_progress(client: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(email="trainee@example.com")
    login(client, "trainee@example.com")
    first = client.get(LESSON).get_data(as_text=True)
    assert "Mark as read and take the knowledge check" in first
    done = post_form(client, LESSON, LESSON + "/done")
    assert done.status_code == 303
    again = client.get(LESSON).get_data(as_text=True)
    assert "You have marked this lesson as read." in again
    assert "Mark as read" not in again
