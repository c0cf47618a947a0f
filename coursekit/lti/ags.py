"""Assignment and Grade Services 2.0: scores to the LMS gradebook through the durable outbox,
and line items looked up or created for a launch that carries only the `lineitems` URL."""

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from sqlalchemy.orm import Session

from ..outbox import jobs
from ..outbox.http import outcome_of, transport_outcome
from ..outbox.services import NewMessage, Outcome, SendContext
from .nrps import links_by_rel
from .oauth import ServiceClient, TokenError
from .types import PlatformEndpoints, SigningKey

log = logging.getLogger("coursekit.lti")
SCORE_KIND = "ags-score"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
ACTIVITY_PROGRESS = {"Initialized", "Started", "InProgress", "Submitted", "Completed"}
GRADING_PROGRESS = {"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}
MAX_PAGES = 100

# How a delivery run finds the platform and the tool's current key (set by the app: the
# registrations live in the database): (session, issuer, client_id) -> (endpoints, key),
# or None when the registration is gone.
PlatformResolver = Callable[[Session, str, str], tuple[PlatformEndpoints, SigningKey] | None]


class AgsError(Exception):
    pass


@dataclass(frozen=True)
class Score:
    user_id: str  # the LTI subject (`sub`) of the learner
    score_given: float | None
    score_maximum: float | None
    activity_progress: str
    grading_progress: str
    timestamp: datetime
    comment: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The score as the platform takes it; refuses what the spec does not allow."""
        if self.activity_progress not in ACTIVITY_PROGRESS:
            raise AgsError(f"activityProgress {self.activity_progress!r} is not an AGS value")
        if self.grading_progress not in GRADING_PROGRESS:
            raise AgsError(f"gradingProgress {self.grading_progress!r} is not an AGS value")
        if self.timestamp.tzinfo is None:
            raise AgsError("the score timestamp needs a timezone")
        body: dict[str, Any] = {
            "userId": self.user_id,
            "activityProgress": self.activity_progress,
            "gradingProgress": self.grading_progress,
            "timestamp": self.timestamp.astimezone(UTC).isoformat(timespec="milliseconds"),
        }
        if self.score_given is not None:
            if self.score_maximum is None or self.score_maximum <= 0 or self.score_given < 0:
                raise AgsError("scoreGiven needs a positive scoreMaximum and may not be negative")
            body["scoreGiven"] = self.score_given
        if self.score_maximum is not None:
            body["scoreMaximum"] = self.score_maximum
        if self.comment:
            body["comment"] = self.comment
        return body


def scores_url(lineitem: str) -> str:
    """The line item's scores endpoint: /scores goes at the end of the path, before any query
    (`https://lms/li/7?type_id=3` -> `https://lms/li/7/scores?type_id=3`)."""
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores", fragment=""))


def with_query(url: str, params: dict[str, str]) -> str:
    """The URL with these parameters added to the query it may already have."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def publish_score(client: ServiceClient, lineitem: str, score: dict[str, Any]) -> httpx.Response:
    return client.request(
        "POST",
        scores_url(lineitem),
        [SCOPE_SCORE],
        headers={"Content-Type": SCORE_TYPE},
        content=json.dumps(score).encode(),
    )


def enqueue_score(
    session: Session,
    *,
    issuer: str,
    client_id: str,
    lineitem: str,
    score: Score,
    user_id: int | None = None,
    organisation_id: int | None = None,
    event_id: str | None = None,
) -> bool:
    """Put the score in the outbox (after this returns it will reach the gradebook, in order
    with the learner's other scores for this line item). `user_id` is the CourseKit user
    (so their instructors see the delivery); `event_id` names the event (e.g. an attempt)
    so that enqueuing it twice stores it once. Returns False if it was stored already."""
    body = score.to_json()
    payload = {"issuer": issuer, "client_id": client_id, "lineitem": lineitem, "score": body}
    if event_id is None:
        event_id = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    message = NewMessage(
        kind=SCORE_KIND,
        ordering_key=f"ags:{lineitem}:{score.user_id}",
        payload=payload,
        idempotency_key=f"ags:{issuer}:{event_id}",
        user_id=user_id,
        organisation_id=organisation_id,
    )
    return jobs.queue_messages(session, [message]) > 0


def send_scores(context: SendContext, payloads: list[dict]) -> list[Outcome]:
    """The outbox sender for "ags-score": one POST per score."""
    resolver: PlatformResolver | None = context.config.get("COURSEKIT_LTI_PLATFORM_RESOLVER")
    if resolver is None:
        return [Outcome.retry("COURSEKIT_LTI_PLATFORM_RESOLVER is not set")] * len(payloads)
    return [_send_one(context, resolver, payload) for payload in payloads]


def _send_one(context: SendContext, resolver: PlatformResolver, payload: dict) -> Outcome:
    found = resolver(context.session, payload["issuer"], payload["client_id"])
    if found is None:
        return Outcome.failed(
            f"no LTI registration for {payload['issuer']} / {payload['client_id']}"
        )
    endpoints, key = found
    client = ServiceClient(context.http, endpoints, key)
    try:
        response = publish_score(client, payload["lineitem"], payload["score"])
    except TokenError as error:  # a fixable set-up problem or an outage: try again later
        return Outcome.retry(f"access token: {error}")
    except httpx.HTTPError as error:
        return transport_outcome(error)
    if response.status_code == 401:  # refused even with a fresh token: drop it, try later
        client.tokens.invalidate(endpoints, [SCOPE_SCORE])
    return outcome_of(response)


@dataclass(frozen=True)
class LineItem:
    id: str  # the line item's URL
    label: str
    score_maximum: float
    resource_link_id: str | None = None
    resource_id: str | None = None
    tag: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "LineItem":
        return cls(
            id=str(data["id"]),
            label=str(data.get("label", "")),
            score_maximum=float(data.get("scoreMaximum", 0)),
            resource_link_id=data.get("resourceLinkId"),
            resource_id=data.get("resourceId"),
            tag=data.get("tag"),
        )


def list_lineitems(
    client: ServiceClient,
    lineitems_url: str,
    *,
    resource_link_id: str | None = None,
    resource_id: str | None = None,
    tag: str | None = None,
) -> list[LineItem]:
    """The context's line items (filtered as the platform allows), every page."""
    filters = {"resource_link_id": resource_link_id, "resource_id": resource_id, "tag": tag}
    url: str | None = with_query(lineitems_url, {k: v for k, v in filters.items() if v})
    items: list[LineItem] = []
    for _ in range(MAX_PAGES):
        if url is None:
            break
        response = client.request(
            "GET", url, [SCOPE_LINEITEM_READONLY], headers={"Accept": LINEITEMS_TYPE}
        )
        if response.status_code != 200:
            raise AgsError(f"line items: HTTP {response.status_code} {response.text[:200]}")
        items += [LineItem.from_json(d) for d in response.json() if isinstance(d, dict)]
        url = links_by_rel(response.headers.get_list("link"), str(response.url)).get("next")
    # A platform may ignore the filters: apply them again here.
    return [
        i
        for i in items
        if (resource_link_id is None or i.resource_link_id == resource_link_id)
        and (resource_id is None or i.resource_id == resource_id)
        and (tag is None or i.tag == tag)
    ]


def create_lineitem(
    client: ServiceClient,
    lineitems_url: str,
    *,
    label: str,
    score_maximum: float,
    resource_link_id: str | None = None,
    resource_id: str | None = None,
    tag: str | None = None,
) -> LineItem:
    body: dict[str, Any] = {"label": label, "scoreMaximum": score_maximum}
    optional = {"resourceLinkId": resource_link_id, "resourceId": resource_id, "tag": tag}
    body |= {k: v for k, v in optional.items() if v}
    response = client.request(
        "POST",
        lineitems_url,
        [SCOPE_LINEITEM],
        headers={"Content-Type": LINEITEM_TYPE, "Accept": LINEITEM_TYPE},
        content=json.dumps(body).encode(),
    )
    if response.status_code not in (200, 201):
        raise AgsError(f"create line item: HTTP {response.status_code} {response.text[:200]}")
    return LineItem.from_json(response.json())


def find_or_create_lineitem(
    client: ServiceClient,
    lineitems_url: str,
    *,
    label: str,
    score_maximum: float,
    resource_link_id: str | None = None,
    resource_id: str | None = None,
    tag: str | None = None,
) -> LineItem:
    """The line item for this resource (and tag), created the first time."""
    found = list_lineitems(
        client, lineitems_url, resource_link_id=resource_link_id, resource_id=resource_id, tag=tag
    )
    if found:
        return found[0]
    log.info("creating AGS line item %r at %s", label, lineitems_url)
    return create_lineitem(
        client,
        lineitems_url,
        label=label,
        score_maximum=score_maximum,
        resource_link_id=resource_link_id,
        resource_id=resource_id,
        tag=tag,
    )
