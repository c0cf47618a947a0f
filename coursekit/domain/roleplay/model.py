"""A loaded scenario: the validated spec, with its content hash."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..digest import digest
from .schema import Choice, Node, ScenarioSpec


@dataclass(frozen=True)
class Scenario:
    spec: ScenarioSpec
    hash: str  # sha256 of `definition`; attempts record it and replay against it
    definition: MappingProxyType[str, Any] = field(repr=False)

    @property
    def id(self) -> str:
        return self.spec.id

    def node(self, node_id: str) -> Node:
        return self.spec.nodes[node_id]

    def choice(self, node_id: str, choice_id: str) -> Choice | None:
        node = self.spec.nodes.get(node_id)
        if node is None:
            return None
        return next((c for c in node.choices if c.id == choice_id), None)


def scenario_from_spec(spec: ScenarioSpec) -> Scenario:
    definition = spec.model_dump(mode="json")
    return Scenario(spec=spec, hash=digest(definition), definition=MappingProxyType(definition))


def scenario_from_definition(definition: Mapping[str, Any], hash_: str | None = None) -> Scenario:
    """Rebuild a scenario from the definition stored under its hash. A version stored in an
    older format is read into today's (see the schema's legacy readers) and keeps its hash."""
    scenario = scenario_from_spec(ScenarioSpec.model_validate(dict(definition)))
    if hash_ is None:
        return scenario
    return Scenario(spec=scenario.spec, hash=hash_, definition=MappingProxyType(dict(definition)))
