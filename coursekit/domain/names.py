"""What a person's name may hold: any script, but no control characters and no Unicode
direction overrides, which would let a name display as something else (on a certificate, a
dashboard, a verify page) than the characters stored."""

import unicodedata

# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): a right-to-left name
# needs none of them, since the text's own characters carry their direction.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def name_problem(name: str) -> str | None:
    """Why this name cannot be stored, or None when it can."""
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "the name contains a control character"
    if any(ch in BIDI_CONTROLS for ch in name):
        return "the name contains a text-direction override"
    return None
