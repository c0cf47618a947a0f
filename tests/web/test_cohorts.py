"""Cohorts through the test client: authorisation, join codes, roster import, exports, and a
dashboard whose number of queries does not grow with the number of trainees."""

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from coursekit.auth.models import User
from coursekit.cohorts import services
from coursekit.cohorts.models import Cohort, CohortMember
from coursekit.domain.quiz import answers_to_form, correct_answers
from coursekit.learn import services as learning
from coursekit.learn.tickets import issue_ticket
from coursekit.roleplay import services as roleplays
from tests.conftest import PASSWORD, csrf_from, login, post_form


def session_of(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["coursekit"].db.sessionmaker()


@pytest.fixture
def people(mini_app: Flask, make_user):  # type: ignore[no-untyped-def]
    """Two instructors, an admin and a trainee, each with a logged-in client."""
    accounts = {
        "wang": make_user(
            email="wang@example.com", name="王老师", role="instructor", target=mini_app
        ),
        "lee": make_user(email="lee@example.com", name="Lee", role="instructor", target=mini_app),
        "admin": make_user(email="admin@example.com", name="Admin", role="admin", target=mini_app),
        "tom": make_user(email="tom@example.com", name="Tom", target=mini_app),
    }
    clients = {}
    for key, user in accounts.items():
        clients[key] = mini_app.test_client()
        login(clients[key], user.email)
    return accounts, clients


def new_cohort(client: FlaskClient, name: str = "Workshop", **extra: str) -> int:
    response = post_form(client, "/cohorts/new", data={"name": name, **extra})
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def code_of(app: Flask, cohort_id: int) -> str | None:
    session = session_of(app)
    try:
        return session.get(Cohort, cohort_id).join_code
    finally:
        session.close()


def join(client: FlaskClient, code: str):  # type: ignore[no-untyped-def]
    return post_form(client, f"/join/{code}", data={"code": code})


def test_instructor_creates_and_trainee_joins(mini_app: Flask, people) -> None:
    _, clients = people
    cohort_id = new_cohort(
        clients["wang"], "周末工作坊", starts_on="2026-11-28", ends_on="2026-11-29"
    )
    code = code_of(mini_app, cohort_id)
    assert re.fullmatch(r"[A-HJ-KM-NP-Z2-9]{6}", code)  # no 0/O, 1/I/L
    projector = clients["wang"].get(f"/cohorts/{cohort_id}/projector").get_data(as_text=True)
    assert f"{code[:3]}" in projector and "<svg" in projector and f"/join/{code}" in projector
    # typed in lower case with a dash, as people do
    typed = post_form(
        clients["tom"], "/join", data={"code": f"{code[:3].lower()}-{code[3:].lower()}"}
    )
    assert typed.headers["Location"] == f"/join/{code}"
    assert join(clients["tom"], code).status_code == 303
    again = join(clients["tom"], code)  # harmless
    assert again.status_code == 303
    assert "already" in clients["tom"].get("/").get_data(as_text=True)
    session = session_of(mini_app)
    assert session.scalar(select(func.count()).select_from(CohortMember)) == 1
    session.close()
    dashboard = clients["wang"].get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert "Tom" in dashboard and "周末工作坊" in dashboard


def test_scanning_the_code_signed_out_leads_through_sign_up(mini_app: Flask, people) -> None:
    _, clients = people
    code = code_of(mini_app, new_cohort(clients["wang"]))
    phone = mini_app.test_client()
    first = phone.get(f"/join/{code}")
    assert first.status_code == 302 and first.headers["Location"] == f"/register?next=/join/{code}"
    signed_up = post_form(
        phone,
        first.headers["Location"],
        data={
            "name": "Ann",
            "email": "ann@example.com",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "next": f"/join/{code}",
        },
    )
    assert signed_up.headers["Location"] == f"/join/{code}"
    assert join(phone, code).status_code == 303


def test_rotating_and_closing_the_code(mini_app: Flask, people) -> None:
    _, clients = people
    cohort_id = new_cohort(clients["wang"])
    old = code_of(mini_app, cohort_id)
    post_form(
        clients["wang"],
        f"/cohorts/{cohort_id}",
        url=f"/cohorts/{cohort_id}/code",
        data={"action": "rotate"},
    )
    new = code_of(mini_app, cohort_id)
    assert new != old
    assert join(clients["tom"], old).status_code == 404  # the old code no longer works
    post_form(
        clients["wang"],
        f"/cohorts/{cohort_id}",
        url=f"/cohorts/{cohort_id}/code",
        data={"action": "close"},
    )
    assert code_of(mini_app, cohort_id) is None
    closed = clients["tom"].get(f"/join/{new}")
    assert closed.status_code == 404 and "No open cohort has this code" in closed.get_data(
        as_text=True
    )
    post_form(
        clients["wang"],
        f"/cohorts/{cohort_id}",
        url=f"/cohorts/{cohort_id}/code",
        data={"action": "rotate"},
    )
    assert join(clients["tom"], code_of(mini_app, cohort_id)).status_code == 303


def test_archiving_closes_joining_and_keeps_data(mini_app: Flask, people) -> None:
    _, clients = people
    cohort_id = new_cohort(clients["wang"])
    join(clients["tom"], code_of(mini_app, cohort_id))
    post_form(
        clients["wang"],
        f"/cohorts/{cohort_id}/edit",
        url=f"/cohorts/{cohort_id}/archive",
        data={"archived": "1"},
    )
    assert code_of(mini_app, cohort_id) is None
    listing = clients["wang"].get("/cohorts").get_data(as_text=True)
    assert "Archived cohorts (1)" in listing
    assert "Tom" in clients["wang"].get(f"/cohorts/{cohort_id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/cohorts/{id}",
        "/cohorts/{id}/edit",
        "/cohorts/{id}/projector",
        "/cohorts/{id}/export/matrix.csv",
        "/cohorts/{id}/export/attempts.csv",
        "/cohorts/{id}/trainees/{tom}",
    ],
)
def test_another_instructor_cannot_open_it(mini_app: Flask, people, url: str) -> None:
    accounts, clients = people
    cohort_id = new_cohort(clients["wang"])
    join(clients["tom"], code_of(mini_app, cohort_id))
    target = url.format(id=cohort_id, tom=accounts["tom"].id)
    assert clients["wang"].get(target).status_code == 200
    assert clients["admin"].get(target).status_code == 200
    assert clients["lee"].get(target).status_code == 404
    assert clients["tom"].get(target).status_code == 403  # trainees see no dashboard at all


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("code", {"action": "rotate"}),
        ("code", {"action": "close"}),
        ("archive", {"archived": "1"}),
        ("edit", {"name": "Taken over"}),
    ],
)
def test_another_instructor_cannot_manage_it(
    mini_app: Flask, people, path: str, data: dict
) -> None:
    _, clients = people
    cohort_id = new_cohort(clients["wang"], "Mine")
    before = code_of(mini_app, cohort_id)
    response = post_form(clients["lee"], "/cohorts", url=f"/cohorts/{cohort_id}/{path}", data=data)
    assert response.status_code == 404
    session = session_of(mini_app)
    cohort = session.get(Cohort, cohort_id)
    assert (cohort.name, cohort.join_code, cohort.archived_at) == ("Mine", before, None)
    session.close()


def test_co_instructor_sees_it_and_a_trainee_cannot_be_one(mini_app: Flask, people) -> None:
    _, clients = people
    refused = post_form(
        clients["wang"], "/cohorts/new", data={"name": "X", "co_instructors": "tom@example.com"}
    )
    assert refused.status_code == 422 and "not an instructor account" in refused.get_data(
        as_text=True
    )
    cohort_id = new_cohort(clients["wang"], co_instructors="lee@example.com")
    assert clients["lee"].get(f"/cohorts/{cohort_id}").status_code == 200
    assert "lee@example.com" in clients["wang"].get(f"/cohorts/{cohort_id}/edit").get_data(
        as_text=True
    )


def test_trainee_pages_for_instructors_of_their_cohort_only(mini_app: Flask, people) -> None:
    accounts, clients = people
    cohort_id = new_cohort(clients["wang"])
    join(clients["tom"], code_of(mini_app, cohort_id))
    html = clients["tom"].get("/modules/one/check").get_data(as_text=True)
    ticket = re.search(r'name="ticket" value="([^"]+)"', html).group(1)
    form = {
        "csrf_token": csrf_from(html),
        "ticket": ticket,
        **answers_to_form(
            correct_answers(mini_app.extensions["coursekit"].course.module("one").check)
        ),
    }
    attempt_url = clients["tom"].post("/modules/one/check", data=form).headers["Location"]
    assert clients["wang"].get(attempt_url).status_code == 200  # his instructor
    assert clients["lee"].get(attempt_url).status_code == 404  # not his instructor
    detail = (
        clients["wang"]
        .get(f"/cohorts/{cohort_id}/trainees/{accounts['tom'].id}")
        .get_data(as_text=True)
    )
    assert "Tom" in detail and attempt_url in detail


ROSTER = "name,email\n张三,zhang.san@example.com\nTom,TOM@example.com\n"


def upload(client: FlaskClient, cohort_id: int, data: bytes):  # type: ignore[no-untyped-def]
    html = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    return client.post(
        f"/cohorts/{cohort_id}/roster",
        data={"csrf_token": csrf_from(html), "roster": (io.BytesIO(data), "roster.csv")},
        content_type="multipart/form-data",
    )


def members_of(app: Flask, cohort_id: int) -> set[str]:
    session = session_of(app)
    try:
        return set(
            session.scalars(
                select(User.email)
                .join(CohortMember, CohortMember.user_id == User.id)
                .where(CohortMember.cohort_id == cohort_id)
            )
        )
    finally:
        session.close()


def test_a_roster_invites_and_people_join_by_accepting(mini_app: Flask, people) -> None:
    accounts, clients = people
    cohort_id = new_cohort(clients["wang"])
    response = upload(clients["wang"], cohort_id, ROSTER.encode("utf-8-sig"))
    assert response.status_code == 303
    page = clients["wang"].get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    # the same words whether an e-mail has an account (Tom) or not (张三)
    assert "2 people invited." in page and "Invited, not joined yet: 2" in page
    assert "张三 · zhang.san@example.com" in page
    assert members_of(mini_app, cohort_id) == set()  # nobody is added on a roster alone
    again = upload(clients["wang"], cohort_id, ROSTER.encode("utf-8"))  # no BOM this time
    assert again.status_code == 303
    assert "Invited, not joined yet: 2" in clients["wang"].get(f"/cohorts/{cohort_id}").get_data(
        as_text=True
    )
    session = session_of(mini_app)
    assert session.scalar(select(func.count()).select_from(User)) == 4  # no account made
    session.close()
    # Tom sees the invitation on the course page and accepts it
    home = clients["tom"].get("/").get_data(as_text=True)
    assert "You are invited to the cohort “Workshop”" in home
    tampered = clients["tom"].post(
        f"/invitations/{cohort_id}", data={"csrf_token": csrf_from(home), "answer": "maybe"}
    )
    assert tampered.status_code == 400 and members_of(mini_app, cohort_id) == set()
    assert "You are invited" in clients["tom"].get("/").get_data(as_text=True)  # still there
    accepted = clients["tom"].post(
        f"/invitations/{cohort_id}", data={"csrf_token": csrf_from(home), "answer": "accept"}
    )
    assert accepted.status_code == 303 and members_of(mini_app, cohort_id) == {"tom@example.com"}
    assert "You are invited" not in clients["tom"].get("/").get_data(as_text=True)
    # 张三 signs up with that e-mail, sees the invitation, and declines it
    phone = mini_app.test_client()
    signed_up = post_form(
        phone,
        "/register",
        data={
            "name": "张三",
            "email": "zhang.san@example.com",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert signed_up.status_code == 302
    home = phone.get("/").get_data(as_text=True)
    assert "You are invited to the cohort “Workshop”" in home
    declined = phone.post(
        f"/invitations/{cohort_id}", data={"csrf_token": csrf_from(home), "answer": "decline"}
    )
    assert declined.status_code == 303 and members_of(mini_app, cohort_id) == {"tom@example.com"}
    again = phone.post(
        f"/invitations/{cohort_id}", data={"csrf_token": csrf_from(home), "answer": "accept"}
    )
    assert again.status_code == 404  # an answered invitation is used up
    assert accounts["tom"]


def test_importing_someones_email_hands_over_nothing(mini_app: Flask, people) -> None:
    """The attack: instructor B imported li.na's e-mail, then read her attempts, re-issued and
    revoked her certificate. Now the import only invites; B sees nothing of her."""
    accounts, clients = people
    tom = accounts["tom"]
    mine = new_cohort(clients["wang"], name="Wang's")
    join(clients["tom"], code_of(mini_app, mine))  # Tom is in Wang's cohort, with his work
    theirs = new_cohort(clients["lee"], name="Lee's")
    upload(clients["lee"], theirs, b"name,email\nTom,tom@example.com\n")
    assert members_of(mini_app, theirs) == set()
    lee = clients["lee"]
    assert lee.get(f"/cohorts/{theirs}/trainees/{tom.id}").status_code == 404
    # and an admin's e-mail is never more than an invitation nobody can accept as admin
    upload(lee, theirs, b"name,email\nBoss,admin@example.com\n")
    home = clients["admin"].get("/").get_data(as_text=True)
    assert "You are invited" not in home
    assert members_of(mini_app, theirs) == set()


def test_roster_errors_name_the_line_and_import_nothing(mini_app: Flask, people) -> None:
    _, clients = people
    cohort_id = new_cohort(clients["wang"])
    bad = (
        "name,email\n张三,zhang.san@example.com\n,empty@example.com\n"
        "Mia,not-an-email\nLi,ZHANG.SAN@example.com\n"
    )
    response = upload(clients["wang"], cohort_id, bad.encode("utf-8"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported: 3 line(s) need fixing." in html
    assert "Line 3:" in html and "the name is empty" in html
    assert "Line 4:" in html and "not a valid email address" in html
    assert "Line 5:" in html and "already on line 2" in html
    gbk = upload(clients["wang"], cohort_id, "姓名,邮箱\n张三,z@example.com\n".encode("gbk"))
    assert gbk.status_code == 422 and "not UTF-8" in gbk.get_data(as_text=True)
    session = session_of(mini_app)
    assert session.scalar(select(func.count()).select_from(CohortMember)) == 0
    assert (
        session.scalar(
            select(func.count()).select_from(User).where(User.email == "zhang.san@example.com")
        )
        == 0
    )
    session.close()


def test_exports_have_a_bom_and_neutralise_formulas(mini_app: Flask, people, make_user) -> None:
    _, clients = people
    cohort_id = new_cohort(clients["wang"])
    names = {
        "evil@example.com": '=HYPERLINK("http://evil.example","click")',
        "plus@example.com": "+cmd",
        "li.si@example.com": "李四",
    }
    session = session_of(mini_app)
    code = code_of(mini_app, cohort_id)
    for email, name in names.items():  # trainees who joined with these names
        user = make_user(email=email, name=name, target=mini_app)
        services.join(session, user.id, code)
    session.close()
    for kind in ("matrix", "attempts"):
        response = clients["wang"].get(f"/cohorts/{cohort_id}/export/{kind}.csv")
        body = response.get_data()
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert body.startswith(b"\xef\xbb\xbf")
        assert "attachment" in response.headers["Content-Disposition"]
    matrix = clients["wang"].get(f"/cohorts/{cohort_id}/export/matrix.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in matrix and "\n=HYPERLINK" not in matrix
    assert "'+cmd" in matrix and "李四" in matrix


def test_dashboard_queries_do_not_grow_with_trainees(mini_app: Flask, people, make_user) -> None:
    _, clients = people
    cohort_id = new_cohort(clients["wang"])
    engine = mini_app.extensions["coursekit"].db.engine
    course = mini_app.extensions["coursekit"].course

    def add_trainees(start: int, count: int) -> None:
        session = session_of(mini_app)
        try:
            for i in range(start, start + count):
                user = make_user(email=f"t{i}@example.com", name=f"T{i}", target=mini_app)
                services.join(session, user.id, code_of(mini_app, cohort_id))
                learning.complete_lesson(session, user.id, course.id, "one")
                module = course.module("one")
                _token, ticket = issue_ticket(
                    mini_app.secret_key, user.id, "one", module.check.hash
                )
                learning.submit_check(
                    session,
                    user_id=user.id,
                    course=course,
                    module=module,
                    ticket=ticket,
                    form=answers_to_form(correct_answers(module.check)),
                )
                path = ["check", "basics"] if i % 2 else ["promise", "extras"]
                roleplays.play_path(session, user.id, course, "mini-call", path)
        finally:
            session.close()

    def queries_for_dashboard() -> int:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert clients["wang"].get(f"/cohorts/{cohort_id}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    add_trainees(0, 2)
    few = queries_for_dashboard()
    add_trainees(2, 12)
    many = queries_for_dashboard()
    assert few == many, (few, many)
    assert few >= 8, few  # the dashboard really ran its queries
    page = clients["wang"].get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert "14</span> trainees" in page.replace("\n", "")
    assert "(7)" in page  # 7 of 14 trainees took each choice at the first node


def test_dashboard_figures(mini_app: Flask, people) -> None:
    accounts, clients = people
    cohort_id = new_cohort(clients["wang"])
    join(clients["tom"], code_of(mini_app, cohort_id))
    page = clients["wang"].get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert "Trainees at risk" not in page  # Tom joined just now and has failed nothing
    session = session_of(mini_app)
    course = mini_app.extensions["coursekit"].course
    module = course.module("one")
    _token, ticket = issue_ticket(mini_app.secret_key, accounts["tom"].id, "one", module.check.hash)
    learning.submit_check(
        session,
        user_id=accounts["tom"].id,
        course=course,
        module=module,
        ticket=ticket,
        form={
            "q1": ["b"],
            "q2": ["c"],
            "q3.i1": ["basic"],
            "q3.i2": ["basic"],
            "q3.i3": ["basic"],
            "q3.i4": ["basic"],
        },
    )
    session.close()
    page = clients["wang"].get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert "Trainees at risk" in page and "not passed:" in page and "Module one" in page
    assert '<td class="c-fail">8</td>' in page  # 8.3% best on the check, below the pass mark


def test_editing_co_instructors_keeps_the_creator(mini_app: Flask, people, make_user) -> None:
    accounts, clients = people
    make_user(email="kim@example.com", name="Kim", role="instructor", target=mini_app)
    cohort_id = new_cohort(clients["wang"], co_instructors="lee@example.com\nkim@example.com")
    edited = post_form(
        clients["lee"],
        f"/cohorts/{cohort_id}/edit",
        data={"name": "Renamed", "co_instructors": "kim@example.com"},
    )
    assert edited.status_code == 303
    session = session_of(mini_app)
    instructors = set(services.instructor_ids(session, cohort_id))
    session.close()
    # Lee removed himself from the list but, editing, stays; Wang (the creator) always stays.
    assert instructors == {
        accounts["wang"].id,
        accounts["lee"].id,
        _id_of(mini_app, "kim@example.com"),
    }
    edited = post_form(
        clients["wang"],
        f"/cohorts/{cohort_id}/edit",
        data={"name": "Renamed", "co_instructors": ""},
    )
    session = session_of(mini_app)
    assert set(services.instructor_ids(session, cohort_id)) == {accounts["wang"].id}
    session.close()
    assert clients["lee"].get(f"/cohorts/{cohort_id}").status_code == 404


def _id_of(app: Flask, email: str) -> int:
    session = session_of(app)
    try:
        return session.scalar(select(User.id).where(User.email == email))
    finally:
        session.close()
