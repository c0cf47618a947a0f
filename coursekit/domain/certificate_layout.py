"""How a name fits on a certificate: the longer the name, the smaller the type."""

import unicodedata

LARGEST_PT, SMALLEST_PT = 40.0, 14.0
FULL_WIDTH_UNITS = 18  # a name this wide (in Latin-letter widths) still gets the largest size


def width_units(text: str) -> float:
    """Approximate printed width: a CJK character is about two Latin letters wide."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def name_size_pt(name: str) -> float:
    """A font size at which the name fits: shrinking on one line down to half size, then
    kept at half size on up to two lines, then shrinking again (never below SMALLEST_PT)."""
    width = max(1.0, width_units(name))
    one_line = LARGEST_PT * FULL_WIDTH_UNITS / width
    if one_line >= LARGEST_PT / 2:
        return round(min(LARGEST_PT, one_line), 1)
    two_lines = 2 * one_line
    return round(max(SMALLEST_PT, min(LARGEST_PT / 2, two_lines)), 1)
