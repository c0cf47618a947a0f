"""The privacy settings and texts, read from the app (shared by the views and the CLI)."""

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from .services import CERTIFICATE_MODES, REVOKE, ErasureTexts


class SettingError(ValueError):
    pass


def erasure_texts() -> ErasureTexts:
    """Stored in the database, so in the deployment's language, not the admin's."""
    with force_locale(current_app.config["COURSEKIT_DEFAULT_LANGUAGE"]):
        return ErasureTexts(name=_("Deleted trainee"), reason=_("account deleted"))


def certificate_mode(config: Mapping[str, Any]) -> str:
    mode = config.get("COURSEKIT_ERASURE_CERTIFICATES", REVOKE)
    if mode not in CERTIFICATE_MODES:
        raise SettingError(f"COURSEKIT_ERASURE_CERTIFICATES is {mode!r}: use 'revoke' or 'keep'")
    return str(mode)


def retention_days(config: Mapping[str, Any]) -> int | None:
    days = config.get("COURSEKIT_RETENTION_INACTIVE_DAYS")
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise SettingError(
            f"COURSEKIT_RETENTION_INACTIVE_DAYS is {days!r}: use a number of days (at least 1), "
            "or leave it unset to keep accounts"
        )
    return days


def check(app: Flask) -> None:
    """Refuse to start with a privacy setting that would only fail when first used."""
    certificate_mode(app.config)
    retention_days(app.config)
