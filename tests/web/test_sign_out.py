"""Logout ends the session on the server: a session cookie or a remember-me cookie copied
before logout stops working, other devices stay signed in, and "sign out everywhere" ends
them all."""

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coursekit.auth.models import SignIn
from tests.conftest import PASSWORD, csrf_from, login, post_form

PROTECTED = "/account/password"


def signed_in(client: FlaskClient) -> bool:
    return client.get(PROTECTED).status_code == 200


def copy_cookies(source: FlaskClient, target: FlaskClient, *names: str) -> None:
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        target.set_cookie(name, cookie.value)


def logout(client: FlaskClient) -> None:
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_a_session_cookie_copied_before_logout_stops_working(app: Flask, make_user) -> None:
    make_user(email="wei@example.com")
    phone, thief = app.test_client(), app.test_client()
    login(phone, "wei@example.com")
    copy_cookies(phone, thief, "session")
    assert signed_in(thief)  # the copy works while the sign-in lasts
    logout(phone)
    assert not signed_in(thief) and not signed_in(phone)


def test_a_remember_me_cookie_copied_before_logout_stops_working(app: Flask, make_user) -> None:
    make_user(email="wei@example.com")
    laptop = app.test_client()
    post_form(
        laptop, "/login", data={"email": "wei@example.com", "password": PASSWORD, "remember": "y"}
    )
    remembered = laptop.get_cookie("remember_token").value
    copied = app.test_client()
    copied.set_cookie("remember_token", remembered)
    assert signed_in(copied)  # the remember-me cookie alone signs in
    logout(laptop)
    again = app.test_client()  # the same remember-me cookie, presented after the logout
    again.set_cookie("remember_token", remembered)
    assert not signed_in(again)


def test_logout_on_one_device_leaves_the_others_signed_in(app: Flask, make_user) -> None:
    make_user(email="wei@example.com")
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "wei@example.com")
    login(laptop, "wei@example.com")
    logout(phone)
    assert signed_in(laptop) and not signed_in(phone)


def test_sign_out_everywhere_ends_every_device(app: Flask, make_user) -> None:
    make_user(email="wei@example.com")
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "wei@example.com")
    post_form(
        laptop, "/login", data={"email": "wei@example.com", "password": PASSWORD, "remember": "y"}
    )
    remembered = app.test_client()
    copy_cookies(laptop, remembered, "remember_token")
    page = phone.get(PROTECTED).get_data(as_text=True)
    assert "Sign out everywhere" in page
    done = phone.post("/account/sign-out-everywhere", data={"csrf_token": csrf_from(page)})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert not any(signed_in(c) for c in (phone, laptop, remembered))
    login(phone, "wei@example.com")  # and signing in again works
    assert signed_in(phone)


def test_sign_out_everywhere_needs_its_csrf_token(app: Flask, make_user) -> None:
    make_user(email="wei@example.com")
    phone = app.test_client()
    login(phone, "wei@example.com")
    assert phone.post("/account/sign-out-everywhere").status_code == 400
    assert signed_in(phone)


def test_each_sign_in_is_recorded_and_ended(app: Flask, make_user) -> None:
    user = make_user(email="wei@example.com")
    phone = app.test_client()
    login(phone, "wei@example.com")
    logout(phone)
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        rows = session.scalars(select(SignIn).where(SignIn.user_id == user.id)).all()
        assert len(rows) == 1 and rows[0].ended_at is not None
        assert session.scalar(select(func.count()).select_from(SignIn)) == 1
    finally:
        session.close()
