"""Rate limits designed for a workshop: a room of 300 behind one Wi-Fi (one client address)
signs up and joins its cohort within ten minutes, while a script guessing passwords, spraying
accounts or guessing join codes from one address is still slowed. Behind trusted proxies the
client's own address counts; without them, X-Forwarded-For changes nothing."""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coursekit.cohorts import services as cohorts
from coursekit.cohorts.models import CohortMember
from tests.conftest import PASSWORD, csrf_from, login, post_form

ROOM = 300


def sign_up(app: Flask, i: int, headers: dict[str, str] | None = None, code: str = ""):  # type: ignore[no-untyped-def]
    phone = app.test_client()
    if code:  # the phone scanned the projector's QR code before it had an account
        assert phone.get(f"/join/{code}", headers=headers).status_code == 302
    page = phone.get("/register", headers=headers).get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(page),
        "name": f"Trainee {i}",
        "email": f"t{i}@example.com",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    return phone, phone.post("/register", data=data, headers=headers)


def join(phone: FlaskClient, code: str):  # type: ignore[no-untyped-def]
    page = phone.get(f"/join/{code}")
    assert page.status_code == 200, page.status_code
    token = csrf_from(page.get_data(as_text=True))
    return phone.post(f"/join/{code}", data={"csrf_token": token, "code": code})


@pytest.fixture
def cohort_code(mini_app: Flask, make_user) -> str:
    instructor = make_user(email="teacher@example.com", role="instructor", target=mini_app)
    session = mini_app.extensions["coursekit"].db.sessionmaker()
    try:
        return cohorts.create(session, instructor, name="Room", course_id="mini").join_code
    finally:
        session.close()


def test_a_room_behind_one_address_signs_up_and_joins(mini_app: Flask, cohort_code) -> None:
    assert mini_app.config["RATELIMIT_ENABLED"]
    for i in range(ROOM):
        phone, signed_up = sign_up(mini_app, i, code=cohort_code)
        assert signed_up.status_code == 302, (i, signed_up.status_code)
        joined = join(phone, cohort_code)
        assert joined.status_code in (302, 303), (i, joined.status_code)
    session = mini_app.extensions["coursekit"].db.sessionmaker()
    try:
        cohort = cohorts.find_by_code(session, cohort_code)
        assert cohort is not None
        members = session.scalar(
            select(func.count())
            .select_from(CohortMember)
            .where(CohortMember.cohort_id == cohort.id)
        )
        assert members == ROOM
    finally:
        session.close()
    # the limit is there: the next sign-up from the same address within ten minutes waits
    _, refused = sign_up(mini_app, ROOM)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) <= 600


def test_a_room_logs_in_together_but_spraying_accounts_is_slowed(make_app, make_user) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    room = 120  # more right logins from one address than the address may fail
    for i in range(room):
        make_user(email=f"r{i}@example.com", target=app)
    for i in range(room):
        login(app.test_client(), f"r{i}@example.com")
    sprayer = app.test_client()
    codes = [
        post_form(
            sprayer, "/login", data={"email": f"victim{i}@example.com", "password": "Summer2026!"}
        ).status_code
        for i in range(101)
    ]
    assert codes[:100] == [422] * 100 and codes[100] == 429
    # the address that sprayed is slowed, for any account tried from it
    tried = post_form(sprayer, "/login", data={"email": "r0@example.com", "password": PASSWORD})
    assert tried.status_code == 429


def test_guessing_join_codes_from_one_address_is_slowed(mini_app: Flask, make_user) -> None:
    guessers = [mini_app.test_client() for _ in range(3)]  # three accounts, one address
    for n, phone in enumerate(guessers):
        make_user(email=f"guesser{n}@example.com", target=mini_app)
        login(phone, f"guesser{n}@example.com")
    codes = [guessers[i % 3].get(f"/join/ZZZZ{i:02d}").status_code for i in range(61)]
    assert codes[:60] == [404] * 60 and codes[60] == 429


def test_one_trainee_hammering_the_join_page_is_slowed(
    mini_app: Flask, make_user, cohort_code
) -> None:
    make_user(email="eager@example.com", target=mini_app)
    phone = mini_app.test_client()
    login(phone, "eager@example.com")
    codes = [phone.get(f"/join/{cohort_code}").status_code for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(COURSEKIT_TRUSTED_PROXIES=1, COURSEKIT_REGISTER_LIMIT="2 per 10 minutes")
    behind = [{"X-Forwarded-For": f"203.0.113.{n}"} for n in (1, 2)]
    codes = [sign_up(app, 10 * n + i, behind[n])[1].status_code for n in (0, 1) for i in range(3)]
    assert codes == [302, 302, 429, 302, 302, 429]  # two clients, two limits


def test_without_trusted_proxies_a_forwarded_address_changes_nothing(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(COURSEKIT_REGISTER_LIMIT="2 per 10 minutes")
    codes = [
        sign_up(app, i, {"X-Forwarded-For": f"198.51.100.{i}"})[1].status_code for i in range(3)
    ]
    assert codes == [302, 302, 429]  # a client cannot pick a fresh address for each try
