"""OAuth 2.0 access tokens for the LTI Advantage services (1EdTech Security Framework 1.0,
section 4.1): the client-credentials grant, the tool proving who it is with a JWT signed by
its own RSA key (RFC 7523), tokens cached per platform, client and scopes."""

import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from .types import PlatformEndpoints, SigningKey

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 300  # seconds: the assertion is used at once, so it may be short-lived
REFRESH_MARGIN = 60.0  # a token is renewed this long before it expires (at most half its life)
DEFAULT_LIFETIME = 3600  # when a platform names no expires_in


class TokenError(Exception):
    """The platform refused to issue a token (or answered nonsense)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def client_assertion(
    endpoints: PlatformEndpoints, key: SigningKey, *, now: float | None = None
) -> str:
    """The signed JWT that authenticates the tool at the platform's token endpoint."""
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": endpoints.client_id,
        "sub": endpoints.client_id,
        "aud": endpoints.token_audience,
        "iat": issued,
        "exp": issued + ASSERTION_LIFETIME,
        "jti": str(uuid.uuid4()),  # unique, so a platform can refuse a replayed assertion
    }
    return jwt.encode(claims, key.private_pem, algorithm="RS256", headers={"kid": key.kid})


def scope_string(scopes: Iterable[str]) -> str:
    return " ".join(sorted(set(scopes)))


@dataclass(frozen=True)
class _Token:
    value: str
    refresh_at: float


@dataclass
class TokenClient:
    """Fetches and caches access tokens; thread-safe, one fetch at a time per cache key."""

    clock: Callable[[], float] = time.time
    _cache: dict[tuple[str, str, str], _Token] = field(default_factory=dict)
    _locks: dict[tuple[str, str, str], threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0  # tokens fetched (for the doctor and tests)

    def token(
        self,
        http: httpx.Client,
        endpoints: PlatformEndpoints,
        key: SigningKey,
        scopes: Iterable[str],
    ) -> str:
        cache_key = (endpoints.issuer, endpoints.client_id, scope_string(scopes))
        with self._guard:
            lock = self._locks.setdefault(cache_key, threading.Lock())
        with lock:
            cached = self._cache.get(cache_key)
            if cached is not None and self.clock() < cached.refresh_at:
                return cached.value
            fresh = self._fetch(http, endpoints, key, cache_key[2])
            self._cache[cache_key] = fresh
            return fresh.value

    def invalidate(self, endpoints: PlatformEndpoints, scopes: Iterable[str]) -> None:
        """Forget the cached token (the platform said 401: revoked or expired early)."""
        self._cache.pop((endpoints.issuer, endpoints.client_id, scope_string(scopes)), None)

    def clear(self) -> None:
        self._cache.clear()

    def _fetch(
        self, http: httpx.Client, endpoints: PlatformEndpoints, key: SigningKey, scope: str
    ) -> _Token:
        now = self.clock()  # for the cache; the assertion carries the real time
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": client_assertion(endpoints, key),
            "scope": scope,
        }
        self.requests += 1
        response = http.post(endpoints.token_url, data=form, headers={"Accept": "application/json"})
        body = _json(response)
        if response.status_code != 200:
            reason = body.get("error_description") or body.get("error") or response.text[:200]
            raise TokenError(
                f"token endpoint answered {response.status_code}: {reason}", response.status_code
            )
        value = body.get("access_token")
        if not isinstance(value, str) or not value:
            raise TokenError("token endpoint sent no access_token", response.status_code)
        if str(body.get("token_type", "bearer")).lower() != "bearer":
            raise TokenError(f"unsupported token type {body.get('token_type')!r}")
        lifetime = _seconds(body.get("expires_in"))
        margin = min(REFRESH_MARGIN, lifetime / 2)
        return _Token(value, now + lifetime - margin)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _seconds(value: Any) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return float(DEFAULT_LIFETIME)
    return seconds if seconds > 0 else float(DEFAULT_LIFETIME)


# The process's token cache: every delivery run and roster sync in this process shares it.
TOKENS = TokenClient()


@dataclass
class ServiceClient:
    """Authorised calls to one platform's services, with the token renewed once on a 401."""

    http: httpx.Client
    endpoints: PlatformEndpoints
    key: SigningKey
    tokens: TokenClient = field(default_factory=lambda: TOKENS)

    def request(
        self,
        method: str,
        url: str,
        scopes: Iterable[str],
        *,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        scopes = tuple(scopes)
        response = self._once(method, url, scopes, headers, kwargs)
        if response.status_code == 401:
            self.tokens.invalidate(self.endpoints, scopes)
            response = self._once(method, url, scopes, headers, kwargs)
        return response

    def _once(
        self,
        method: str,
        url: str,
        scopes: tuple[str, ...],
        headers: Mapping[str, str] | None,
        kwargs: dict[str, Any],
    ) -> httpx.Response:
        token = self.tokens.token(self.http, self.endpoints, self.key, scopes)
        merged = {**(headers or {}), "Authorization": f"Bearer {token}"}
        return self.http.request(method, url, headers=merged, **kwargs)
