"""What the fuzz sends: malformed values, uploads, JSON, mutations of a valid form, URLs
with fuzzed parameters, and multipart bodies built in memory."""

import io
import string

from flask import Flask
from hypothesis import assume
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.test import encode_multipart

from tests.web.route_requests import QUERIES

FIELDS = sorted(
    {key for form in QUERIES.values() for key in form}
    | {"csrf_token", "next", "back", "lang", "code", "name", "email", "password", "confirm"}
    | {"reason", "action", "archived", "restart", "position", "node", "choice", "ticket"}
    | {"target", "cancel", "submit", "id_token", "state", "error", "credential", "learner_id"}
    | {"learner_name", "language", "q", "page", "sort", "openid_configuration", "starts_on"}
    | {"registration_token", "ends_on", "co_instructors", "deployment_id", "issuer"}
    | {"confirm_email", "certificate_accent", "remove_logo", "logo_file", "roster"}
)
NASTY = [
    "", " ", "0", "-1", "1e309", "NaN", "null", "true", "[]", "{}", "%00", "\x00", "\u202e",
    "../../etc/passwd", "javascript:alert(1)", "//evil.example", "https://evil.example/",
    "2024-02-30", "9999-99-99", "9" * 40, "'; DROP TABLE coursekit_users; --", "<script>",
    "𝕏𝕐", "\ufeff", "张伟", "a@b", "module:one", "roleplay:nope", "#12345", "\r\n",
]  # fmt: skip
NUMBERS = ["1", "2", "-2147483649", "2147483648", "9223372036854775808", "1" + "0" * 30, "1.5"]
HEADER_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " -_.:/=+@", max_size=80)
HUGE = st.builds(
    lambda piece, n: piece * n, st.text(min_size=1, max_size=3), st.integers(2_000, 60_000)
)
SCALAR = st.one_of(
    st.text(max_size=40),
    st.sampled_from(NASTY),
    st.sampled_from(NUMBERS) | st.integers().map(str),
    HUGE,
)
FILE_BYTES = st.one_of(
    st.binary(max_size=3_000),
    st.sampled_from(
        [
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
            b"\xff\xd8\xff\xe0" + b"\x00" * 40,
            "\ufeffname,email\n张伟,wei@example.com\n".encode(),
            b"name,email\n" + b"x,y\n" * 6_000,
            b"\xff\xfe\x00n\x00a",
        ]
    ),
)
UPLOAD = st.builds(
    lambda data, name: (io.BytesIO(data), name),
    FILE_BYTES,
    st.sampled_from(["roster.csv", "logo.png", "x", "日本.csv", "a" * 300, "../x.csv"]),
)
VALUE = st.one_of(SCALAR, SCALAR, st.lists(SCALAR, min_size=2, max_size=3), UPLOAD)
KEY = st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=20))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=zzz",
    "application/json",
    "text/plain",
    "application/octet-stream",
]


@st.composite
def mutated(draw: st.DrawFn, valid: dict[str, object], uploads: bool = True) -> dict[str, object]:
    """The valid fields, each kept, changed or dropped, plus a few random ones."""
    value = VALUE if uploads else st.one_of(SCALAR, st.lists(SCALAR, min_size=2, max_size=3))
    fields: dict[str, object] = {}
    for key, good in valid.items():
        action = draw(st.sampled_from(["keep", "keep", "change", "drop"]))
        if action != "drop":
            fields[key] = good if action == "keep" else draw(value)
    fields.update(draw(st.dictionaries(KEY, value, max_size=4)))
    return fields


def url_for_example(draw: st.DrawFn, app: Flask, route: tuple[str, str], valid: dict) -> str:
    """The route's URL, each parameter either the real one or something else."""
    endpoint, method = route
    rule = next(app.url_map.iter_rules(endpoint))
    values = {}
    for name in rule.arguments:
        if draw(st.integers(0, 9)) < 7:
            values[name] = valid[name]
        elif f"<int:{name}>" in rule.rule:
            values[name] = draw(st.integers(0, 2**80))
        else:
            alphabet = st.characters(blacklist_characters="/\\", blacklist_categories=["Cs"])
            values[name] = draw(st.text(alphabet=alphabet, min_size=1, max_size=60))
    with app.test_request_context():
        url = app.url_for(endpoint, **values)
    try:  # a parameter that no longer routes here (say ".." ) tests the router, not us
        matched, _args = app.url_map.bind("localhost").match(url.split("?")[0], method)
    except HTTPException:
        matched = None
    assume(matched == endpoint)
    return url


def multipart(fields: dict[str, object]) -> tuple[bytes, str]:
    """The form as a browser posts it with files, built in memory (the test client spools a
    big body to a temporary file that it never closes)."""
    items = []
    for key, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            items.append((key, FileStorage(one[0], one[1]) if isinstance(one, tuple) else one))
    boundary, body = encode_multipart(MultiDict(items))
    return body, f"multipart/form-data; boundary={boundary}"
