"""Deep linking: an instructor launches the picker from the LMS, picks, and the LMS verifies
the signed answer with the tool's JWKS, fetched over HTTP from the running tool."""

import httpx
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_from
from tests.lti.flow import continue_url, form_fields, launch
from tests.lti.platform import DL, INSTRUCTOR, LTI, TestPlatform

AUTOSUBMIT = "data-lti-autosubmit"
DEEP_LINK = {"message_type": "LtiDeepLinkingRequest", "roles": [INSTRUCTOR], "sub": "teacher-1"}


def _picker(client: FlaskClient, platform: TestPlatform, base: str) -> str:
    response = launch(client, platform, "dl-1", base_url=base, name="Li Wei", **DEEP_LINK)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert continue_url(response) == "/lti/deep-link"
    assert 'id="lti-open"' not in response.get_data(as_text=True)
    picker = client.get("/lti/deep-link", base_url=base)
    assert picker.status_code == 200
    return picker.get_data(as_text=True)


def _deliver(answer) -> None:  # type: ignore[no-untyped-def]
    """What lti.js does in a browser: post the answer form to the LMS."""
    action, fields = form_fields(answer.get_data(as_text=True), AUTOSUBMIT)
    assert httpx.post(action, data=fields, timeout=10).status_code == 200


def _pick(client: FlaskClient, base: str, page: str, **choice: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_from(page), **choice}
    return client.post("/lti/deep-link", data=data, base_url=base)


def test_an_instructor_places_a_knowledge_check_with_a_gradebook_column(
    lti_app: Flask, platform: TestPlatform, live_tool: str
) -> None:
    client = lti_app.test_client()
    page = _picker(client, platform, live_tool)
    for label in ("Mini course", "Lesson: Module one", "Knowledge check: Module one"):
        assert label in page
    assert "Role-play: A short call" in page

    answer = _pick(client, live_tool, page, target="check:one", submit="Add to the LMS")
    assert answer.status_code == 200
    action, fields = form_fields(answer.get_data(as_text=True), AUTOSUBMIT)
    assert action == platform.return_url and set(fields) == {"JWT"}
    assert f"form-action 'self' {platform.url}" in answer.headers["Content-Security-Policy"]
    assert "/static/lti." in answer.get_data(as_text=True)  # lti.js posts the form on load

    # The browser posts the form to the LMS, which checks it with the tool's published key.
    lms = httpx.post(action, data=fields, timeout=10)
    assert lms.status_code == 200 and "Added: Knowledge check: Module one" in lms.text
    [received] = platform.deep_link_answers
    header, claims = received["header"], received["claims"]
    tool_keys = httpx.get(f"{live_tool}/lti/jwks", timeout=5).json()["keys"]
    assert header["alg"] == "RS256" and header["kid"] == tool_keys[0]["kid"]
    assert claims["iss"] == platform.client_id and claims["aud"] == platform.issuer
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == platform.deployment_id
    assert claims[DL + "data"] == "opaque-platform-data-42"
    assert claims["nonce"] and claims["exp"] > claims["iat"]
    [item] = claims[DL + "content_items"]
    assert item == {
        "type": "ltiResourceLink",
        "title": "Knowledge check: Module one",
        "url": f"{live_tool}/lti/launch?target=check%3Aone",
        "custom": {"coursekit_target": "check:one"},
        "lineItem": {
            "scoreMaximum": 100,
            "label": "Knowledge check: Module one",
            "resourceId": "check:one",
            "tag": "coursekit",
        },
    }
    print(f"deep-linking answer verified by the LMS: {item['title']} -> {item['url']}")

    # The request is answered once; the link then launches trainees into the check.
    assert client.get("/lti/deep-link", base_url=live_tool).status_code == 400
    trainee = lti_app.test_client()
    placed = {LTI + "custom": item["custom"], LTI + "target_link_uri": item["url"]}
    response = launch(trainee, platform, "link-launch", base_url=live_tool, **placed)
    assert continue_url(response) == "/modules/one/check"
    assert trainee.get("/modules/one/check", base_url=live_tool).status_code == 200


def test_a_lesson_has_no_gradebook_column_and_cancel_adds_nothing(
    lti_app: Flask, platform: TestPlatform, live_tool: str
) -> None:
    client = lti_app.test_client()
    page = _picker(client, platform, live_tool)
    answer = _pick(client, live_tool, page, target="module:two", submit="Add to the LMS")
    _deliver(answer)
    [item] = platform.deep_link_answers[-1]["claims"][DL + "content_items"]
    assert item["custom"] == {"coursekit_target": "module:two"} and "lineItem" not in item

    page = _picker(client, platform, live_tool)
    answer = _pick(client, live_tool, page, cancel="Cancel")
    assert answer.status_code == 200
    _deliver(answer)
    claims = platform.deep_link_answers[-1]["claims"]
    assert claims[DL + "content_items"] == []
    assert claims[DL + "data"] == "opaque-platform-data-42"


def test_the_picker_needs_a_choice_and_a_pending_request(
    lti_app: Flask, lti_client: FlaskClient, platform: TestPlatform, live_tool: str
) -> None:
    client = lti_app.test_client()
    page = _picker(client, platform, live_tool)
    again = _pick(client, live_tool, page, submit="Add to the LMS")
    assert again.status_code == 422 and "Please choose one." in again.get_data(as_text=True)
    bogus = _pick(client, live_tool, page, target="check:nine", submit="Add to the LMS")
    assert bogus.status_code == 422
    # A signed-in learner with no deep-linking request waiting:
    launch(lti_client, platform, "plain", base_url=live_tool)
    assert lti_client.get("/lti/deep-link", base_url=live_tool).status_code == 400
