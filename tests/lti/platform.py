"""An LMS for the tests: its own RSA keys, a JWKS, an OIDC authorisation endpoint that answers
with an auto-posting form, an OpenID configuration and a dynamic registration endpoint, a
deep-linking return URL that verifies the tool's answer with the tool's JWKS, and a course
page that shows the tool in an iframe. All served over real HTTP on 127.0.0.1."""

import html
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR = LIS + "membership#Instructor"
LEARNER = LIS + "membership#Learner"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class TestPlatform:
    """Start with `with TestPlatform() as platform:` (a fixture does)."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, host: str = "127.0.0.1", tool_base: str = "http://localhost"):
        self.host = host
        self.tool_base = tool_base  # where the tool's /lti/... URLs are
        self.client_id = "coursekit-at-test-lms"
        self.deployment_id = "deployment-1"
        self.key = new_key()
        self.kid = "platform-key-1"
        self.published: dict[str, rsa.RSAPrivateKey] = {self.kid: self.key}
        self.jwks_requests = 0
        # lti_message_hint -> what to launch with (keyword arguments of claims())
        self.launches: dict[str, dict[str, Any]] = {}
        self.auth_requests: list[dict[str, str]] = []
        self.deep_link_answers: list[dict[str, Any]] = []
        self.registration_token = "platform-registration-token-" + secrets.token_hex(4)
        self.registrations: list[dict[str, Any]] = []
        self.registration_issuer: str | None = None  # what the OpenID configuration claims
        self._server = make_server(host, 0, self._wsgi, threaded=True)
        self.url = f"http://{host}:{self._server.port}"
        self.issuer = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "TestPlatform":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join()

    # URLs -----------------------------------------------------------------------------------

    @property
    def auth_url(self) -> str:
        return self.url + "/auth"

    @property
    def token_url(self) -> str:
        return self.url + "/token"

    @property
    def jwks_url(self) -> str:
        return self.url + "/jwks"

    @property
    def openid_configuration_url(self) -> str:
        return self.url + "/.well-known/openid-configuration"

    @property
    def return_url(self) -> str:
        return self.url + "/deep-link-return"

    def tool(self, path: str) -> str:
        return self.tool_base + path

    # Keys and tokens ------------------------------------------------------------------------

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.published.items():
            jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
        return {"keys": keys}

    def rotate(self, keep_old: bool = False) -> None:
        """A new platform key signs from now on (the old one is kept published if asked)."""
        self.key, self.kid = new_key(), f"platform-key-{len(self.published) + 1}"
        self.published = {**(self.published if keep_old else {}), self.kid: self.key}

    def claims(
        self,
        nonce: str,
        *,
        message_type: str = "LtiResourceLinkRequest",
        sub: str = "lms-user-1",
        roles: list[str] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A complete, valid launch for the tool (override or drop claims in `extra`:
        a value of None removes the claim)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": "Wang Fang",
            "email": "wang.fang@school.example",
            LTI + "version": "1.3.0",
            LTI + "message_type": message_type,
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": self.tool("/lti/launch"),
            LTI + "roles": roles if roles is not None else [LEARNER],
            LTI + "context": {"id": "course-7", "title": "Service excellence 2026"},
            LTI + "launch_presentation": {"locale": "en-US", "document_target": "iframe"},
        }
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": "link-1", "title": "Customer expectations"}
            claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                ],
                "lineitems": self.url + "/courses/7/lineitems",
                "lineitem": self.url + "/courses/7/lineitems/1",
            }
            claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"] = {
                "context_memberships_url": self.url + "/courses/7/memberships",
                "service_versions": ["2.0"],
            }
        else:
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": self.return_url,
                "accept_types": ["ltiResourceLink", "link"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": False,
                "data": "opaque-platform-data-42",
            }
        for key, value in extra.items():
            if value is None:
                claims.pop(key, None)
            else:
                claims[key] = value
        return claims

    def sign(
        self,
        claims: dict[str, Any],
        *,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        algorithm: str = "RS256",
        secret: bytes | None = None,
    ) -> str:
        headers = {"kid": kid or self.kid}
        if algorithm.startswith("HS"):
            return jwt.encode(claims, secret or b"", algorithm=algorithm, headers=headers)
        if algorithm == "none":
            return jwt.encode(claims, None, algorithm="none", headers=headers)
        return jwt.encode(claims, pem(key or self.key), algorithm=algorithm, headers=headers)

    def login_params(self, hint: str = "launch-1", **extra: str) -> dict[str, str]:
        """A third-party initiated login, as the LMS sends it to the tool."""
        params = {
            "iss": self.issuer,
            "login_hint": "lms-user-1",
            "target_link_uri": self.tool("/lti/launch"),
            "lti_message_hint": hint,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }
        params.update(extra)
        return params

    # The HTTP side --------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        handler = {
            "/jwks": self._serve_jwks,
            "/auth": self._authorise,
            "/.well-known/openid-configuration": self._openid_configuration,
            "/register": self._register,
            "/deep-link-return": self._deep_link_return,
            "/favicon.ico": lambda _request: Response(status=204),
        }.get(request.path)
        if handler is None and request.path.startswith("/course/"):
            handler = self._course_page
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def _serve_jwks(self, request: Request) -> Response:
        self.jwks_requests += 1
        return Response(json.dumps(self.jwks()), content_type="application/json")

    def _authorise(self, request: Request) -> Response:
        """The OIDC authorisation endpoint: checks the tool's request as an LMS does and
        answers with a form that posts the signed id_token to the tool."""
        args = request.args.to_dict()
        self.auth_requests.append(args)
        problems = []
        for name, wanted in (
            ("scope", "openid"),
            ("response_type", "id_token"),
            ("response_mode", "form_post"),
            ("prompt", "none"),
            ("client_id", self.client_id),
        ):
            if args.get(name) != wanted:
                problems.append(f"{name} must be {wanted!r}")
        if args.get("redirect_uri") != self.tool("/lti/launch"):
            problems.append(f"redirect_uri {args.get('redirect_uri')!r} is not registered")
        if not args.get("nonce") or not args.get("state"):
            problems.append("nonce and state are required")
        template = self.launches.get(args.get("lti_message_hint", ""))
        if template is None:
            problems.append("unknown lti_message_hint")
        if problems:
            return Response("; ".join(problems), status=400)
        assert template is not None
        id_token = self.sign(self.claims(args["nonce"], **template))
        page = (
            "<!doctype html><html><body>"
            f'<form id="launch" method="post" action="{html.escape(args["redirect_uri"])}">'
            f'<input type="hidden" name="id_token" value="{html.escape(id_token)}">'
            f'<input type="hidden" name="state" value="{html.escape(args["state"])}">'
            '<button type="submit">Continue</button></form>'
            "<script>document.getElementById('launch').submit();</script>"
            "</body></html>"
        )
        return Response(page, content_type="text/html")

    def _openid_configuration(self, request: Request) -> Response:
        config = {
            "issuer": self.registration_issuer or self.issuer,
            "authorization_endpoint": self.auth_url,
            "token_endpoint": self.token_url,
            "jwks_uri": self.jwks_url,
            "registration_endpoint": self.url + "/register",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "scopes_supported": ["openid"],
            "response_types_supported": ["id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["iss", "sub", "name", "email"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "testlms",
                "version": "1.0",
                "messages_supported": [
                    {"type": "LtiResourceLinkRequest"},
                    {"type": "LtiDeepLinkingRequest"},
                ],
            },
        }
        return Response(json.dumps(config), content_type="application/json")

    def _register(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.registration_token}":
            return Response('{"error": "invalid_token"}', status=401)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not body.get("jwks_uri"):
            return Response('{"error": "invalid_client_metadata"}', status=400)
        self.registrations.append(body)
        client_id = f"dynamic-client-{len(self.registrations)}"
        answer = {
            **body,
            "client_id": client_id,
            "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                **body["https://purl.imsglobal.org/spec/lti-tool-configuration"],
                "deployment_id": f"dynamic-deployment-{len(self.registrations)}",
            },
        }
        return Response(json.dumps(answer), content_type="application/json")

    def _deep_link_return(self, request: Request) -> Response:
        """Verify the tool's deep-linking answer as an LMS does: with the tool's own JWKS,
        fetched over HTTP from the tool."""
        token = request.form.get("JWT", "")
        header = jwt.get_unverified_header(token)
        keys = httpx.get(self.tool("/lti/jwks"), timeout=5).json()["keys"]
        jwk = next(k for k in keys if k["kid"] == header["kid"])
        claims = jwt.decode(
            token,
            RSAAlgorithm.from_jwk(jwk),
            algorithms=["RS256"],
            audience=self.issuer,
            issuer=self.client_id,
        )
        self.deep_link_answers.append({"header": header, "claims": claims})
        items = claims.get(DL + "content_items", [])
        titles = ", ".join(html.escape(str(i.get("title"))) for i in items) or "nothing"
        return Response(f"<!doctype html><h1>Added: {titles}</h1>", content_type="text/html")

    def _course_page(self, request: Request) -> Response:
        """An LMS course page that shows the tool in an iframe (a launch from the LMS)."""
        hint = request.path.rsplit("/", 1)[-1]
        src = self.tool("/lti/login") + "?" + urlencode(self.login_params(hint))
        page = (
            "<!doctype html><html><head><title>Test LMS course</title></head><body>"
            "<h1>Test LMS</h1>"
            f'<iframe id="tool" title="CourseKit" src="{html.escape(src)}" '
            'width="1000" height="700"></iframe></body></html>'
        )
        return Response(page, content_type="text/html")


@contextmanager
def running(**kwargs: Any) -> Iterator[TestPlatform]:
    with TestPlatform(**kwargs) as platform:
        yield platform
