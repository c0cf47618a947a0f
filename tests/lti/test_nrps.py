"""NRPS: Link headers however a platform writes them, every page of a roster from the fake
platform, and a cohort brought in line with it (accounts, members, instructors)."""

from collections.abc import Iterator

import httpx
import pytest
from flask import Flask
from sqlalchemy import select

from coursekit.auth.models import Identity, Role, User
from coursekit.cohorts import services as cohorts
from coursekit.cohorts.models import CohortInstructor, CohortMember
from coursekit.lti import nrps
from coursekit.lti.oauth import ServiceClient, TokenClient
from tests.conftest import MINI_CONTENT
from tests.lti.services_server import FakePlatform, new_key, running

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
LEARNER, INSTRUCTOR = f"{MEMBERSHIP}#Learner", f"{MEMBERSHIP}#Instructor"


def test_link_headers_quoted_unquoted_and_several_in_one() -> None:
    header = (
        '<https://lms/m?p=1&since=a,b>; rel="differences"; title="a, b; c", '
        "<https://lms/m?p=2>; rel=next, "
        '<https://lms/m?p=9>; rel="last first"'
    )
    assert nrps.links_by_rel([header]) == {
        "differences": "https://lms/m?p=1&since=a,b",
        "next": "https://lms/m?p=2",
        "last": "https://lms/m?p=9",
        "first": "https://lms/m?p=9",
    }
    assert nrps.links_by_rel(['<https://lms/m?p=3>;rel="NEXT"']) == {"next": "https://lms/m?p=3"}
    assert nrps.links_by_rel(["</m?p=4>; rel=next"], "https://lms/x/m?p=3") == {
        "next": "https://lms/m?p=4"
    }
    two_headers = ['<https://lms/a>; rel="prev"', "<https://lms/b>; rel=next"]
    assert nrps.links_by_rel(two_headers)["next"] == "https://lms/b"
    assert nrps.links_by_rel([""]) == {} and nrps.links_by_rel(["garbage; rel=next"]) == {}


@pytest.mark.parametrize(
    ("role", "principal"),
    [
        (INSTRUCTOR, "Instructor"),
        (f"{MEMBERSHIP}/Instructor#TeachingAssistant", "Instructor"),
        ("Learner", "Learner"),
        ("http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator", None),
        ("urn:lti:role:ims/lis/Learner", None),
    ],
)
def test_context_roles(role: str, principal: str | None) -> None:
    assert nrps.context_role(role) == principal


def member(n: int, role: str = LEARNER, **extra: object) -> dict:
    data = {"user_id": f"sub-{n}", "roles": [role], "name": f"Person {n}", "status": "Active"}
    data["email"] = f"person{n}@example.com"
    return {**data, **extra}


@pytest.fixture(scope="module")
def tool_key():  # type: ignore[no-untyped-def]
    return new_key()


@pytest.fixture
def lms(tool_key) -> Iterator[FakePlatform]:  # type: ignore[no-untyped-def]
    roster = [
        member(1),
        member(2, email=None),  # the LMS shares no email for this one
        member(3, f"{MEMBERSHIP}/Instructor#TeachingAssistant"),
        member(4, INSTRUCTOR),
        member(5, f"{MEMBERSHIP}#Mentor"),  # no role we map
        member(6, status="Inactive"),
        member(7),
        member(8, email="existing@example.com", name="Already Here"),
    ]
    with running(FakePlatform(tool_public_pem=tool_key[1], members=roster, page_size=1)) as fake:
        yield fake


def fetch(lms: FakePlatform, key) -> nrps.Roster:  # type: ignore[no-untyped-def]
    with httpx.Client(timeout=5) as http:
        client = ServiceClient(http, lms.endpoints, key, TokenClient())
        return nrps.fetch_roster(client, f"{lms.base_url}/memberships")


def test_every_page_is_fetched_whatever_the_link_style(lms: FakePlatform, tool_key) -> None:
    roster = fetch(lms, tool_key[0])
    # One member a page: every link style of the fake platform is used, twice; the last
    # page links only "differences", which is not followed.
    assert roster.pages == 8
    assert [m.user_id for m in roster.members] == [f"sub-{n}" for n in range(1, 9)]
    assert (roster.context_id, roster.context_title) == ("course-42", "Managing expectations")
    pages = [r for r in lms.requests if r.startswith("/memberships")]
    assert pages == ["/memberships", *(f"/memberships?p={n}" for n in range(2, 9))]
    second = roster.members[1]
    assert (second.email, second.name, second.is_learner) == (None, "Person 2", True)
    assert roster.members[2].is_staff and not roster.members[4].is_staff
    assert len(lms.assertions) == 1  # one token for every page


@pytest.fixture
def app(make_app) -> Flask:  # type: ignore[no-untyped-def]
    return make_app(COURSEKIT_CONTENT_DIR=str(MINI_CONTENT))


def test_a_cohort_follows_the_lms_roster(app: Flask, make_user, lms, tool_key) -> None:
    owner = make_user(email="owner@example.com", role="instructor", target=app)
    existing = make_user(email="existing@example.com", name="Already Here", target=app)
    session = app.extensions["coursekit"].db.sessionmaker()
    cohort = cohorts.create(session, owner, name="From the LMS", course_id="mini")
    roster = fetch(lms, tool_key[0])

    summary = nrps.sync_cohort(session, cohort.id, lms.issuer, roster.members)
    assert (summary.learners_added, summary.instructors_added, summary.already) == (4, 2, 0)
    assert summary.accounts_created == 5  # sub-8 is the existing account, matched by email
    assert summary.skipped == ("sub-5",) and summary.promoted == 0
    assert summary.inactive == () and summary.gone == ()

    users = {i.subject: session.get(User, i.user_id) for i in session.scalars(select(Identity))}
    assert users["sub-8"].id == existing.id
    assert users["sub-2"].email == nrps.placeholder_email(lms.issuer, "sub-2")
    assert users["sub-2"].email.endswith("@users.invalid")
    assert {users[s].role for s in ("sub-3", "sub-4")} == {Role.INSTRUCTOR}
    assert "sub-6" not in users and "sub-5" not in users
    members = set(session.scalars(select(CohortMember.user_id)))
    assert members == {users[s].id for s in ("sub-1", "sub-2", "sub-7", "sub-8")}
    running = set(session.scalars(select(CohortInstructor.user_id)))
    assert running == {owner.id, users["sub-3"].id, users["sub-4"].id}
    assert [c.id for c in cohorts.cohorts_for(session, users["sub-4"])] == [cohort.id]

    # Next term: sub-7 leaves the course, sub-1 is suspended, everyone else is unchanged.
    lms.members = [m for m in lms.members if m["user_id"] != "sub-7"]
    lms.members[0]["status"] = "Inactive"
    url = f"{lms.base_url}/memberships"
    _roster, again = nrps.sync_from_platform(session, cohort.id, lms.endpoints, tool_key[0], url)
    assert (again.learners_added, again.instructors_added, again.accounts_created) == (0, 0, 0)
    assert again.already == 4  # sub-2, sub-8 and the two instructors
    assert again.inactive == (users["sub-1"].id,) and again.gone == (users["sub-7"].id,)
    assert again.removal_supported is False  # reported, not removed: cohorts cannot yet
    assert users["sub-7"].id in set(session.scalars(select(CohortMember.user_id)))
    session.close()


def test_a_trainee_the_lms_says_teaches_becomes_an_instructor(app: Flask, make_user) -> None:
    owner = make_user(email="owner@example.com", role="instructor", target=app)
    trainee = make_user(email="ta@example.com", target=app)
    session = app.extensions["coursekit"].db.sessionmaker()
    cohort = cohorts.create(session, owner, name="C", course_id="mini")
    ta = nrps.Member("sub-ta", (INSTRUCTOR,), name="T A", email="ta@example.com")
    summary = nrps.sync_cohort(session, cohort.id, "https://lms.example", [ta])
    assert (summary.promoted, summary.instructors_added) == (1, 1)
    assert session.get(User, trainee.id).role == Role.INSTRUCTOR
    with pytest.raises(nrps.NrpsError):
        nrps.sync_cohort(session, 9999, "https://lms.example", [ta])
    session.close()
