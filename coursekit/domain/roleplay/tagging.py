"""Classify as an act: once the conversation has ended, the trainee tags each expectation
they uncovered as explicit, implicit, basic or enhanced, and is scored on it."""

from collections.abc import Mapping, Sequence

from .engine import Playthrough
from .schema import KINDS


class InvalidTags(ValueError):
    """Tags that name an expectation not uncovered, an unknown kind, or leave one untagged."""


def needs_tags(play: Playthrough) -> bool:
    """The conversation has ended and uncovered something to tag (in a scenario version
    scored with tagging)."""
    return play.finished and bool(play.state.revealed) and play.scenario.spec.scoring.model == 2


def check_tags(play: Playthrough, tags: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The trainee's tags, checked: every uncovered expectation tagged with one to four known
    kinds, nothing else. Returned in a stable order, ready to store."""
    revealed = play.state.revealed
    unknown = sorted(set(tags) - revealed)
    if unknown:
        raise InvalidTags(f"not an expectation you uncovered: {', '.join(unknown)}")
    checked = {}
    for expectation in play.scenario.spec.expectations:
        if expectation.id not in revealed:
            continue
        kinds = set(tags.get(expectation.id, ()))
        if not kinds:
            raise InvalidTags(f"expectation {expectation.id!r} has no tag")
        if kinds - set(KINDS):
            raise InvalidTags(f"unknown kind for {expectation.id!r}: {sorted(kinds - set(KINDS))}")
        checked[expectation.id] = [k for k in KINDS if k in kinds]
    return checked
