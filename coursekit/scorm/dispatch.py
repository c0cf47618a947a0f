"""The dispatch credential a SCORM package carries: which organisation, course or module and
LMS origins it may open, signed by CourseKit and checked at every launch. No Flask here."""

import re
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "coursekit.scorm-dispatch"
_ORIGIN = re.compile(
    r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$|^https?://\[[0-9a-f:.]+\](:[0-9]{1,5})?$"
)
_NAMESPACE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
MAX_CREDENTIAL_LENGTH = 4096


@dataclass(frozen=True)
class Dispatch:
    """What one package may open. Learners are namespaced by organisation and `namespace`
    (one LMS), so learner "42" of one LMS is never learner "42" of another."""

    package_id: str  # random per export: COURSEKIT_SCORM_REVOKED_PACKAGES refuses it
    organisation_id: int
    namespace: str
    course_id: str
    module_id: str | None  # None: the whole course
    origins: tuple[str, ...]  # the LMS origins whose pages launch and frame the package
    expires_at: int  # unix seconds
    scorm_version: str  # "1.2" or "2004"

    @property
    def issuer(self) -> str:
        """The Identity issuer of this dispatch's learners."""
        return f"scorm:{self.organisation_id}:{self.namespace}"


class DispatchError(Exception):
    """`reason` is "invalid", "expired" or "revoked"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def normalise_origin(value: str) -> str | None:
    """scheme://host[:port] in lower case, or None if `value` is not exactly an origin."""
    value = value.strip().lower().rstrip("/")
    if not _ORIGIN.match(value):
        return None
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:
        return None
    if port is not None and not 0 < port < 65536:
        return None
    return value


def valid_namespace(value: str) -> bool:
    return bool(_NAMESPACE.match(value))


def new_package_id() -> str:
    return secrets.token_urlsafe(9)


def mint(secret_key: str | bytes, dispatch: Dispatch) -> str:
    payload = asdict(dispatch)
    payload["origins"] = list(dispatch.origins)
    return URLSafeSerializer(secret_key, salt=_SALT).dumps(payload)


def read(
    keys: Sequence[str | bytes],
    token: str,
    *,
    now: float,
    revoked: Sequence[str] = (),
) -> Dispatch:
    """The dispatch a credential names, if CourseKit signed it (with any of `keys`, the
    current key last), it has not expired and its package is not revoked."""
    if not token or len(token) > MAX_CREDENTIAL_LENGTH:
        raise DispatchError("invalid")
    try:
        data = URLSafeSerializer(list(keys), salt=_SALT).loads(token)
        dispatch = Dispatch(**{**data, "origins": tuple(data["origins"])})
    except (BadSignature, TypeError, KeyError) as exc:
        raise DispatchError("invalid") from exc
    if dispatch.package_id in revoked:
        raise DispatchError("revoked")
    if now >= dispatch.expires_at:
        raise DispatchError("expired")
    return dispatch
