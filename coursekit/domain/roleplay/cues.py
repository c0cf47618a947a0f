"""The surface of a reply, which must carry nothing: its length, its place in the list, and
the marker words of politeness, hedging and absolute promises. The lists are printed in
content/roleplays/README.md, so authors know what the validator plays (a test keeps the two
the same)."""

import re
from collections.abc import Callable, Sequence

from .schema import Choice

POLITENESS = {
    "en": (
        "please", "sorry", "thank", "apologi", "appreciate", "understand", "afraid",
        "of course", "glad", "happy to", "kindly", "my pleasure",
    ),
    "zh": ("您", "请", "抱歉", "对不起", "不好意思", "谢谢", "感谢", "理解", "麻烦", "辛苦"),
}  # fmt: skip
HEDGING = {
    "en": (
        "might", "may", "could", "perhaps", "probably", "possibly", "likely", "i think",
        "i believe", "try", "hopefully", "should", "usually", "normally", "roughly",
    ),
    "zh": (
        "可能", "也许", "或许", "大概", "估计", "尽量", "争取", "应该", "一般", "差不多", "左右",
    ),
}  # fmt: skip
ABSOLUTE = {
    "en": (
        "definitely", "guarantee", "promise", "certainly", "absolutely", "for sure", "surely",
        "no problem", "without fail", "100%", "always", "never",
    ),
    "zh": ("保证", "肯定", "一定", "绝对", "没问题", "放心", "百分之百", "包您", "准保"),
}  # fmt: skip
MARKERS = {"politeness": POLITENESS, "hedging": HEDGING, "absolute": ABSOLUTE}


def _pattern(words: Sequence[str], lang: str) -> re.Pattern[str]:
    # English markers match at a word's start ("promise" also finds "promised"); Chinese has
    # no spaces, so a marker matches anywhere.
    escaped = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{escaped})" if lang == "en" else f"(?:{escaped})", re.IGNORECASE)


_PATTERNS = {
    (name, lang): _pattern(words, lang)
    for name, lists in MARKERS.items()
    for lang, words in lists.items()
}


def count_markers(kind: str, text: str, lang: str) -> int:
    """How many of the `kind` markers (politeness, hedging, absolute) the text holds."""
    return len(_PATTERNS[kind, lang].findall(text))


def length(text: str) -> int:
    """Characters, spaces left out: the same measure for both languages."""
    return len("".join(text.split()))


Pick = Callable[[Sequence[Choice], str], Choice]


def _greedy(key: Callable[[Choice, str], tuple[float, ...]]) -> Pick:
    """Take the reply with the highest key; among equals, the first as authored."""

    def pick(options: Sequence[Choice], lang: str) -> Choice:
        return max(options, key=lambda c: key(c, lang))

    return pick


def _say(choice: Choice, lang: str) -> str:
    return choice.say.get(lang)


# Each strategy reads only the surface of the replies a trainee is shown.
STRATEGIES: dict[str, Pick] = {
    "longest": _greedy(lambda c, lang: (length(_say(c, lang)),)),
    "shortest": _greedy(lambda c, lang: (-length(_say(c, lang)),)),
    "first as authored": lambda options, lang: options[0],
    "last as authored": lambda options, lang: options[-1],
    "most politeness markers": _greedy(
        lambda c, lang: (count_markers("politeness", _say(c, lang), lang),)
    ),
    "most hedging markers": _greedy(
        lambda c, lang: (count_markers("hedging", _say(c, lang), lang),)
    ),
    "fewest absolute words, then longest": _greedy(
        lambda c, lang: (-count_markers("absolute", _say(c, lang), lang), length(_say(c, lang)))
    ),
}
