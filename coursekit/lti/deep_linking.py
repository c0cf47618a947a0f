"""Deep Linking 2.0: what an instructor can place in the LMS, and the signed response that
hands the chosen items back to the platform."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..domain.content import Course
from . import claims as c
from .tokens import sign
from .types import SigningKey

RESOURCE_LINK = "ltiResourceLink"
SCORE_MAXIMUM = 100
LINE_ITEM_TAG = "coursekit"


@dataclass(frozen=True)
class Choice:
    """One thing a link can open. `graded` ones get a gradebook column (a line item)."""

    target: str  # "course", "module:<id>", "check:<id>", "roleplay:<id>"
    kind: str
    title: str
    graded: bool


def choices(course: Course, lang: str) -> list[Choice]:
    """The whole course, then per module: its lesson, its knowledge check, its role-plays."""
    found = [Choice("course", "course", course.title.get(lang), graded=False)]
    for module in course.modules:
        title = module.title.get(lang)
        found.append(Choice(f"module:{module.id}", "module", title, graded=False))
        found.append(Choice(f"check:{module.id}", "check", title, graded=True))
        for scenario_id in module.roleplays:
            scenario = course.roleplays.get(scenario_id)
            if scenario is not None:
                found.append(
                    Choice(
                        f"roleplay:{scenario_id}",
                        "roleplay",
                        scenario.spec.title.get(lang),
                        graded=True,
                    )
                )
    return found


def exists(course: Course, target: str) -> bool:
    """The target names something in this course ("course" always does)."""
    kind, ident = c.parse_target(target)
    if kind == "course":
        return target == "course"
    if kind in ("module", "check"):
        return course.module(ident or "") is not None
    return ident in course.roleplays


def content_item(choice: Choice, launch_url: str, label: str) -> dict[str, Any]:
    """An ltiResourceLink that launches back into CourseKit at `choice`. A graded one carries
    a lineItem so that the LMS creates its gradebook column; its resourceId is the target,
    by which scores for it are matched to it."""
    item: dict[str, Any] = {
        "type": RESOURCE_LINK,
        "title": label,
        "url": f"{launch_url}?{urlencode({'target': choice.target})}",
        "custom": {c.CUSTOM_TARGET: choice.target},
    }
    if choice.graded:
        item["lineItem"] = {
            "scoreMaximum": SCORE_MAXIMUM,
            "label": label,
            "resourceId": choice.target,
            "tag": LINE_ITEM_TAG,
        }
    return item


def response_token(
    *,
    key: SigningKey,
    client_id: str,
    issuer: str,
    deployment_id: str,
    items: Sequence[dict[str, Any]],
    data: Any,
    message: str | None = None,
) -> str:
    """The LtiDeepLinkingResponse JWT: from the tool (iss = its client id) to the platform
    (aud = the platform's issuer), signed with the tool's current key."""
    claims: dict[str, Any] = {
        "iss": client_id,
        "aud": issuer,
        c.DEPLOYMENT_ID: deployment_id,
        c.MESSAGE_TYPE: c.DEEP_LINKING_RESPONSE,
        c.VERSION: "1.3.0",
        c.DL_CONTENT_ITEMS: list(items),
    }
    if data is not None:
        claims[c.DL_DATA] = data  # echoed exactly as the request sent it
    if message:
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/msg"] = message
    return sign(claims, key)
