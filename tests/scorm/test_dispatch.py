"""The dispatch credential a package carries: signed, expiring, revocable (no app)."""

import dataclasses

import pytest

from coursekit.scorm.dispatch import (
    Dispatch,
    DispatchError,
    mint,
    normalise_origin,
    read,
    valid_namespace,
)

KEY = "a-long-random-secret-key-for-the-tests-0123456789"
NOW = 1_900_000_000
DISPATCH = Dispatch(
    package_id="pkg1",
    organisation_id=1,
    namespace="lms.example.com",
    course_id="customer-expectations",
    module_id="m01-what-are-expectations",
    origins=("https://lms.example.com",),
    expires_at=NOW + 3600,
    scorm_version="2004",
)


def test_a_credential_reads_back_as_minted() -> None:
    token = mint(KEY, DISPATCH)
    assert read([KEY], token, now=NOW) == DISPATCH
    assert DISPATCH.issuer == "scorm:1:lms.example.com"


def test_a_rotated_key_still_reads_old_packages() -> None:
    token = mint("the-old-key-that-signed-the-package-0123456789", DISPATCH)
    assert read(["the-old-key-that-signed-the-package-0123456789", KEY], token, now=NOW)
    with pytest.raises(DispatchError, match="invalid"):
        read([KEY], token, now=NOW)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # the signature
        lambda t: t.replace(t.split(".")[1][:8], "x" * 8, 1),  # the payload
        lambda t: "",
        lambda t: t + "." * 5000,  # too long to bother
    ],
)
def test_a_tampered_credential_is_invalid(tamper) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DispatchError) as raised:
        read([KEY], tamper(mint(KEY, DISPATCH)), now=NOW)
    assert raised.value.reason == "invalid"


def test_a_credential_for_more_origins_cannot_be_made_without_the_key() -> None:
    forged = mint("not-the-key", dataclasses.replace(DISPATCH, origins=("https://evil.example",)))
    with pytest.raises(DispatchError, match="invalid"):
        read([KEY], forged, now=NOW)


def test_an_expired_credential_is_refused() -> None:
    token = mint(KEY, DISPATCH)
    with pytest.raises(DispatchError, match="expired"):
        read([KEY], token, now=DISPATCH.expires_at)


def test_a_revoked_package_is_refused() -> None:
    with pytest.raises(DispatchError, match="revoked"):
        read([KEY], mint(KEY, DISPATCH), now=NOW, revoked=("other", "pkg1"))


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("https://LMS.example.com/", "https://lms.example.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("https://[::1]:8443", "https://[::1]:8443"),
        ("https://lms.example.com/moodle", None),  # a path is not an origin
        ("lms.example.com", None),
        ("https://lms.example.com:99999", None),
        ("https://lms.example.com; script-src *", None),  # never into a CSP header
        ("null", None),
    ],
)
def test_origins_are_exact(value: str, origin: str | None) -> None:
    assert normalise_origin(value) == origin


def test_namespaces_are_plain_names() -> None:
    assert valid_namespace("lms.example.com") and valid_namespace("acme_moodle-2")
    assert not valid_namespace("") and not valid_namespace("Acme") and not valid_namespace("a/b")
