"""What a certificate shows of its issuing organisation: name, colour, signatory and logo.

Each organisation may set its own; whatever it leaves empty comes from the app's
COURSEKIT_ORGANISATION_NAME and COURSEKIT_CERTIFICATE_* settings.
"""

import base64
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from .models import Organisation

ACCENT = re.compile(r"^#[0-9a-fA-F]{6}$")
LOGO_TYPES = {"image/png", "image/jpeg"}
MAX_LOGO_BYTES = 1_000_000


class BrandingError(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field


@dataclass(frozen=True)
class Branding:
    issuer: str
    accent: str
    signatory: str | None = None
    signatory_role: str | None = None
    logo: bytes | None = None
    logo_type: str | None = None

    def logo_data_uri(self) -> str | None:
        """The logo inline (the PDF renderer fetches nothing itself)."""
        if not self.logo:
            return None
        return f"data:{self.logo_type};base64,{base64.b64encode(self.logo).decode()}"


@lru_cache(maxsize=4)
def _logo_file(path: str, _mtime_ns: int) -> tuple[bytes, str]:
    # Read once per version of the file, not once per certificate.
    return Path(path).read_bytes(), mimetypes.guess_type(path)[0] or "image/png"


def from_config(config: Mapping) -> Branding:
    logo = logo_type = None
    if path := config.get("COURSEKIT_CERTIFICATE_LOGO_FILE"):
        logo, logo_type = _logo_file(str(path), Path(path).stat().st_mtime_ns)
    return Branding(
        issuer=config["COURSEKIT_ORGANISATION_NAME"],
        accent=config["COURSEKIT_CERTIFICATE_ACCENT"],
        signatory=config.get("COURSEKIT_CERTIFICATE_SIGNATORY"),
        signatory_role=config.get("COURSEKIT_CERTIFICATE_SIGNATORY_ROLE"),
        logo=logo,
        logo_type=logo_type,
    )


def for_organisation(session: Session, organisation_id: int, config: Mapping) -> Branding:
    base = from_config(config)
    org = session.get(Organisation, organisation_id)
    if org is None:
        return base
    logo = org.logo if org.logo_type else None  # the logo column loads only when there is one
    return replace(
        base,
        issuer=org.certificate_issuer or base.issuer,
        accent=org.certificate_accent or base.accent,
        signatory=org.certificate_signatory or base.signatory,
        signatory_role=org.certificate_signatory_role or base.signatory_role,
        logo=logo or base.logo,
        logo_type=org.logo_type if logo else base.logo_type,
    )


def logo_type_of(data: bytes) -> str:
    """The logo's media type, from its first bytes; only PNG and JPEG are accepted."""
    if len(data) > MAX_LOGO_BYTES:
        raise BrandingError("logo", "The logo is larger than 1 MB.")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    raise BrandingError("logo", "The logo must be a PNG or JPEG image.")


def update(
    session: Session,
    organisation_id: int,
    *,
    issuer: str | None,
    accent: str | None,
    signatory: str | None,
    signatory_role: str | None,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> Organisation:
    """Save an organisation's branding (empty values fall back to the app's settings)."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise LookupError(organisation_id)
    if accent and not ACCENT.match(accent):
        raise BrandingError("accent", "The colour must look like #0b5cad.")
    logo_type = logo_type_of(logo) if logo else None
    org.certificate_issuer = (issuer or "").strip() or None
    org.certificate_accent = accent.lower() if accent else None
    org.certificate_signatory = (signatory or "").strip() or None
    org.certificate_signatory_role = (signatory_role or "").strip() or None
    if logo:
        org.logo, org.logo_type = logo, logo_type
    elif remove_logo:
        org.logo, org.logo_type = None, None
    session.commit()
    return org
