"""JWT signatures: verifying a platform's id_token, signing the tool's own messages.

Only RS256 is accepted. The algorithm is fixed by the tool, never taken from the token's
header (that is how `alg: none` and HS256-signed-with-the-public-key forgeries get in)."""

import secrets
import time
from collections.abc import Mapping
from typing import Any

import jwt

from .jwks import KeySetCache, KeySetError
from .types import SigningKey

ALGORITHM = "RS256"


class TokenError(Exception):
    """The token is malformed, unsigned, wrongly signed, expired or not for us."""


def unverified_header_and_claims(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read a token without trusting it: only to find which platform and key to check with."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise TokenError(f"the id_token is not a readable JWT: {error}") from error
    if header.get("alg") != ALGORITHM:
        raise TokenError(
            f"the id_token is signed with {header.get('alg')!r}; only RS256 is accepted"
        )
    if not header.get("kid"):
        raise TokenError("the id_token's header names no key (kid)")
    return header, claims


def verify(
    token: str,
    *,
    cache: KeySetCache,
    jwks_url: str,
    kid: str,
    issuer: str,
    client_id: str,
    leeway: float,
) -> dict[str, Any]:
    """The token's claims once its signature, issuer, audience and times are checked."""
    try:
        key = cache.key(jwks_url, kid)
    except KeySetError as error:
        raise TokenError(str(error)) from error
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=client_id,
            issuer=issuer,
            leeway=leeway,
            options={"require": ["iss", "aud", "exp", "iat", "nonce"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise TokenError("the id_token has expired") from error
    except jwt.ImmatureSignatureError as error:
        raise TokenError("the id_token is issued in the future (iat)") from error
    except jwt.InvalidAudienceError as error:
        raise TokenError("the id_token is not meant for this tool (aud)") from error
    except jwt.InvalidIssuerError as error:
        raise TokenError("the id_token's issuer does not match the platform") from error
    except jwt.MissingRequiredClaimError as error:
        raise TokenError(f"the id_token lacks the {error.claim!r} claim") from error
    except jwt.InvalidSignatureError as error:
        raise TokenError("the id_token's signature does not verify") from error
    except jwt.PyJWTError as error:
        raise TokenError(f"the id_token is not valid: {error}") from error


def sign(claims: Mapping[str, Any], key: SigningKey, lifetime: int = 300) -> str:
    """A JWT from the tool: RS256 with the current key, its kid in the header, a fresh nonce
    and iat/exp (unless given)."""
    now = int(time.time())
    payload = {"iat": now, "exp": now + lifetime, "nonce": secrets.token_urlsafe(24), **claims}
    return jwt.encode(payload, key.private_pem, algorithm=ALGORITHM, headers={"kid": key.kid})
