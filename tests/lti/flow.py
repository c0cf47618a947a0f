"""Driving LTI flows through the test client: the LMS's side comes from TestPlatform."""

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from coursekit.auth.models import Identity, User
from coursekit.cohorts.models import Cohort, CohortInstructor, CohortMember
from coursekit.lti import registrations
from coursekit.lti.models import LtiContext, ResourceLink, UserLink
from tests.lti.platform import TestPlatform


@dataclass
class Login:
    state: str
    nonce: str
    redirect: str
    params: dict[str, str]
    response: TestResponse


def start_login(
    client: FlaskClient,
    platform: TestPlatform,
    hint: str = "launch-1",
    *,
    method: str = "GET",
    base_url: str = "http://localhost",
    **params: str,
) -> Login:
    """The LMS's login initiation; the tool must answer with a redirect to the LMS."""
    data = platform.login_params(hint, **params)
    if method == "GET":
        response = client.get("/lti/login", query_string=data, base_url=base_url)
    else:
        response = client.post("/lti/login", data=data, base_url=base_url)
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert location.startswith(platform.auth_url + "?"), location
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    return Login(query["state"], query["nonce"], location, query, response)


def post_launch(
    client: FlaskClient, id_token: str, state: str, base_url: str = "http://localhost"
) -> TestResponse:
    return client.post(
        "/lti/launch", data={"id_token": id_token, "state": state}, base_url=base_url
    )


def form_fields(page: str, marker: str | None = None) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the first form on a page (or of the form holding
    `marker`)."""
    start = page.rfind("<form", 0, page.index(marker)) if marker else page.index("<form")
    form = page[start : page.index("</form>", start)]
    action = re.search(r'action="([^"]+)"', form)
    assert action, form
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    return html.unescape(action.group(1)), {k: html.unescape(v) for k, v in fields}


def launch(
    client: FlaskClient,
    platform: TestPlatform,
    hint: str = "launch-1",
    *,
    base_url: str = "http://localhost",
    **claims: object,
) -> TestResponse:
    """A whole launch: login initiation at the tool, the LMS's authorisation endpoint over
    HTTP (it checks the tool's request and signs the id_token), the form post to the tool."""
    platform.launches[hint] = claims
    login = start_login(client, platform, hint, base_url=base_url)
    answer = httpx.get(login.redirect, timeout=5)
    assert answer.status_code == 200, answer.text
    action, fields = form_fields(answer.text)
    assert action == platform.tool("/lti/launch")
    return client.post(urlsplit(action).path, data=fields, base_url=base_url)


def continue_url(response: TestResponse) -> str:
    match = re.search(r'data-continue-url="([^"]+)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    return html.unescape(match.group(1))


def open_url(response: TestResponse) -> str:
    page = response.get_data(as_text=True)
    found = re.search(r'<a href="([^"]+)" target="_blank" rel="noopener" id="lti-open">', page)
    assert found, page
    return html.unescape(found.group(1))


def counts(app: Flask) -> dict[str, int]:
    """How many rows a launch may write, by table."""
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (
                User,
                Identity,
                Cohort,
                CohortMember,
                CohortInstructor,
                LtiContext,
                ResourceLink,
                UserLink,
            )
        }
    finally:
        session.close()


def register(app: Flask, platform: TestPlatform, **settings: object) -> int:
    """Register the test LMS with the app, through the real service."""
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        values: dict = {
            "name": "Test LMS",
            "issuer": platform.issuer,
            "client_id": platform.client_id,
            "auth_login_url": platform.auth_url,
            "token_url": platform.token_url,
            "jwks_url": platform.jwks_url,
            "deployment_ids": [platform.deployment_id],
            **settings,
        }
        return registrations.add_platform(session, **values).id
    finally:
        session.close()
