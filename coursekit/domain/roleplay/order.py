"""The order a decision's replies are shown in: shuffled per attempt from a stored seed, so
that position carries nothing and a review can show again exactly what the trainee saw."""

import random

from .schema import Node


def display_order(node: Node, node_id: str, seed: int | None, position: int) -> tuple[str, ...]:
    """Choice ids in the order shown at this decision; attempts from before shuffling (no
    seed) saw the authored order."""
    ids = [c.id for c in node.choices]
    if seed is None:
        return tuple(ids)
    # A string seed is hashed by Random in a way stable across runs and platforms.
    random.Random(f"{seed}:{position}:{node_id}").shuffle(ids)
    return tuple(ids)
