"""Remember content versions, and find the version an attempt was taken on."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import upsert
from ..domain.content import KnowledgeCheck
from ..domain.content.loader import check_from_definition
from ..domain.roleplay.model import Scenario, scenario_from_definition
from .models import ContentVersion

# A stored definition never changes under its hash, so parsed versions can be kept for the
# life of the process.
_scenarios: dict[str, Scenario] = {}


def remember_version(
    session: Session, kind: str, key: str, hash_: str, definition: Mapping[str, Any]
) -> None:
    """Store a definition under its hash unless it is there already (call inside a write
    transaction; concurrent first uses of one version insert it once)."""
    statement = (
        upsert(session, ContentVersion)
        .values(kind=kind, key=key, hash=hash_, definition=dict(definition))
        .on_conflict_do_nothing(index_elements=["kind", "hash"])
    )
    session.execute(statement)


def stored_check(session: Session, hash_: str) -> KnowledgeCheck | None:
    """The knowledge check exactly as it was when an attempt with this hash was taken."""
    definition = session.scalar(
        select(ContentVersion.definition).where(
            ContentVersion.kind == "check", ContentVersion.hash == hash_
        )
    )
    return check_from_definition(definition) if definition is not None else None


def stored_scenario(session: Session, hash_: str) -> Scenario | None:
    """The role-play scenario exactly as it was when an attempt with this hash began."""
    if hash_ not in _scenarios:
        definition = session.scalar(
            select(ContentVersion.definition).where(
                ContentVersion.kind == "roleplay", ContentVersion.hash == hash_
            )
        )
        if definition is None:
            return None
        _scenarios[hash_] = scenario_from_definition(definition, hash_)
    return _scenarios[hash_]
