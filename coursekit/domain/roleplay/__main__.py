"""`python -m coursekit.domain.roleplay FILE.yaml`: check one scenario and score every path."""

import sys

from ..content.errors import ContentError
from ..content.loader import load_scenario_file
from .validate import path_report


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m coursekit.domain.roleplay content/roleplays/<id>.yaml")
        return 2
    try:
        scenario = load_scenario_file(argv[0])
    except ContentError as error:
        print(error)
        return 1
    report = path_report(scenario)
    depths = sorted({len(path) for path, _ in report})
    print(
        f"{scenario.id}: OK, {len(scenario.spec.nodes)} nodes, {len(report)} paths of "
        f"{depths[0]}-{depths[-1]} decisions, pass score {scenario.spec.scoring.pass_score}"
    )
    for path, result in report:
        flag = " over-promise" if result.overpromised else ""
        print(
            f"  {result.score:5.1f} {result.band:<12} gap {result.gap:+4d} T {result.trust:3d}"
            f"{flag}  {' > '.join(path)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
