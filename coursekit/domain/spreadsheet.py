"""Cells safe to open in a spreadsheet."""

from typing import Any

# A cell that starts with one of these is read by Excel and friends as a formula
# (OWASP "CSV injection"); a leading apostrophe makes it plain text. The fullwidth forms
# (＝ ＋ － ＠, typed by a Chinese input method) count too: spreadsheets in East Asian
# locales read them as the ASCII ones.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell(value: Any) -> Any:
    """Neutralise text that a spreadsheet would run as a formula; numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
