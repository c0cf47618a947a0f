"""How a name fits on a certificate: the longer the name, the smaller the type."""

import unicodedata

LARGEST_PT, SMALLEST_PT = 40.0, 14.0
FULL_WIDTH_UNITS = 18  # a name this wide (in Latin-letter widths) still gets the largest size


def width_units(text: str) -> float:
    """Approximate printed width: a CJK character is about two Latin letters wide."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def name_size_pt(name: str) -> float:
    """A font size at which the name fits on one or, when very long, two lines."""
    width = max(1.0, width_units(name))
    if width <= FULL_WIDTH_UNITS:
        return LARGEST_PT
    # Past about 60 letters the name may wrap onto a second line, so it needs less shrinking.
    lines = 2 if width > 60 else 1
    return round(max(SMALLEST_PT, LARGEST_PT * FULL_WIDTH_UNITS * lines / width), 1)
