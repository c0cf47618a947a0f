"""The tool's private keys at rest: sealed with Fernet (AES-128-CBC and HMAC-SHA256, from
`cryptography`) under COURSEKIT_KEY_ENCRYPTION_KEYS, a setting apart from the secret key, so
that a copy of the database alone signs nothing. The first key seals; every key listed opens,
so a key is rotated by putting a new one first and running `flask coursekit lti reseal-keys`."""

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PREFIX = "fernet:"
SEALING_KEYS = "coursekit_sealing_keys"  # where a session's info carries the keys


class SealError(Exception):
    """A sealed key and no setting (or no listed key) that opens it."""


def _fernet(keys: Sequence[str]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode("ascii")) for k in keys])


def seal(pem: str, keys: Sequence[str]) -> str:
    """The stored form of a private key: sealed under the first key, or as it is when no
    key is configured (a development set-up; production refuses to start without one)."""
    if not keys:
        return pem
    return PREFIX + _fernet(keys).encrypt(pem.encode("ascii")).decode("ascii")


def unseal(stored: str, keys: Sequence[str]) -> str:
    """The private key in PEM; a key stored in the clear (before sealing) is read as it is."""
    if not stored.startswith(PREFIX):
        return stored
    if not keys:
        raise SealError("the tool's LTI keys are sealed: set COURSEKIT_KEY_ENCRYPTION_KEYS")
    try:
        return _fernet(keys).decrypt(stored.removeprefix(PREFIX).encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise SealError(
            "no key in COURSEKIT_KEY_ENCRYPTION_KEYS opens the tool's LTI keys"
        ) from exc


def reseal(stored: str, keys: Sequence[str]) -> str:
    """The same private key sealed under the first key (for a rotation, or a key kept in the
    clear before sealing)."""
    return seal(unseal(stored, keys), keys)


def parse_keys(value: object) -> tuple[str, ...]:
    """The setting as a tuple: a list, or a comma-separated string from the environment."""
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(k.strip() for k in value.split(",") if k.strip())
    return tuple(str(k) for k in value)  # type: ignore[attr-defined]
