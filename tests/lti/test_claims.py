"""The launch claims, checked without an app: what is required, roles, audience, targets."""

import pytest

from coursekit.lti import claims as c
from tests.lti.platform import INSTRUCTOR, LEARNER, LTI, TestPlatform

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


def valid(**extra: object) -> dict:
    # TestPlatform.claims builds claims without starting its server.
    return TestPlatform.claims(_FakePlatform(), "n-1", **extra)  # type: ignore[arg-type]


class _FakePlatform:
    issuer = "https://lms.example.com"
    client_id = "tool-1"
    deployment_id = "d-1"
    url = "https://lms.example.com"
    return_url = "https://lms.example.com/dl-return"

    def tool(self, path: str) -> str:
        return "https://tool.example.com" + path


def test_a_resource_link_launch_reads_everything_coursekit_acts_on() -> None:
    message = c.parse_launch(valid(**{LTI + "custom": {"coursekit_target": "check:one"}}))
    assert message.message_type == c.RESOURCE_LINK_REQUEST
    assert (message.issuer, message.subject, message.deployment_id) == (
        "https://lms.example.com",
        "lms-user-1",
        "d-1",
    )
    assert message.name == "Wang Fang" and message.email == "wang.fang@school.example"
    assert message.locale == "en-US"
    assert (message.resource_link_id, message.context_id) == ("link-1", "course-7")
    assert message.context_title == "Service excellence 2026"
    assert message.grades is not None and message.grades.lineitem.endswith("/lineitems/1")
    assert message.memberships_url == "https://lms.example.com/courses/7/memberships"
    assert message.is_learner and not message.is_instructor
    assert c.target_of(message) == "check:one"


def test_a_deep_linking_request_needs_its_settings() -> None:
    message = c.parse_launch(valid(message_type=c.DEEP_LINKING_REQUEST, roles=[INSTRUCTOR]))
    assert message.deep_link is not None
    assert message.deep_link.return_url == "https://lms.example.com/dl-return"
    assert message.deep_link.data == "opaque-platform-data-42"
    assert "ltiResourceLink" in message.deep_link.accept_types
    broken = valid(message_type=c.DEEP_LINKING_REQUEST, **{c.DL_SETTINGS: {"accept_types": []}})
    with pytest.raises(c.ClaimError, match="deep_link_return_url"):
        c.parse_launch(broken)
    settings = {"deep_link_return_url": "javascript:alert(1)", "accept_types": ["ltiResourceLink"]}
    scripted = valid(message_type=c.DEEP_LINKING_REQUEST, **{c.DL_SETTINGS: settings})
    with pytest.raises(c.ClaimError, match="not an http"):
        c.parse_launch(scripted)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({LTI + "version": "1.1"}, "version '1.1' is not supported"),
        ({LTI + "message_type": "LtiSubmissionReviewRequest"}, "message type"),
        ({LTI + "message_type": None}, "message type None"),
        ({LTI + "deployment_id": None}, "deployment_id claim is missing"),
        ({"sub": None}, "anonymous launches"),
        ({"sub": "  "}, "anonymous launches"),
        ({LTI + "roles": None}, "roles claim is missing"),
        ({LTI + "roles": "Learner"}, "roles claim is missing"),
        ({LTI + "target_link_uri": None}, "target_link_uri claim is missing"),
        ({LTI + "resource_link": None}, "resource_link claim is missing"),
        ({LTI + "resource_link": {"title": "x"}}, "resource_link claim has no id"),
        ({LTI + "context": {"title": "no id"}}, "context claim has no id"),
    ],
)
def test_missing_or_wrong_claims_are_refused(change: dict, reason: str) -> None:
    with pytest.raises(c.ClaimError, match=reason):
        c.parse_launch(valid(**change))


def test_audience_and_authorised_party() -> None:
    c.check_audience({"aud": "tool-1"}, "tool-1")
    c.check_audience({"aud": ["tool-1"]}, "tool-1")
    c.check_audience({"aud": ["tool-1", "other"], "azp": "tool-1"}, "tool-1")
    with pytest.raises(c.ClaimError, match=r"not meant for this tool"):
        c.check_audience({"aud": ["other"]}, "tool-1")
    with pytest.raises(c.ClaimError, match=r"no authorized party \(azp\)"):
        c.check_audience({"aud": ["tool-1", "other"]}, "tool-1")
    with pytest.raises(c.ClaimError, match=r"authorized party \(azp\) is another client"):
        c.check_audience({"aud": ["tool-1", "other"], "azp": "other"}, "tool-1")
    with pytest.raises(c.ClaimError, match=r"azp"):
        c.check_audience({"aud": "tool-1", "azp": "other"}, "tool-1")


@pytest.mark.parametrize(
    ("roles", "instructor", "learner"),
    [
        ([LEARNER], False, True),
        ([INSTRUCTOR], True, False),
        ([LIS + "membership/Instructor#TeachingAssistant"], True, False),
        ([LIS + "membership#Administrator"], True, False),
        ([LIS + "institution/person#Administrator", LEARNER], True, True),
        ([LIS + "membership#Mentor"], False, False),
        (["Instructor"], False, False),  # LTI 1.3 roles are full URIs
        ([], False, False),
    ],
)
def test_roles(roles: list[str], instructor: bool, learner: bool) -> None:
    message = c.parse_launch(valid(roles=roles))
    assert (message.is_instructor, message.is_learner) == (instructor, learner)


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("zh-CN", "zh"),
        ("zh_Hant_TW", "zh"),
        ("en-GB", "en"),
        ("EN", "en"),
        ("fr-FR", None),
        (None, None),
    ],
)
def test_lms_locales_become_interface_languages(locale: str | None, language: str | None) -> None:
    assert c.language(locale, ("zh", "en")) == language


def test_targets_from_the_custom_claim_or_the_target_link_uri() -> None:
    uri = "https://tool.example.com/lti/launch?target=roleplay%3Amini-call"
    assert c.target_of(c.parse_launch(valid(**{LTI + "target_link_uri": uri}))) == (
        "roleplay:mini-call"
    )
    assert c.target_of(c.parse_launch(valid())) is None
    assert c.parse_target("check:one") == ("check", "one")
    assert c.parse_target("lesson:one") == ("course", None)
    assert c.parse_target("module:") == ("course", None)
    assert c.parse_target(None) == ("course", None)
