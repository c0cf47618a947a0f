"""Cookies in an LMS frame: over https the state and session cookies of a launch are
Secure; SameSite=None; Partitioned; over http they carry no SameSite at all; and the
new-window link signs the same user in at the same place, once."""

from collections.abc import Callable

from flask import Flask
from werkzeug.test import TestResponse

from tests.conftest import PASSWORD, csrf_from
from tests.lti.flow import continue_url, launch, open_url, start_login
from tests.lti.platform import LTI, TestPlatform

HTTPS = "https://localhost"


def _cookie(response: TestResponse, name: str) -> list[str]:
    """The attributes of the Set-Cookie header for `name` (lower-cased, value dropped)."""
    for header in response.headers.getlist("Set-Cookie"):
        key, _, rest = header.partition("=")
        if key == name:
            return [part.strip().lower() for part in rest.split(";")[1:]]
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.getlist('Set-Cookie')}")


def test_over_https_the_launch_cookies_work_in_a_frame(
    lti_app: Flask, platform: TestPlatform
) -> None:
    platform.tool_base = HTTPS
    client = lti_app.test_client()
    login = start_login(client, platform, base_url=HTTPS)
    state = _cookie(login.response, f"coursekit_lti_state_{login.state}")
    print(f"state cookie: {'; '.join(state)}")
    for attribute in ("secure", "httponly", "samesite=none", "partitioned", "path=/lti/launch"):
        assert attribute in state

    response = launch(client, platform, base_url=HTTPS)
    assert response.status_code == 200
    session = _cookie(response, "session")
    print(f"session cookie after the launch: {'; '.join(session)}")
    for attribute in ("secure", "httponly", "samesite=none", "partitioned"):
        assert attribute in session
    page = client.get(continue_url(response), base_url=HTTPS)
    assert page.status_code == 200
    assert client.get("/lti/session", base_url=HTTPS).get_json() == {"signed_in": True}
    # A later change to the session keeps the frame-friendly attributes.
    switched = client.post(
        "/language",
        data={"lang": "zh", "csrf_token": csrf_from(page.get_data(as_text=True))},
        base_url=HTTPS,
        headers={"Referer": f"{HTTPS}/"},
    )
    assert switched.status_code == 303
    assert "partitioned" in _cookie(switched, "session")
    assert "samesite=none" in _cookie(switched, "session")


def test_over_http_the_state_cookie_has_no_samesite(lti_app: Flask, platform: TestPlatform) -> None:
    login = start_login(lti_app.test_client(), platform)
    state = _cookie(login.response, f"coursekit_lti_state_{login.state}")
    assert "httponly" in state and "path=/lti/launch" in state
    assert not [a for a in state if a.startswith("samesite") or a in ("secure", "partitioned")]


def test_a_browser_that_did_not_launch_keeps_lax_cookies(lti_app: Flask, make_user) -> None:
    make_user(email="trainee@example.com", target=lti_app)
    client = lti_app.test_client()
    page = client.get("/login", base_url=HTTPS).get_data(as_text=True)
    response = client.post(
        "/login",
        data={"csrf_token": csrf_from(page), "email": "trainee@example.com", "password": PASSWORD},
        base_url=HTTPS,
        headers={"Referer": f"{HTTPS}/login"},
    )
    assert response.status_code == 302
    session = _cookie(response, "session")
    assert "samesite=lax" in session and "partitioned" not in session


def test_the_new_window_link_signs_the_same_user_in_at_the_same_place_once(
    lti_app: Flask, platform: TestPlatform
) -> None:
    custom = {LTI + "custom": {"coursekit_target": "roleplay:mini-call"}}
    response = launch(lti_app.test_client(), platform, **custom)
    link = open_url(response)
    assert link.startswith("/lti/open/")

    window = lti_app.test_client()  # a new top-level window: none of the frame's cookies
    assert window.get("/lti/session").get_json() == {"signed_in": False}
    opened = window.get(link)
    assert opened.status_code == 303 and opened.headers["Location"] == "/roleplays/mini-call"
    page = window.get("/roleplays/mini-call")
    assert page.status_code == 200 and "A short call" in page.get_data(as_text=True)
    assert window.get("/lti/session").get_json() == {"signed_in": True}

    again = lti_app.test_client().get(link)
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    assert lti_app.test_client().get("/lti/open/made-up").status_code == 404


def test_an_old_new_window_link_is_refused(
    make_lti_app: Callable[..., Flask], platform: TestPlatform
) -> None:
    app = make_lti_app(COURSEKIT_LTI_OPEN_LINK_MAX_AGE=-1)
    link = open_url(launch(app.test_client(), platform))
    response = app.test_client().get(link)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
