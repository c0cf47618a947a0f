"""Interoperability with an independent LTI 1.3 platform implementation from PyPI,
lti1p3platform (0.1.8): its OIDC login initiation, its signed launches (resource link and
deep linking) are accepted by the tool, and it verifies the tool's deep-linking answer with
the tool's JWKS, which it fetches over HTTP from the running tool."""

import json
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from flask import Flask
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from coursekit.lti import registrations
from tests.conftest import MINI_CONTENT, csrf_from
from tests.lti.flow import continue_url, form_fields
from tests.lti.platform import INSTRUCTOR, LEARNER, new_key, pem, public_pem

CLIENT_ID = "coursekit-in-lti1p3platform"
DEPLOYMENT_ID = "interop-deployment"


class _Serve:
    """A WSGI app on 127.0.0.1 in a thread."""

    def __init__(self, app: Any):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join()


class Interop:
    """The platform side, built from lti1p3platform's own classes."""

    def __init__(self, tool: str):
        key = new_key()
        self.jwks: dict[str, Any] = {}
        self.keyset = _Serve(self._serve_jwks)
        self.issuer = self.keyset.url  # the platform's JWKS is served from its issuer's host
        registration = (
            Registration()
            .set_iss(self.issuer)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_launch_url(f"{tool}/lti/launch")
            .set_deeplink_launch_url(f"{tool}/lti/launch")
            .set_oidc_login_url(f"{tool}/lti/login")
            .set_tool_key_set_url(f"{tool}/lti/jwks")
            .set_platform_public_key(public_pem(key).decode())
            .set_platform_private_key(pem(key).decode())
        )

        class Conf(LTI1P3PlatformConfAbstract):
            def init_platform_config(self, **kwargs: Any) -> None:
                self._registration = registration

            def get_registration_by_params(self, **kwargs: Any) -> Registration:
                return registration

        self.conf = Conf()
        self.jwks = self.conf.get_jwks()

    def _serve_jwks(self, environ: dict, start_response: Any) -> Any:
        Request(environ)
        return Response(json.dumps(self.jwks), content_type="application/json")(
            environ, start_response
        )

    def login_url(self, hint: str) -> str:
        class Login(OIDCLoginAbstract):
            def set_lti_message_hint(self, **kwargs: Any) -> None:
                self._lti_message_hint = kwargs["hint"]

            def get_redirect(self, url: str) -> str:
                return url

        login = Login(None, self.conf)
        login.set_lti_message_hint(hint=hint)
        return login.initiate_login("interop-user-1")

    def launch(self, preflight: dict[str, str], setup: Any) -> dict[str, str]:
        class Launch(LTIAdvantageMessageLaunchAbstract):
            def render_launch_form(self, launch_data: dict, **kwargs: Any) -> dict:
                return launch_data

        # lti1p3platform reads the tool's authorisation request from `get_data`.
        request = SimpleNamespace(get_data=preflight, form_data={})
        message = Launch(request, self.conf)  # type: ignore[arg-type]
        setup(message)
        return message.lti_launch()


@pytest.fixture
def interop(make_app) -> Iterator[tuple[Flask, Interop, str]]:  # type: ignore[no-untyped-def]
    app = make_app(COURSEKIT_CONTENT_DIR=str(MINI_CONTENT))
    tool = _Serve(app)
    lms = Interop(tool.url)
    session = app.extensions["coursekit"].db.sessionmaker()
    registrations.add_platform(
        session,
        name="lti1p3platform",
        issuer=lms.issuer,
        client_id=CLIENT_ID,
        auth_login_url=f"{lms.issuer}/authorize",
        token_url=f"{lms.issuer}/token",
        jwks_url=f"{lms.issuer}/jwks",
        deployment_ids=[DEPLOYMENT_ID],
    )
    session.close()
    yield app, lms, tool.url
    tool.stop()
    lms.keyset.stop()


def _login(app: Flask, client: Any, lms: Interop, tool: str, hint: str) -> dict[str, str]:
    """lti1p3platform's login initiation URL, followed by the tool: the tool's redirect to
    the platform carries what lti1p3platform then checks (nonce, state, redirect_uri...)."""
    url = lms.login_url(hint)
    assert url.startswith(f"{tool}/lti/login?")
    response = client.get(urlsplit(url).path + "?" + urlsplit(url).query, base_url=tool)
    assert response.status_code == 302, response.get_data(as_text=True)
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def test_a_resource_link_launch_from_lti1p3platform(interop) -> None:  # type: ignore[no-untyped-def]
    app, lms, tool = interop
    client = app.test_client()
    preflight = _login(app, client, lms, tool, "resource-1")

    def setup(message: LTIAdvantageMessageLaunchAbstract) -> None:
        message.set_user_data(
            "interop-user-1", [LEARNER], full_name="Zhao Lei", email_address="zhao.lei@uni.example"
        )
        message.set_resource_link_claim("rl-1", title="Customer expectations")
        message.set_launch_context_claim("ctx-1", context_title="Interop course")
        message.set_custom_parameters_claim({"coursekit_target": "module:two"})
        message.set_launch_presentation_claim(document_target="iframe")
        message.set_ags(f"{lms.issuer}/lineitems", f"{lms.issuer}/lineitems/1")
        message.set_nrps(f"{lms.issuer}/memberships")

    launch = lms.launch(preflight, setup)
    assert launch["launch_url"] == f"{tool}/lti/launch"
    response = client.post(
        "/lti/launch",
        data={"id_token": launch["id_token"], "state": launch["state"]},
        base_url=tool,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Welcome, Zhao Lei" in response.get_data(as_text=True)
    assert continue_url(response) == "/modules/two"
    assert client.get("/modules/two", base_url=tool).status_code == 200
    print("lti1p3platform resource link launch accepted; landed on /modules/two")

    # lti1p3platform signs the same message again for the same login: a replay, refused.
    replay = client.post(
        "/lti/launch",
        data={"id_token": launch["id_token"], "state": launch["state"]},
        base_url=tool,
    )
    assert replay.status_code == 400


def test_deep_linking_with_lti1p3platform(interop) -> None:  # type: ignore[no-untyped-def]
    app, lms, tool = interop
    client = app.test_client()
    preflight = _login(app, client, lms, tool, "deep-link-1")

    def setup(message: LTIAdvantageMessageLaunchAbstract) -> None:
        message.set_user_data("interop-teacher", [INSTRUCTOR], full_name="Sun Mei")
        message.set_launch_context_claim("ctx-1", context_title="Interop course")
        message.set_dl(
            f"{lms.issuer}/deep-link-return",
            title="Add CourseKit",
            accept_types={"ltiResourceLink"},
            extra_data={"course": "ctx-1"},
        )

    launch = lms.launch(preflight, setup)
    response = client.post(
        "/lti/launch",
        data={"id_token": launch["id_token"], "state": launch["state"]},
        base_url=tool,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    page = client.get(continue_url(response), base_url=tool).get_data(as_text=True)
    answer = client.post(
        "/lti/deep-link",
        data={"csrf_token": csrf_from(page), "target": "roleplay:mini-call", "submit": "Add"},
        base_url=tool,
    )
    assert answer.status_code == 200
    action, fields = form_fields(answer.get_data(as_text=True), "data-lti-autosubmit")
    assert action == f"{lms.issuer}/deep-link-return"

    # lti1p3platform verifies the answer with the tool's JWKS (fetched over HTTP).
    [item] = lms.conf.validate_deeplinking_resp({"JWT": fields["JWT"]})
    assert item["type"] == "ltiResourceLink"
    assert item["custom"] == {"coursekit_target": "roleplay:mini-call"}
    assert item["lineItem"]["scoreMaximum"] == 100
    claims = jwt.decode(fields["JWT"], options={"verify_signature": False})  # verified above
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == {"course": "ctx-1"}
    print(f"lti1p3platform accepted the deep-linking answer: {item['title']}")
