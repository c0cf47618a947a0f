"""`python -m coursekit.domain.roleplay FILE.yaml`: check one scenario, print the validator's
gate (every cue strategy in both languages) and every path's score, for authors."""

import sys
from pathlib import Path

import yaml
from pydantic import ValidationError

from ..content.errors import ContentError
from ..content.loader import load_scenario_file
from .gate import gate_report
from .model import scenario_from_spec
from .report import gate_lines
from .schema import ScenarioSpec
from .validate import graph_problems, path_report


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2) or (len(argv) == 2 and argv[1] != "--paths"):
        print("usage: python -m coursekit.domain.roleplay content/roleplays/<id>.yaml [--paths]")
        return 2
    try:
        scenario = load_scenario_file(argv[0])
        problems = None
    except ContentError as error:
        problems = error
        try:
            spec = ScenarioSpec.model_validate(yaml.safe_load(Path(argv[0]).read_text("utf-8")))
        except (ValidationError, yaml.YAMLError):
            print(error)
            return 1
        if graph_problems(spec):
            print(error)
            return 1
        scenario = scenario_from_spec(spec)
    print(
        "\n".join(gate_lines(scenario.id, gate_report(scenario), scenario.spec.scoring.pass_score))
    )
    if len(argv) == 2:
        for path, result in path_report(scenario):
            flag = " over-promise" if result.overpromised else ""
            state = result.state
            print(
                f"  {result.score:5.1f} {result.band:<12} P {state.P:3d} A {state.A:3d} "
                f"D {state.D:3d} T {state.T:3d}{flag}  {' > '.join(path)}"
            )
    if problems is not None:
        print(problems)
        return 1
    print(f"{scenario.id}: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
