"""AGS: the score as the platform receives it (URL, media type, fields), the spec's limits,
and line items found or created for a launch that carries only the `lineitems` URL."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from coursekit.lti import ags
from coursekit.lti.oauth import ServiceClient, TokenClient
from tests.lti.services_server import FakePlatform, new_key, running


@pytest.fixture(scope="module")
def tool_key():  # type: ignore[no-untyped-def]
    return new_key()


@pytest.fixture
def lms(tool_key) -> Iterator[FakePlatform]:  # type: ignore[no-untyped-def]
    with running(FakePlatform(tool_public_pem=tool_key[1])) as fake:
        yield fake


@pytest.fixture
def client(lms: FakePlatform, tool_key) -> Iterator[ServiceClient]:  # type: ignore[no-untyped-def]
    with httpx.Client(timeout=5) as http:
        yield ServiceClient(http, lms.endpoints, tool_key[0], TokenClient())


@pytest.mark.parametrize(
    ("lineitem", "scores"),
    [
        ("https://lms.example/api/lti/courses/7/line_items/3", "/line_items/3/scores"),
        ("https://lms.example/li/3/", "/li/3/scores"),
        (
            "https://lms.example/mod/lti/services.php/2/lineitems/9/lineitem?type_id=1",
            "/lineitems/9/lineitem/scores?type_id=1",
        ),
        ("https://lms.example/li?id=3&x=a%2Fb#frag", "/li/scores?id=3&x=a%2Fb"),
    ],
)
def test_scores_go_to_the_line_item_path_before_its_query(lineitem: str, scores: str) -> None:
    assert ags.scores_url(lineitem).endswith(scores)
    assert ags.scores_url(lineitem).startswith("https://lms.example/")


def test_the_platform_receives_a_well_formed_score(lms: FakePlatform, client) -> None:
    lineitem = lms.add_lineitem("Knowledge check") + "?type_id=4"
    moment = datetime(2026, 11, 22, 18, 30, 5, 123456, tzinfo=timezone(timedelta(hours=8)))
    score = ags.Score("lms-user-1", 7.5, 10, "Completed", "FullyGraded", moment, "Well done")
    assert ags.publish_score(client, lineitem, score.to_json()).status_code == 204
    [received] = lms.scores
    assert received["query"] == "type_id=4"
    assert received["lineitem"] == lineitem.split("?")[0]
    assert received["body"] == {
        "userId": "lms-user-1",
        "scoreGiven": 7.5,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2026-11-22T10:30:05.123+00:00",
        "comment": "Well done",
    }
    # The media type is checked by the platform: a wrong one would have been a 415.
    assert any(r.endswith("/scores?type_id=4") for r in lms.requests)


def test_progress_without_a_grade_is_allowed() -> None:
    body = ags.Score("u", None, None, "Started", "NotReady", datetime.now(UTC)).to_json()
    assert "scoreGiven" not in body and body["activityProgress"] == "Started"


@pytest.mark.parametrize(
    "score",
    [
        ags.Score("u", 5, 10, "Done", "FullyGraded", datetime.now(UTC)),
        ags.Score("u", 5, 10, "Completed", "Graded", datetime.now(UTC)),
        ags.Score("u", 5, None, "Completed", "FullyGraded", datetime.now(UTC)),
        ags.Score("u", -1, 10, "Completed", "FullyGraded", datetime.now(UTC)),
        ags.Score("u", 5, 10, "Completed", "FullyGraded", datetime(2026, 1, 1)),
    ],
)
def test_what_the_spec_forbids_is_refused_before_it_is_queued(score: ags.Score) -> None:
    with pytest.raises(ags.AgsError):
        score.to_json()


def test_a_line_item_is_created_once_then_found(lms: FakePlatform, client) -> None:
    lms.add_lineitem("Someone else's", resourceLinkId="other-link")
    url = f"{lms.base_url}/lineitems"
    first = ags.find_or_create_lineitem(
        client, url, label="Role-play", score_maximum=100, resource_link_id="link-1", tag="rp"
    )
    again = ags.find_or_create_lineitem(
        client, url, label="Role-play", score_maximum=100, resource_link_id="link-1", tag="rp"
    )
    assert first == again and lms.lineitem_posts == 1
    assert (first.label, first.score_maximum, first.resource_link_id) == (
        "Role-play",
        100,
        "link-1",
    )
    assert any("resource_link_id=link-1" in r for r in lms.requests)
