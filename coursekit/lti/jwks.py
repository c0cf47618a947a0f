"""Platforms' public keys, fetched from their JWKS URLs over HTTP and cached per process.

A key is found by `kid`. An unknown kid means the platform may have rotated its keys, so the
set is fetched again, but not more often than `min_refetch` seconds per URL: a stream of
made-up kids must not turn the tool into a flood of requests to the platform."""

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger("coursekit.lti")


class KeySetError(Exception):
    """The platform's key set could not be read, or has no usable key with this kid."""


@dataclass
class _Entry:
    keys: dict[str, Any]  # kid -> public key object
    fetched_at: float


@dataclass
class KeySetCache:
    ttl: float = 3600.0
    min_refetch: float = 5.0
    timeout: float = 10.0
    fetches: int = 0  # how many HTTP fetches were made (read by tests and logs)
    _entries: dict[str, _Entry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def key(self, url: str, kid: str) -> Any:
        """The public key `kid` from the set at `url`; raise KeySetError if there is none."""
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(url)
        if entry is None or now - entry.fetched_at > self.ttl:
            entry = self._fetch(url)
        if kid not in entry.keys and time.monotonic() - entry.fetched_at >= self.min_refetch:
            log.info("LTI: unknown kid %r at %s: fetching the key set again", kid, url)
            entry = self._fetch(url)
        if kid not in entry.keys:
            raise KeySetError(f"the platform's key set has no key {kid!r}")
        return entry.keys[kid]

    def _fetch(self, url: str) -> _Entry:
        try:
            response = httpx.get(url, timeout=self.timeout, follow_redirects=True)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise KeySetError(f"the platform's key set could not be read: {error}") from error
        self.fetches += 1
        entry = _Entry(keys=_rsa_keys(document), fetched_at=time.monotonic())
        with self._lock:
            self._entries[url] = entry
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _rsa_keys(document: Any) -> dict[str, Any]:
    """The RSA signing keys of a JWKS document, by kid (others are skipped)."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise KeySetError("the platform's key set is not a JWKS document")
    keys: dict[str, Any] = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not jwk.get("kid"):
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
            continue
        try:
            keys[str(jwk["kid"])] = RSAAlgorithm.from_jwk(jwk)
        except (ValueError, KeyError, TypeError):
            log.warning("LTI: skipping an unreadable key %r in a platform key set", jwk.get("kid"))
    return keys
