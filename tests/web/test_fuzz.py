"""Hypothesis fuzzing of every form and JSON endpoint: each POST route, and each GET route
that reads its query string or URL, gets random and malformed fields (random keys, huge and
unicode values, empty ones, lists, files where text belongs, text where a file belongs),
random JSON and raw bodies, fuzzed URL parameters, with a valid CSRF token in most examples
and none or a forged one in the rest, as a persona the route lets in. The app must never
answer 500, and an HTML refusal must be CourseKit's own page."""

import importlib
import io
import os
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import coursekit
from coursekit import create_app
from coursekit.auth import services as accounts
from coursekit.forms import Form
from tests.conftest import MINI_CONTENT, PASSWORD, SECRET, fresh_database
from tests.web import personas as p
from tests.web.fuzz_inputs import (
    CONTENT_TYPES,
    HEADER_TEXT,
    JSON,
    multipart,
    mutated,
    url_for_example,
)
from tests.web.route_requests import FORMS, QUERIES, pending_deep_link, restore, url_values
from tests.web.test_authorization_matrix import POLICY, routes

# Per route: about 60 routes in about a minute on two cores. Set COURSEKIT_FUZZ_EXAMPLES for
# a longer hunt (say 500).
EXAMPLES = int(os.environ.get("COURSEKIT_FUZZ_EXAMPLES", "20"))
# GET routes that read their query string (the others are fuzzed through their URL).
QUERY_GETS = {
    "coursekit.auth.login",
    "coursekit.auth.register",
    "coursekit.certificates.verify_form",
    "coursekit.cohorts.dashboard",
    "coursekit.lti.login",
    "coursekit.lti_dynamic.register",
    "coursekit.privacy.people",
}
NOT_FUZZED_GETS = {"coursekit.static", "coursekit.orgs.sample"}  # files; a PDF per request
# Aimed at something that nobody else relies on, so that the fuzz can destroy it.
SPARE = {
    "coursekit.privacy.erase": lambda w: {"user_id": w.victim},
    "coursekit.lti_admin.remove_platform": lambda w: {"platform_id": w.spare_platform},
}
SPARE_FORMS = {"coursekit.privacy.erase": {"confirm_email": p.VICTIM[0]}}


@cache
def _route_table() -> list[tuple[str, str]]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "COURSEKIT_DATABASE_URL": "sqlite://",
            "COURSEKIT_CONTENT_DIR": str(MINI_CONTENT),
        }
    )
    try:
        arguments = {rule.endpoint: rule.arguments for rule in app.url_map.iter_rules()}
        return [
            (endpoint, method)
            for endpoint, method in routes(app)
            if method == "POST"
            or endpoint in QUERY_GETS
            or (arguments[endpoint] and endpoint not in NOT_FUZZED_GETS)
        ]
    finally:
        app.extensions["coursekit"].db.dispose()


# --- the world the fuzz runs in ---------------------------------------------------------


@dataclass(repr=False)  # Hypothesis prints the fixture with a failing example: keep it short
class Fuzz:
    app: Flask
    world: p.World
    clients: dict[str, FlaskClient]
    tokens: dict[str, str]

    def client(self, persona: str) -> FlaskClient:
        if persona not in self.clients:
            self.clients[persona] = p.client_for(self.app, persona)
            self.tokens[persona] = p.csrf_token(self.clients[persona])
        return self.clients[persona]

    def forget(self, persona: str, password_changed: bool) -> None:
        """Sign in afresh next time (the example may have signed out, or in as another)."""
        self.clients.pop(persona, None)
        if password_changed and persona != p.ANONYMOUS:  # back to the known one
            session = self.app.extensions["coursekit"].db.sessionmaker()
            try:
                user = accounts.find_by_email(session, p.ACCOUNTS[persona][0])
                assert user is not None
                if accounts.authenticate(session, user.email, PASSWORD) is None:
                    user.password_hash = accounts.hash_password(PASSWORD)
                    session.commit()
            finally:
                session.close()


@pytest.fixture(scope="module")
def fuzz(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzz]:
    redis = p.private_redis()
    redis_url = next(redis)
    database = fresh_database(migrated_template, tmp_path_factory.mktemp("fuzz"))
    app = create_app(
        {"TESTING": True, "SECRET_KEY": SECRET, "COURSEKIT_DATABASE_URL": database}
        | p.settings(redis_url)
    )
    yield Fuzz(app, p.build_world(app, redis_url), {}, {})
    app.extensions["coursekit"].db.dispose()
    redis.close()


def test_every_form_reads_only_what_a_browser_posts() -> None:
    """Every CourseKit form is built on coursekit.forms.Form (see why there)."""
    for module in pkgutil.walk_packages(coursekit.__path__, "coursekit."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, todo = set(), [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    ours = {f for f in found if f.__module__.startswith("coursekit.") and f is not Form}
    assert len(ours) >= 12 and sorted(f.__name__ for f in ours if not issubclass(f, Form)) == []


# --- the 500s the fuzz found, kept as plain tests ---------------------------------------


def test_a_json_body_is_not_a_form(fuzz: Fuzz) -> None:
    client = fuzz.client(p.INSTRUCTOR_A)
    csrf = {"X-CSRFToken": fuzz.tokens[p.INSTRUCTOR_A]}
    for body in (False, [1], "0", {"name": ["a", "b"], "ends_on": 5}):
        response = client.post("/cohorts/new", json=body, headers=csrf)
        assert response.status_code in (400, 422)
        assert 'class="site-header"' in response.get_data(as_text=True)


def test_a_file_where_text_belongs_is_ignored(fuzz: Fuzz) -> None:
    client = fuzz.client(p.ADMIN)
    form = {"csrf_token": fuzz.tokens[p.ADMIN], "deployment_id": (io.BytesIO(b""), "x.csv")}
    response = client.post(f"/admin/lti/platforms/{fuzz.world.platform}/deployments", data=form)
    assert response.status_code == 400 and "Please enter a deployment ID" in response.text
    logo_as_text = {"csrf_token": fuzz.tokens[p.ADMIN], "logo_file": "not a file"}
    response = client.post(
        f"/admin/organisations/{fuzz.world.organisation}/branding", data=logo_as_text
    )
    assert response.status_code == 303  # saved, without a logo


def test_numbers_past_any_id(fuzz: Fuzz) -> None:
    client = fuzz.client(p.ADMIN)
    response = client.get(f"/cohorts/{2**63}")
    assert response.status_code == 404 and 'class="site-header"' in response.text
    assert client.get(f"/cohorts/{2**31}/edit").status_code == 404
    assert client.get(f"/admin/users?page={10**25}").status_code == 200
    job = f"/cohorts/{fuzz.world.cohort_a}/certificates/batch/not:a-job"
    assert client.get(job).status_code == 404


def test_a_nul_character_is_refused(fuzz: Fuzz) -> None:
    """PostgreSQL cannot store one (SQLite can, so only a refusal proves it never gets there)."""
    client = fuzz.client(p.INSTRUCTOR_A)
    assert client.get("/verify/AB%00CD").status_code == 400
    assert client.get("/admin/users?q=%00").status_code == 400
    form = {"csrf_token": fuzz.tokens[p.INSTRUCTOR_A], "name": "Work\x00shop"}
    response = client.post("/cohorts/new", data=form)
    assert response.status_code == 400 and "cannot be accepted" in response.text
    roster = {
        "csrf_token": fuzz.tokens[p.INSTRUCTOR_A],
        "roster": (io.BytesIO("name,email\n赵\x00六,zhao@example.com\n".encode()), "r.csv"),
    }
    response = client.post(f"/cohorts/{fuzz.world.cohort_a}/roster", data=roster)
    assert response.status_code == 422 and "the name contains a control character" in response.text


def test_a_nameless_form_field_is_refused(fuzz: Fuzz) -> None:
    """A multipart part without a name reached Flask-WTF's CSRF check as a None key."""
    body = b"--b\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--b--\r\n"
    response = fuzz.client(p.ANONYMOUS).post(
        "/language", data=body, content_type="multipart/form-data; boundary=b"
    )
    assert response.status_code == 400 and "cannot be accepted" in response.text


def test_the_named_routes_exist() -> None:
    named = QUERY_GETS | NOT_FUZZED_GETS | SPARE.keys() | SPARE_FORMS.keys() | FORMS.keys()
    assert sorted(named - POLICY.keys()) == []


@pytest.mark.parametrize("route", _route_table(), ids=lambda r: f"{r[1]} {r[0]}")
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_never_a_server_error(fuzz: Fuzz, route: tuple[str, str], data: st.DataObject) -> None:
    endpoint, _method = route
    persona = data.draw(
        st.sampled_from(sorted(POLICY[endpoint].allowed) or [p.ANONYMOUS, p.TRAINEE_A])
    )
    client = fuzz.client(persona)
    response = fuzzed_request(fuzz, client, persona, route, data.draw)
    text = response.get_data().decode("utf-8", "replace")  # a PDF or a zip, too
    response.close()  # a streamed response holds its request context until closed
    if endpoint.startswith("coursekit.auth.") or (persona != p.ANONYMOUS and _signed_out(client)):
        fuzz.forget(persona, password_changed=endpoint == "coursekit.auth.change_password")
    restore(fuzz.app, fuzz.world, endpoint)
    assert response.status_code < 500, text[:500]
    if response.status_code >= 400 and response.mimetype == "text/html":
        assert 'class="site-header"' in text, f"not CourseKit's page: {text[:300]}"


def fuzzed_request(fuzz: Fuzz, client: FlaskClient, persona: str, route: tuple[str, str], draw):  # type: ignore[no-untyped-def]
    """A GET with a mutated query, or a POST of a mutated form, JSON or raw bytes; both with
    fuzzed URL parameters and sometimes odd headers."""
    (endpoint, method), app, world = route, fuzz.app, fuzz.world
    if endpoint == "coursekit.lti_picker.pick" and persona != p.ANONYMOUS:
        pending_deep_link(client, world)
    valid_url = url_values(world, endpoint) | SPARE.get(endpoint, lambda w: {})(world)
    url = url_for_example(draw, app, route, valid_url)
    headers = {}
    if draw(st.booleans()):
        headers = {"X-Request-ID": draw(HEADER_TEXT), "Origin": draw(HEADER_TEXT)}
    csrf = draw(st.sampled_from(["valid"] * 8 + ["missing", "forged"]))
    token = {"valid": fuzz.tokens[persona], "missing": None, "forged": "Zm9yZ2Vk.forged"}[csrf]
    if method == "GET":
        query = draw(mutated(QUERIES.get(endpoint, {}), uploads=False))
        return client.get(url, query_string=query, headers=headers)
    valid = FORMS.get(endpoint, lambda a, w, c: {})(app, world, client)
    valid |= SPARE_FORMS.get(endpoint, {})
    mode = draw(st.sampled_from(["form"] * 6 + ["json", "raw"]))
    if mode == "json":
        headers |= {"X-CSRFToken": token} if token else {}
        return client.post(url, json=draw(JSON), headers=headers)
    if mode == "raw":
        body = draw(st.binary(max_size=2_000))
        if token and draw(st.booleans()):
            body = f"csrf_token={token}&".encode() + body
        kind = draw(st.sampled_from(CONTENT_TYPES))
        return client.post(url, data=body, content_type=kind, headers=headers)
    form = draw(mutated(valid)) | ({"csrf_token": token} if token else {})
    if any(isinstance(v, tuple | list) for v in form.values()):
        body, kind = multipart(form)
        return client.post(url, data=body, content_type=kind, headers=headers)
    return client.post(url, data=form, headers=headers)


def _signed_out(client: FlaskClient) -> bool:
    with client.session_transaction() as session:
        return "_user_id" not in session
