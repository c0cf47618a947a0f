"""A fake LMS for the LTI Advantage services, as a real HTTP server on 127.0.0.1: an OAuth2
token endpoint that verifies the tool's signed client assertion with the tool's public key,
line item and score endpoints that record what they receive (and fail on demand), and a
paged membership endpoint whose Link headers vary from page to page."""

import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from coursekit.lti.types import PlatformEndpoints, SigningKey

CLIENT_ID = "coursekit-tool"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def new_key(kid: str = "tool-key-1") -> tuple[SigningKey, bytes]:
    """A fresh RSA key for the tool: (its SigningKey, its public key PEM)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return SigningKey(kid=kid, private_pem=pem), public


@dataclass
class FakePlatform:
    tool_public_pem: bytes
    tool_kid: str = "tool-key-1"
    expires_in: int = 3600
    score_delay: float = 0.0  # seconds each score POST takes (to make workers overlap)
    base_url: str = ""
    assertions: list[dict] = field(default_factory=list)  # verified claims + header, in order
    token_refusals: list[str] = field(default_factory=list)
    tokens: dict[str, set[str]] = field(default_factory=dict)  # access token -> scopes
    scores: list[dict] = field(default_factory=list)  # accepted: lineitem, query, body, type
    score_failures: deque = field(default_factory=deque)  # (user, status, body, headers)
    latest: dict[tuple[str, str], str] = field(default_factory=dict)  # gradebook timestamps
    lineitems: dict[str, dict] = field(default_factory=dict)
    lineitem_posts: int = 0
    requests: list[str] = field(default_factory=list)  # every path?query asked for
    members: list[dict] = field(default_factory=list)
    page_size: int = 2
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- set-up -----------------------------------------------------------------------------
    @property
    def issuer(self) -> str:
        return self.base_url  # unique per server, so cached tokens never cross tests

    @property
    def endpoints(self) -> PlatformEndpoints:
        token_url = f"{self.base_url}/token"
        return PlatformEndpoints(self.issuer, CLIENT_ID, token_url, token_url)

    def fail_scores(
        self, *statuses: int, body: str = "", headers: dict | None = None, user: str | None = None
    ) -> None:
        """Answer the next score POSTs (for `user`, or anyone) with these statuses."""
        for status in statuses:
            self.score_failures.append((user, status, body, headers or {}))

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def add_lineitem(self, label: str, **extra: Any) -> str:
        item_id = f"{self.base_url}/lineitems/{len(self.lineitems) + 1}"
        self.lineitems[item_id] = {"id": item_id, "label": label, "scoreMaximum": 100, **extra}
        return item_id

    # -- the WSGI app -------------------------------------------------------------------------
    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        request = Request(environ)
        with self.lock:
            self.requests.append(request.full_path.rstrip("?"))
        if request.path == "/token" and request.method == "POST":
            response = self._token(request)
        elif request.path.endswith("/scores") and request.method == "POST":
            response = self._score(request)
        elif request.path == "/lineitems":
            response = self._lineitems(request)
        elif request.path == "/memberships":
            response = self._memberships(request)
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def _token(self, request: Request) -> Response:
        form = request.form
        try:
            if form.get("grant_type") != "client_credentials":
                raise ValueError("grant_type must be client_credentials")
            if form.get("client_assertion_type") != ASSERTION_TYPE:
                raise ValueError("wrong client_assertion_type")
            assertion = form.get("client_assertion", "")
            header = jwt.get_unverified_header(assertion)
            if header.get("kid") != self.tool_kid or header.get("alg") != "RS256":
                raise ValueError(f"unexpected header {header}")
            claims = jwt.decode(
                assertion,
                self.tool_public_pem,
                algorithms=["RS256"],
                audience=self.endpoints.token_audience,
                issuer=CLIENT_ID,
                options={"require": ["iss", "sub", "aud", "iat", "exp", "jti"]},
            )
            if claims["sub"] != CLIENT_ID:
                raise ValueError("sub must be the client id")
            if any(a["claims"]["jti"] == claims["jti"] for a in self.assertions):
                raise ValueError("jti replayed")
        except (ValueError, jwt.PyJWTError) as error:
            self.token_refusals.append(str(error))
            body = {"error": "invalid_client", "error_description": str(error)}
            return Response(json.dumps(body), status=401, content_type="application/json")
        scopes = set(form.get("scope", "").split())
        token = secrets.token_urlsafe(16)
        with self.lock:
            self.assertions.append({"claims": claims, "header": header, "scope": scopes})
            self.tokens[token] = scopes
        body = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": " ".join(sorted(scopes)),
        }
        return Response(json.dumps(body), content_type="application/json")

    def _authorised(self, request: Request, scope: str) -> bool:
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ")
        return auth.startswith("Bearer ") and scope in self.tokens.get(token, set())

    def _score(self, request: Request) -> Response:
        if not self._authorised(request, "https://purl.imsglobal.org/spec/lti-ags/scope/score"):
            return Response("unauthorised", status=401)
        if self.score_delay:
            time.sleep(self.score_delay)
        if request.mimetype != SCORE_TYPE:
            return Response(f"wrong content type {request.mimetype}", status=415)
        body = json.loads(request.get_data())
        with self.lock:
            for failure in self.score_failures:
                if failure[0] in (None, body.get("userId")):
                    self.score_failures.remove(failure)
                    return Response(failure[2], status=failure[1], headers=failure[3])
        lineitem = self.base_url + request.path.removesuffix("/scores")
        key = (lineitem, body.get("userId", ""))
        with self.lock:
            # AGS: a score older than the one on record does not replace it.
            if body["timestamp"] >= self.latest.get(key, ""):
                self.latest[key] = body["timestamp"]
            self.scores.append(
                {"lineitem": lineitem, "query": request.query_string.decode(), "body": body}
            )
        return Response(status=204)

    def _lineitems(self, request: Request) -> Response:
        if request.method == "POST":
            if not self._authorised(
                request, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
            ):
                return Response("unauthorised", status=401)
            if request.mimetype != LINEITEM_TYPE:
                return Response("wrong content type", status=415)
            data = json.loads(request.get_data())
            self.lineitem_posts += 1
            item_id = self.add_lineitem(data.pop("label"), **data)
            return Response(json.dumps(self.lineitems[item_id]), status=201, mimetype=LINEITEM_TYPE)
        readonly = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
        if not self._authorised(request, readonly):
            return Response("unauthorised", status=401)
        wanted = request.args.get("resource_link_id")
        items = [i for i in self.lineitems.values() if wanted in (None, i.get("resourceLinkId"))]
        return Response(json.dumps(items), content_type="application/json")

    def _memberships(self, request: Request) -> Response:
        scope = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
        if not self._authorised(request, scope):
            return Response("unauthorised", status=401)
        page = int(request.args.get("p", "1"))
        start = (page - 1) * self.page_size
        chunk = self.members[start : start + self.page_size]
        last = start + self.page_size >= len(self.members)
        body = {
            "id": f"{self.base_url}/memberships?p={page}",
            "context": {"id": "course-42", "label": "MCE", "title": "Managing expectations"},
            "members": chunk,
        }
        response = Response(json.dumps(body), mimetype=MEMBERSHIP_TYPE)
        for header in self._links(page, last):
            response.headers.add("Link", header)
        return response

    def _links(self, page: int, last: bool) -> list[str]:
        """Every page words its links differently, as real platforms do."""
        nxt = f"{self.base_url}/memberships?p={page + 1}"
        diff = f"{self.base_url}/memberships?since=2026-01-01,00:00&p=1"
        if last:
            return [f'<{diff}>; rel="differences"']
        styles = [
            [f'<{nxt}>; rel="next"'],  # quoted
            [f"<{diff}>; rel=differences, <{nxt}>; rel=next"],  # unquoted, two in one header
            [f'<{self.base_url}/memberships?p=1>; rel="first"', f'<{nxt}>; rel="next"'],
            [
                f'<{diff}>; title="changes, since; then"; rel="differences", '
                f'</memberships?p={page + 1}>; rel="next last"'
            ],
        ]
        return styles[(page - 1) % len(styles)]


@contextmanager
def running(platform: FakePlatform) -> Iterator[FakePlatform]:
    """Serve the platform on a free port of 127.0.0.1 in a thread for the with-block."""
    server = make_server("127.0.0.1", 0, platform, threaded=True)
    platform.base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def resolver_for(platform: FakePlatform, key: SigningKey):  # type: ignore[no-untyped-def]
    """COURSEKIT_LTI_PLATFORM_RESOLVER for an app whose one LTI registration is `platform`."""

    def resolve(_session, issuer: str, client_id: str):  # type: ignore[no-untyped-def]
        if (issuer, client_id) == (platform.issuer, CLIENT_ID):
            return platform.endpoints, key
        return None

    return resolve
