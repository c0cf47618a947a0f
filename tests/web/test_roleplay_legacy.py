"""An attempt taken on a scenario version stored before the two-level zone (one level E, a
zone of offsets, outcome blended with trust) reviews with the numbers it was scored with."""

from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from coursekit.catalog.models import ContentVersion
from coursekit.db import utcnow
from coursekit.domain.roleplay import replay, score
from coursekit.domain.roleplay.model import scenario_from_definition
from coursekit.roleplay.models import FINISHED, RoleplayAttempt, RoleplayStep
from tests.conftest import login

LEGACY = yaml.safe_load(
    (Path(__file__).parents[1] / "fixtures" / "legacy" / "mini-call-one-level.yaml").read_text(
        encoding="utf-8"
    )
)
HASH = "0" * 63 + "1"


@pytest.mark.parametrize(
    ("path", "expected"),
    # what the one-level engine printed for these paths (its hand-worked tests)
    [(["ask", "basics"], 95.4), (["wait", "basics"], 66.8), (["promise", "extras"], 7.8)],
)
def test_old_versions_score_as_they_did(path: list[str], expected: float) -> None:
    scenario = scenario_from_definition(LEGACY, HASH)
    assert score(replay(scenario, path)).score == expected


def test_an_old_attempt_reviews_as_it_was(
    mini_app: Flask, mini_client: FlaskClient, make_user
) -> None:
    user = make_user(email="old@example.com", target=mini_app)
    session = mini_app.extensions["coursekit"].db.sessionmaker()
    session.add(ContentVersion(kind="roleplay", key="mini-call", hash=HASH, definition=LEGACY))
    attempt = RoleplayAttempt(
        user_id=user.id,
        course_id="mini",
        scenario_id="mini-call",
        scenario_hash=HASH,
        status=FINISHED,
        node_id="end",
        path=["ask", "basics"],
        finished_at=utcnow(),
        score=95.4,
        passed=True,
        band="delighted",
    )
    session.add(attempt)
    session.flush()
    for position, (node, choice) in enumerate([("open", "ask"), ("mid", "basics")]):
        session.add(
            RoleplayStep(attempt_id=attempt.id, position=position, node_id=node, choice_id=choice)
        )
    session.commit()
    attempt_id = attempt.id
    session.close()
    login(mini_client, "old@example.com")
    review = mini_client.get(f"/roleplays/attempts/{attempt_id}/review").get_data(as_text=True)
    assert "Your score: 95.4" in review  # the stored score, recomputed from the stored version
    # zone from E 50 - 10 to E 50 + 10; P 65 after the ending
    assert "Perceived performance 65 against a zone of tolerance from 40 (adequate) to 60" in review
    # no seed: the replies as authored, which is what that trainee saw
    listed = review.split('<ol class="shown" type="A">')[1].split("</ol>")[0]
    authored = ["When do you need it?", "It will be there tomorrow, guaranteed!", "Let me check."]
    assert [listed.index(text) for text in authored] == sorted(listed.index(t) for t in authored)
