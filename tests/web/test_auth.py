"""Sign-up, login, logout, password change, rate limits and CSRF, through the test client."""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coursekit.auth.models import User
from tests.conftest import PASSWORD, csrf_from, login, post_form

REGISTRATION = {
    "name": "李娜",
    "email": "Li.Na@Example.com",
    "password": PASSWORD,
    "confirm": PASSWORD,
}


def count_users(db) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).select_from(User))


def test_sign_up_logs_in_and_hashes_the_password(client: FlaskClient, db) -> None:
    response = post_form(client, "/register", data=REGISTRATION)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Log out" in page and "Your progress: 0%" in page
    user = db.scalar(select(User))
    assert user.email == "li.na@example.com" and user.name == "李娜" and user.role == "trainee"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_sign_up_errors_keep_the_form_and_store_nothing(client: FlaskClient, db) -> None:
    cases = [
        ({"password": "short", "confirm": "short"}, "The password is too short"),
        ({"confirm": "something else entirely"}, "The passwords do not match"),
        ({"email": "not-an-email"}, "Invalid email address"),
        ({"name": ""}, "This field is required"),
    ]
    for change, message in cases:
        response = post_form(client, "/register", data={**REGISTRATION, **change})
        assert response.status_code == 422, change
        html = response.get_data(as_text=True)
        assert message in html, change
        assert 'aria-invalid="true"' in html
    assert count_users(db) == 0


def test_duplicate_email_is_refused(client: FlaskClient, make_user, db) -> None:
    make_user(email="li.na@example.com")
    response = post_form(client, "/register", data=REGISTRATION)
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert count_users(db) == 1


def test_login_logout(client: FlaskClient, make_user) -> None:
    make_user(email="tom@example.com")
    response = post_form(client, "/login", data={"email": "TOM@example.com ", "password": PASSWORD})
    assert response.status_code == 302
    assert "Log out" in client.get("/").get_data(as_text=True)
    html = client.get("/").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302
    assert client.get("/modules/m01-what-are-expectations").status_code == 302


def test_wrong_password_and_unknown_email_look_the_same(client: FlaskClient, make_user) -> None:
    make_user(email="tom@example.com")
    wrong = post_form(
        client, "/login", data={"email": "tom@example.com", "password": "nope nope nope"}
    )
    unknown = post_form(
        client, "/login", data={"email": "who@example.com", "password": "nope nope nope"}
    )
    assert wrong.status_code == unknown.status_code == 422
    assert "The email or password is wrong." in wrong.get_data(as_text=True)
    assert "The email or password is wrong." in unknown.get_data(as_text=True)


def test_login_redirects_only_to_local_pages(client: FlaskClient, make_user) -> None:
    make_user(email="tom@example.com")
    for target, expected in [
        ("/modules/m02-how-expectations-form", "/modules/m02-how-expectations-form"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
    ]:
        client.get("/")  # fresh page for a fresh token
        response = post_form(
            client,
            "/login",
            data={"email": "tom@example.com", "password": PASSWORD, "next": target},
        )
        assert response.headers["Location"] == expected, target
        html = client.get("/").get_data(as_text=True)
        client.post("/logout", data={"csrf_token": csrf_from(html)})


def test_login_is_rate_limited_per_account(client: FlaskClient, make_user) -> None:
    make_user(email="tom@example.com")
    codes = [
        post_form(
            client, "/login", data={"email": "tom@example.com", "password": "guess guess guess"}
        ).status_code
        for _ in range(6)
    ]
    assert codes == [422] * 5 + [429]
    refused = post_form(client, "/login", data={"email": "tom@example.com", "password": PASSWORD})
    assert refused.status_code == 429  # a browser that never signed in to it waits
    assert "Too many attempts" in refused.get_data(as_text=True)
    # another account from the same address is still allowed
    make_user(email="ann@example.com")
    assert (
        post_form(
            client, "/login", data={"email": "ann@example.com", "password": PASSWORD}
        ).status_code
        == 302
    )


def test_guessing_cannot_lock_the_owner_out(app, make_user) -> None:  # type: ignore[no-untyped-def]
    """The attack: five wrong passwords a minute for an e-mail kept its owner out. The
    owner's browser, which signed in before, carries a device cookie and is counted apart."""
    make_user(email="admin@example.com", role="admin")
    owner = app.test_client()
    assert (
        post_form(owner, "/login", data={"email": "admin@example.com", "password": PASSWORD})
    ).status_code == 302
    assert owner.get_cookie("ck_device") is not None
    html = owner.get("/").get_data(as_text=True)
    owner.post("/logout", data={"csrf_token": csrf_from(html)})
    attacker = app.test_client()
    guesses = [
        post_form(
            attacker, "/login", data={"email": "admin@example.com", "password": f"guess-{i}-xx"}
        ).status_code
        for i in range(8)
    ]
    assert guesses[5:] == [429] * 3  # the attacker is slowed
    back = post_form(owner, "/login", data={"email": "admin@example.com", "password": PASSWORD})
    assert back.status_code == 302  # the owner is not
    # a device cookie for another account, or a forged one, does not help the attacker
    attacker.set_cookie("ck_device", owner.get_cookie("ck_device").value + "x")
    forged = post_form(
        attacker, "/login", data={"email": "admin@example.com", "password": PASSWORD}
    )
    assert forged.status_code == 429


def test_guessing_the_current_password_on_the_change_page_is_slowed(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(email="tom@example.com")
    login(client, "tom@example.com")
    wrong = {
        "current_password": "not my password",
        "password": "n3w-passphrase!",
        "confirm": "n3w-passphrase!",
    }
    codes = [post_form(client, "/account/password", data=wrong).status_code for _ in range(6)]
    assert codes == [422] * 5 + [429]
    right = {**wrong, "current_password": PASSWORD}
    assert post_form(client, "/account/password", data=right).status_code == 429
    # signing in afresh (a new sign-in, a new session cookie) does not start a new count
    html = client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, "tom@example.com")
    assert post_form(client, "/account/password", data=right).status_code == 429


def test_login_is_rate_limited_per_address(make_app, make_user) -> None:
    app = make_app(COURSEKIT_LOGIN_LIMIT="3 per minute")
    client = app.test_client()
    codes = [
        post_form(
            client, "/login", data={"email": f"u{i}@example.com", "password": "x" * 12}
        ).status_code
        for i in range(4)
    ]
    assert codes == [422, 422, 422, 429]


def test_post_without_csrf_token_is_refused(client: FlaskClient, make_user, db) -> None:
    make_user(email="tom@example.com")
    response = client.post("/register", data=REGISTRATION)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(
        as_text=True
    ) or "could not be accepted" in response.get_data(as_text=True)
    assert (
        client.post("/login", data={"email": "tom@example.com", "password": PASSWORD}).status_code
        == 400
    )
    assert client.post("/language", data={"lang": "zh"}).status_code == 400
    assert count_users(db) == 1


def test_change_password_signs_out_other_sessions(app: Flask, make_user) -> None:
    make_user(email="tom@example.com")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "tom@example.com")
    login(phone, "tom@example.com")
    new = "a brand new passphrase"
    wrong = post_form(
        laptop,
        "/account/password",
        data={"current_password": "wrong wrong wrong", "password": new, "confirm": new},
    )
    assert wrong.status_code == 422 and "current password is wrong" in wrong.get_data(as_text=True)
    response = post_form(
        laptop,
        "/account/password",
        data={"current_password": PASSWORD, "password": new, "confirm": new},
    )
    assert response.status_code == 302
    assert laptop.get("/modules/m01-what-are-expectations").status_code == 200  # this session stays
    assert phone.get("/modules/m01-what-are-expectations").status_code == 302  # the other is out
    fresh = app.test_client()
    assert (
        post_form(
            fresh, "/login", data={"email": "tom@example.com", "password": PASSWORD}
        ).status_code
        == 422
    )
    login(fresh, "tom@example.com", new)


def test_session_cookie_is_http_only_and_same_site(client: FlaskClient, make_user) -> None:
    make_user(email="tom@example.com")
    response = login(client, "tom@example.com")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cli_creates_an_instructor_and_promotes(app: Flask, db) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "coursekit",
            "create-user",
            "--email",
            "Wang@Example.com",
            "--name",
            "王老师",
            "--role",
            "instructor",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert "created instructor wang@example.com" in result.output
    result = runner.invoke(
        args=[
            "coursekit",
            "create-user",
            "--email",
            "wang@example.com",
            "--name",
            "x",
            "--role",
            "admin",
            "--password",
            PASSWORD,
        ]
    )
    assert "wang@example.com is now admin" in result.output
    assert db.scalar(select(User.role).where(User.email == "wang@example.com")) == "admin"
    short = runner.invoke(
        args=[
            "coursekit",
            "create-user",
            "--email",
            "x@example.com",
            "--name",
            "X",
            "--password",
            "short",
        ]
    )
    assert short.exit_code != 0 and "password too short" in short.output


def test_rate_limits_live_in_redis_when_configured(make_app, make_user) -> None:
    """Several app processes must share one count, so the limits go to Redis when it is set."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        server = redis.Redis.from_url(url)
        server.flushdb()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    app = make_app(COURSEKIT_REDIS_URL=url)
    make_user(email="tom@example.com", target=app)
    client = app.test_client()
    codes = [
        post_form(
            client, "/login", data={"email": "tom@example.com", "password": "x" * 12}
        ).status_code
        for _ in range(6)
    ]
    assert codes[-1] == 429
    assert any(b"coursekit" in key for key in server.keys("*"))
    server.flushdb()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Ann\u202eredaer", "text-direction control"),  # would display as "Annreader" reversed
        ("\u2067Mallory\u2069", "text-direction control"),
        ("Tom\x07", "cannot be shown"),
    ],
)
def test_sign_up_refuses_direction_overrides_and_control_characters(
    client: FlaskClient, db, name: str, message: str
) -> None:
    before = count_users(db)
    response = post_form(client, "/register", data={**REGISTRATION, "name": name})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count_users(db) == before


def test_names_in_any_script_still_sign_up(client: FlaskClient, db) -> None:
    for i, name in enumerate(["محمد", "שרה", "प्रिया", "𠮷田", "Zoë Ñúñez"]):
        data = {**REGISTRATION, "name": name, "email": f"n{i}@example.com"}
        assert post_form(client, "/register", data=data).status_code == 302
        html = client.get("/").get_data(as_text=True)
        client.post("/logout", data={"csrf_token": csrf_from(html)})
