"""The tool's RSA keys: the current one signs, the published set (JWKS) lets platforms verify.

Rotation makes a new key current at once and keeps the previous one in the JWKS for an
overlap period, because platforms cache a tool's JWKS and still verify with the old key for
a while (and tokens signed just before the rotation are still in flight)."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from ..db import utcnow, write_transaction
from .models import ToolKey
from .sealed import SEALING_KEYS, reseal, seal, unseal
from .types import SigningKey

KEY_SIZE = 2048


def new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def public_jwk(private_pem: str, kid: str) -> dict[str, Any]:
    """The public half of a key as a JWK, with kid, alg RS256 and use sig."""
    private = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))  # type: ignore[arg-type]
    return {"kty": "RSA", "n": jwk["n"], "e": jwk["e"], "kid": kid, "alg": "RS256", "use": "sig"}


def _thumbprint(private_pem: str) -> str:
    """RFC 7638-style thumbprint as the kid: stable for a key, different for every key."""
    jwk = public_jwk(private_pem, "")
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _sealing_keys(session: Session) -> tuple[str, ...]:
    return session.info.get(SEALING_KEYS, ())


def _pem(session: Session, key: ToolKey) -> str:
    return unseal(key.private_pem, _sealing_keys(session))


def _current(session: Session) -> ToolKey | None:
    return session.scalar(
        select(ToolKey).where(ToolKey.retire_at.is_(None)).order_by(ToolKey.id.desc()).limit(1)
    )


def current_key(session: Session) -> SigningKey:
    """The key that signs now (made on first use)."""
    key = _current(session)
    if key is None:
        with write_transaction(session):
            key = _current(session)  # another request may have made it meanwhile
            if key is None:
                pem = new_private_pem()
                key = ToolKey(kid=_thumbprint(pem), private_pem=seal(pem, _sealing_keys(session)))
                session.add(key)
    return SigningKey(kid=key.kid, private_pem=_pem(session, key).encode("ascii"))


def published_keys(session: Session, now: datetime | None = None) -> list[dict[str, Any]]:
    """The JWKS `keys`: the current key and every retired key still in its overlap."""
    current_key(session)
    now = now or utcnow()
    keys = session.scalars(
        select(ToolKey)
        .where(or_(ToolKey.retire_at.is_(None), ToolKey.retire_at > now))
        .order_by(ToolKey.id.desc())
    )
    return [public_jwk(_pem(session, k), k.kid) for k in keys]


@dataclass(frozen=True)
class Rotation:
    new_kid: str
    retired_kid: str | None
    retire_at: datetime | None
    dropped: int  # keys past their overlap, deleted


def rotate(session: Session, overlap: timedelta, now: datetime | None = None) -> Rotation:
    """Make a new key current; the previous one stays published until now + overlap."""
    now = now or utcnow()
    pem = new_private_pem()
    with write_transaction(session):
        previous = _current(session)
        # Every key still marked current retires (two first requests racing on PostgreSQL
        # may each have made one).
        session.execute(
            update(ToolKey).where(ToolKey.retire_at.is_(None)).values(retire_at=now + overlap)
        )
        dropped = session.execute(
            delete(ToolKey).where(ToolKey.retire_at.is_not(None), ToolKey.retire_at <= now)
        ).rowcount
        sealed = seal(pem, _sealing_keys(session))
        key = ToolKey(kid=_thumbprint(pem), private_pem=sealed, created_at=now)
        session.add(key)
    return Rotation(
        new_kid=key.kid,
        retired_kid=previous.kid if previous else None,
        retire_at=now + overlap if previous else None,
        dropped=dropped or 0,
    )


def reseal_keys(session: Session) -> int:
    """Seal every stored key under the first COURSEKIT_KEY_ENCRYPTION_KEYS key (after a
    rotation of that setting, or for keys stored in the clear); returns how many."""
    keys = _sealing_keys(session)
    with write_transaction(session):
        stored = list(session.scalars(select(ToolKey)))
        for key in stored:
            key.private_pem = reseal(key.private_pem, keys)
    return len(stored)
