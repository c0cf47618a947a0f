"""The outbox sender for xAPI statements: POST batches to <endpoint>/statements."""

import json
from collections.abc import Mapping
from typing import Any

import httpx

from ..domain.xapi import VERSION
from ..outbox.http import outcome_of, transport_outcome
from ..outbox.services import Outcome, SendContext

KIND = "xapi"
BATCH_SIZE = 50  # statements per POST


def statements_url(endpoint: str) -> str:
    return endpoint.rstrip("/") + "/statements"


def _auth(config: Mapping[str, Any]) -> httpx.BasicAuth | None:
    username = config.get("COURSEKIT_XAPI_USERNAME")
    if not username:
        return None
    return httpx.BasicAuth(str(username), str(config.get("COURSEKIT_XAPI_PASSWORD") or ""))


def _post(context: SendContext, url: str, statements: list[dict]) -> Outcome:
    try:
        response = context.http.post(
            url,
            content=json.dumps(statements).encode(),
            headers={"X-Experience-API-Version": VERSION, "Content-Type": "application/json"},
            auth=_auth(context.config),
        )
    except httpx.HTTPError as error:
        return transport_outcome(error)
    return outcome_of(response)


def send_statements(context: SendContext, payloads: list[dict]) -> list[Outcome]:
    """One POST for the batch. An LRS refuses a whole batch for one bad statement (400, or
    409 for an id it holds with other content), so a refused batch is sent again one
    statement at a time: only the bad one fails. Statement ids are ours, so a statement the
    LRS already stored is accepted again without being stored twice."""
    endpoint = context.config.get("COURSEKIT_XAPI_ENDPOINT")
    if not endpoint:
        return [Outcome.retry("COURSEKIT_XAPI_ENDPOINT is not set")] * len(payloads)
    url = statements_url(str(endpoint))
    outcome = _post(context, url, payloads)
    if outcome.status != "failed" or len(payloads) == 1:
        return [outcome] * len(payloads)
    outcomes: list[Outcome] = []
    for index, payload in enumerate(payloads):
        outcome = _post(context, url, [payload])
        outcomes.append(outcome)
        if outcome.status == "retry":  # keep the order: nothing after it goes before it
            waiting = Outcome.retry(f"waiting for an earlier statement ({outcome.error})")
            outcomes += [waiting] * (len(payloads) - index - 1)
            break
    return outcomes
