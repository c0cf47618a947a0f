"""What an LTI 1.3 id_token says, checked claim by claim (pure: no Flask, no database, no JWT
library: the signature is checked before these run, in tokens.py)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
VERSION = LTI + "version"
MESSAGE_TYPE = LTI + "message_type"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
CUSTOM = LTI + "custom"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"

_LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = _LIS + "membership#Learner"
# Roles that run a cohort: context instructors (and their sub-roles such as teaching
# assistants), context administrators, content developers, and institution/system admins.
INSTRUCTOR_ROLES = frozenset(
    {
        _LIS + "membership#Instructor",
        _LIS + "membership#Administrator",
        _LIS + "membership#ContentDeveloper",
        _LIS + "institution/person#Administrator",
        _LIS + "institution/person#Instructor",
        _LIS + "system/person#Administrator",
    }
)
_INSTRUCTOR_SUBROLE_PREFIXES = (
    _LIS + "membership/Instructor#",
    _LIS + "membership/Administrator#",
    _LIS + "membership/ContentDeveloper#",
)

# What a CourseKit link opens: the whole course, or one module, knowledge check or role-play.
TARGET_KINDS = ("module", "check", "roleplay")
CUSTOM_TARGET = "coursekit_target"


class ClaimError(Exception):
    """The token is signed correctly but its content is not an acceptable launch."""


@dataclass(frozen=True)
class DeepLinkSettings:
    return_url: str
    accept_types: tuple[str, ...]
    accept_multiple: bool
    data: Any  # opaque: echoed back exactly (a string by the spec; some platforms send JSON)
    title: str | None


@dataclass(frozen=True)
class GradeEndpoint:
    lineitem: str | None
    lineitems: str | None
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class LaunchMessage:
    """The parts of a verified id_token that CourseKit acts on."""

    message_type: str
    issuer: str
    subject: str
    deployment_id: str
    target_link_uri: str
    roles: tuple[str, ...]
    name: str | None = None
    email: str | None = None
    locale: str | None = None
    resource_link_id: str | None = None
    resource_link_title: str | None = None
    context_id: str | None = None
    context_title: str | None = None
    custom: Mapping[str, Any] = field(default_factory=dict)
    return_url: str | None = None
    grades: GradeEndpoint | None = None
    memberships_url: str | None = None
    deep_link: DeepLinkSettings | None = None

    @property
    def is_instructor(self) -> bool:
        return is_instructor(self.roles)

    @property
    def is_learner(self) -> bool:
        return LEARNER in self.roles or any(
            r.startswith(_LIS + "membership/Learner#") for r in self.roles
        )


def is_instructor(roles: tuple[str, ...] | list[str]) -> bool:
    return any(r in INSTRUCTOR_ROLES or r.startswith(_INSTRUCTOR_SUBROLE_PREFIXES) for r in roles)


def _text(claims: Mapping[str, Any], key: str) -> str | None:
    value = claims.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _object(claims: Mapping[str, Any], key: str, required: bool = False) -> Mapping[str, Any]:
    value = claims.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        raise ClaimError(f"the {_short(key)} claim is missing or not an object")
    return value


def _short(key: str) -> str:
    return key.rsplit("/", 1)[-1]


def parse_launch(claims: Mapping[str, Any]) -> LaunchMessage:
    """Check the LTI claims a launch must carry and return what they say; raise ClaimError."""
    if claims.get(VERSION) != "1.3.0":
        raise ClaimError(f"LTI version {claims.get(VERSION)!r} is not supported (1.3.0 is)")
    message_type = claims.get(MESSAGE_TYPE)
    if message_type not in (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST):
        raise ClaimError(f"message type {message_type!r} is not supported")
    deployment_id = _text(claims, DEPLOYMENT_ID)
    if deployment_id is None:
        raise ClaimError("the deployment_id claim is missing")
    subject = _text(claims, "sub")
    if subject is None:
        raise ClaimError("the launch has no user (sub): anonymous launches are not supported")
    roles = claims.get(ROLES)
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise ClaimError("the roles claim is missing or not a list of role URIs")
    target_link_uri = _text(claims, TARGET_LINK_URI)
    if target_link_uri is None and message_type == RESOURCE_LINK_REQUEST:
        raise ClaimError("the target_link_uri claim is missing")
    resource_link = _object(claims, RESOURCE_LINK, required=message_type == RESOURCE_LINK_REQUEST)
    if message_type == RESOURCE_LINK_REQUEST and not _text(resource_link, "id"):
        raise ClaimError("the resource_link claim has no id")
    context = _object(claims, CONTEXT)
    if context and not _text(context, "id"):
        raise ClaimError("the context claim has no id")
    custom = _object(claims, CUSTOM)
    presentation = _object(claims, LAUNCH_PRESENTATION)
    return LaunchMessage(
        message_type=message_type,
        issuer=str(claims.get("iss")),
        subject=subject,
        deployment_id=deployment_id,
        target_link_uri=target_link_uri or "",
        roles=tuple(roles),
        name=_name(claims),
        email=_text(claims, "email"),
        locale=_text(presentation, "locale") or _text(claims, "locale"),
        resource_link_id=_text(resource_link, "id"),
        resource_link_title=_text(resource_link, "title"),
        context_id=_text(context, "id"),
        context_title=_text(context, "title") or _text(context, "label"),
        custom=dict(custom),
        return_url=_text(presentation, "return_url"),
        grades=_grades(claims),
        memberships_url=_text(_object(claims, NRPS), "context_memberships_url"),
        deep_link=_deep_link(claims) if message_type == DEEP_LINKING_REQUEST else None,
    )


def _name(claims: Mapping[str, Any]) -> str | None:
    name = _text(claims, "name")
    if name:
        return name
    parts = [_text(claims, "given_name"), _text(claims, "family_name")]
    return " ".join(p for p in parts if p) or None


def _grades(claims: Mapping[str, Any]) -> GradeEndpoint | None:
    endpoint = _object(claims, AGS_ENDPOINT)
    if not endpoint:
        return None
    scopes = endpoint.get("scope") or []
    if not isinstance(scopes, list):
        raise ClaimError("the AGS endpoint claim's scope is not a list")
    return GradeEndpoint(
        lineitem=_text(endpoint, "lineitem"),
        lineitems=_text(endpoint, "lineitems"),
        scopes=tuple(str(s) for s in scopes),
    )


def _deep_link(claims: Mapping[str, Any]) -> DeepLinkSettings:
    settings = _object(claims, DL_SETTINGS, required=True)
    return_url = _text(settings, "deep_link_return_url")
    if return_url is None:
        raise ClaimError("the deep_linking_settings claim has no deep_link_return_url")
    if urlsplit(return_url).scheme not in ("https", "http"):
        raise ClaimError("the deep_link_return_url is not an http(s) URL")
    accept_types = settings.get("accept_types")
    if not isinstance(accept_types, list):
        raise ClaimError("the deep_linking_settings claim has no accept_types list")
    return DeepLinkSettings(
        return_url=return_url,
        accept_types=tuple(str(t) for t in accept_types),
        accept_multiple=settings.get("accept_multiple") is True,
        data=settings.get("data"),
        title=_text(settings, "title"),
    )


def check_audience(claims: Mapping[str, Any], client_id: str) -> None:
    """`aud` names our client id; with several audiences, `azp` must be present and be us.
    (OpenID Connect Core 3.1.3.7, as the LTI Security Framework requires.)"""
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if client_id not in audiences:
        raise ClaimError("the token is not meant for this tool (aud)")
    azp = claims.get("azp")
    if len(audiences) > 1 and azp is None:
        raise ClaimError("the token has several audiences but no authorized party (azp)")
    if azp is not None and azp != client_id:
        raise ClaimError("the token's authorized party (azp) is another client")


def language(locale: str | None, languages: tuple[str, ...] | list[str]) -> str | None:
    """The interface language for an LMS locale such as "zh-CN", "zh_Hant_TW" or "en-GB"."""
    if not locale:
        return None
    primary = locale.replace("_", "-").split("-")[0].lower()
    return primary if primary in languages else None


def target_of(message: LaunchMessage) -> str | None:
    """What the launch asks to open: the custom parameter set by deep linking, else the
    `target` query parameter of the target link URI (None: the course page)."""
    custom = message.custom.get(CUSTOM_TARGET)
    if isinstance(custom, str) and custom.strip():
        return custom.strip()
    query = parse_qs(urlsplit(message.target_link_uri).query)
    values = query.get("target")
    return values[0] if values else None


def parse_target(target: str | None) -> tuple[str, str | None]:
    """("course", None) or (kind, id) for "module:<id>", "check:<id>", "roleplay:<id>";
    anything else is the course."""
    if not target or ":" not in target:
        return "course", None
    kind, _, ident = target.partition(":")
    if kind not in TARGET_KINDS or not ident:
        return "course", None
    return kind, ident
