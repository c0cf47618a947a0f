"""Role-play engine speed: what start-up validation and one trainee step cost.

Run: .venv/bin/python bench/engine.py
Validation is one depth-first walk that scores every path with the attempts' own scoring
function (each branch carries what it has earned), then the gate's cue strategies.
Baseline in the same run: parsing the scenario's YAML file (every start-up does that anyway),
so the figures can be compared across machines by their ratio.
"""

import statistics
import time
from pathlib import Path

import yaml

from coursekit.domain.content.loader import _Loader
from coursekit.domain.roleplay import advance, replay, score, start
from coursekit.domain.roleplay import walk as walking
from coursekit.domain.roleplay.gate import gate_report
from coursekit.domain.roleplay.validate import path_report

ROOT = Path(__file__).resolve().parent.parent / "content"


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    """Median wall time of fn() in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    scenario = _Loader(ROOT).load_roleplay(path)
    assert scenario is not None
    spec = scenario.spec
    n_paths = walking.survey(scenario).paths
    yaml_s = timed(lambda: yaml.safe_load(text))

    def validate() -> None:  # every path walked and scored, then the gate's strategies
        walking._SURVEYS.clear()
        gate_report(scenario)

    validate_s = timed(validate)
    best_path = path_report(scenario)[0][0]
    # one trainee step: replay the path so far (as the server does) and take the next choice
    prefix, last = best_path[:-1], best_path[-1]
    step_s = timed(lambda: advance(replay(scenario, prefix), last), repeat=200)
    play = replay(scenario, best_path)
    score_s = timed(lambda: score(play, {}), repeat=200)
    assert start(scenario).node_id == spec.start
    return (
        f"{scenario.id:<22} {n_paths:>6} {yaml_s * 1e3:>8.1f} {validate_s * 1e3:>12.1f} "
        f"{validate_s / yaml_s:>7.1f} {n_paths / validate_s:>9.0f} {step_s * 1e6:>8.0f} "
        f"{score_s * 1e6:>9.0f}"
    )


def main() -> None:
    print(
        f"{'scenario':<22} {'paths':>6} {'yaml ms':>8} {'validate ms':>12} {'x yaml':>7} "
        f"{'paths/s':>9} {'step us':>8} {'score us':>9}"
    )
    for path in sorted((ROOT / "roleplays").glob("*.yaml")):
        print(measure(path))


if __name__ == "__main__":
    main()
