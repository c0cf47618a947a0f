"""Statement building (pure): ids stable per event, one registration per attempt, the actor
an account and never an email, ADL verbs, IRIs under the site, ISO 8601 times."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from coursekit.domain import xapi

SITE = xapi.Site("https://training.example.com/training/")
LEARNER = xapi.Learner(SITE, xapi.pseudonym(b"key", 7))
COURSE = xapi.CourseRef("mce", {"en": "Managing expectations", "zh": "管理客户期望"})
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def check(attempt_id: int = 1, passed: bool = True) -> xapi.CheckAttempt:
    return xapi.CheckAttempt(
        attempt_id=attempt_id,
        module_id="m1",
        title={"en": "Module 1", "zh": "第一单元"},
        score=87.5 if passed else 40.0,
        passed=passed,
        submitted_at=T0,
        answers=(
            xapi.Answer("q1", {"en": "Which?"}, "choice", "b", 1.0),
            xapi.Answer("q2", {"en": "Sort"}, "matching", "i1[.]basic[,]i2[.]enhanced", 0.5),
        ),
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "PT0S"), (59.994, "PT59.99S"), (60, "PT1M"), (3723.5, "PT1H2M3.5S"), (7200, "PT2H")],
)
def test_iso_durations(seconds: float, text: str) -> None:
    assert xapi.iso_duration(seconds) == text


def test_a_check_attempt_is_attempted_answered_then_passed() -> None:
    statements = xapi.check_statements(LEARNER, COURSE, check())
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert verbs == ["attempted", "answered", "answered", "passed"]
    assert all(s["verb"]["id"].startswith("http://adlnet.gov/expapi/verbs/") for s in statements)
    registrations = {s["context"]["registration"] for s in statements}
    assert len(registrations) == 1 and uuid.UUID(registrations.pop()).version == 5
    result = statements[-1]["result"]
    assert result["score"] == {"scaled": 0.875, "raw": 87.5, "min": 0, "max": 100}
    assert (result["success"], result["completion"]) == (True, True)
    answered = statements[2]
    assert answered["result"] == {
        "response": "i1[.]basic[,]i2[.]enhanced",
        "success": False,
        "score": {"scaled": 0.5},
    }
    assert answered["object"]["definition"]["interactionType"] == "matching"
    assert answered["context"]["contextActivities"]["parent"][0]["id"].endswith("/m1/check")
    for s in statements:
        assert s["object"]["id"].startswith("https://training.example.com/training/xapi/course/")
        assert s["context"]["contextActivities"]["grouping"][0]["id"].endswith("/course/mce")
        assert s["timestamp"] == "2026-11-22T09:00:00.000Z"
    assert statements[0]["object"]["definition"]["name"] == {"en": "Module 1", "zh-CN": "第一单元"}


def test_statement_ids_are_stable_per_event_and_distinct_between_events() -> None:
    first = [s["id"] for s in xapi.check_statements(LEARNER, COURSE, check(1))]
    again = [s["id"] for s in xapi.check_statements(LEARNER, COURSE, check(1))]
    other = [s["id"] for s in xapi.check_statements(LEARNER, COURSE, check(2))]
    assert first == again
    assert len({*first, *other}) == 8
    other_site = xapi.Learner(xapi.Site("https://other.example"), LEARNER.name)
    assert xapi.check_statements(other_site, COURSE, check(1))[0]["id"] != first[0]


def test_the_actor_is_a_pseudonymous_account() -> None:
    statement = xapi.launched(LEARNER, COURSE, launch_id="nonce-1", when=T0)
    assert statement["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "https://training.example.com/training/", "name": LEARNER.name},
    }
    assert len(LEARNER.name) == 32 and LEARNER.name != xapi.pseudonym(b"key", 8)
    assert LEARNER.name == xapi.pseudonym(b"key", 7) != xapi.pseudonym(b"other key", 7)
    assert "mbox" not in json.dumps(statement)


def test_a_role_play_has_one_registration_a_duration_and_its_customer_state() -> None:
    talk = xapi.Conversation(5, "angry-customer", {"en": "Angry customer"}, T0)
    turn = xapi.Turn(0, "start", {"en": "Where is my order?"}, "ask", {"trust": 55})
    answered = xapi.roleplay_answered(LEARNER, COURSE, talk, turn, T0 + timedelta(minutes=1))
    finished = T0 + timedelta(minutes=6, seconds=30)
    result = xapi.roleplay_result(
        LEARNER, COURSE, talk, score=72, passed=True, band="tolerated", finished_at=finished
    )
    attempted = xapi.roleplay_attempted(LEARNER, COURSE, talk)
    assert attempted["verb"]["id"].endswith("/attempted")
    assert {s["context"]["registration"] for s in (attempted, answered, result)} == {
        xapi.derived_uuid(SITE, "registration", "roleplay-attempt", 5)
    }
    assert answered["result"]["response"] == "ask"
    state_key = "https://training.example.com/training/xapi/extensions/customer-state"
    assert answered["result"]["extensions"] == {state_key: {"trust": 55}}
    assert result["verb"]["id"].endswith("/passed")
    assert result["result"]["duration"] == "PT6M30S"
    assert result["result"]["score"]["scaled"] == 0.72


def test_a_role_play_turn_carries_the_order_shown_and_the_result_the_tags() -> None:
    talk = xapi.Conversation(6, "mini-call", {"en": "A short call"}, T0)
    shown = (("check", {"en": "I'll check."}), ("ask", {"en": "When?"}), ("promise", {"en": "!"}))
    state = {"desired": 60, "adequate": 45, "performance": 50, "trust": 55}
    turn = xapi.Turn(0, "open", {"en": "Where is my order?"}, "ask", state, shown)
    answered = xapi.roleplay_answered(LEARNER, COURSE, talk, turn, T0)
    definition = answered["object"]["definition"]
    assert definition["interactionType"] == "choice"
    assert [c["id"] for c in definition["choices"]] == ["check", "ask", "promise"]
    assert definition["choices"][0]["description"] == {"en": "I'll check."}
    base = "https://training.example.com/training/xapi/extensions/"
    assert answered["result"]["extensions"] == {
        f"{base}customer-state": state,
        f"{base}shown-order": ["check", "ask", "promise"],
    }
    result = xapi.roleplay_result(
        LEARNER,
        COURSE,
        talk,
        score=83.6,
        passed=True,
        band="delighted",
        finished_at=T0 + timedelta(minutes=3),
        tags={"gift-wrap": ["implicit"]},
    )
    assert result["result"]["extensions"][f"{base}expectation-tags"] == {"gift-wrap": ["implicit"]}


def test_a_failed_check_is_failed_and_timestamps_need_a_timezone() -> None:
    assert xapi.check_statements(LEARNER, COURSE, check(passed=False))[-1]["verb"]["id"].endswith(
        "/failed"
    )
    with pytest.raises(ValueError):
        xapi.iso_timestamp(datetime(2026, 1, 1))
