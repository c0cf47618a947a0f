"""Plain-text tables of the validator's gate, printed by check-content, roleplay-report and
`python -m coursekit.domain.roleplay`."""

from .cues import STRATEGIES
from .gate import LANGS, MAX_LONGEST_BEST, MAX_RANDOM_PASS, GateReport


def gate_lines(scenario_id: str, report: GateReport, pass_score: int) -> list[str]:
    """One row per strategy with its score in each language, then the shares."""
    scores = {(r.strategy, r.lang): r.result for r in report.runs}
    lines = [f"{scenario_id}: pass score {pass_score}; best path {report.best.score}"]
    lines.append(f"  {'strategy':<38} {'en':>12} {'zh':>12}")
    for strategy in STRATEGIES:
        cells = []
        for lang in LANGS:
            result = scores[strategy, lang]
            cells.append(f"{result.score:5.1f} {'PASS' if result.passed else 'fail':>6}")
        lines.append(f"  {strategy:<38} {cells[0]:>12} {cells[1]:>12}")
    longest = "  ".join(f"{lang} {share:.0%}" for lang, share in report.longest_best.items())
    lines.append(f"  best reply is the longest: {longest} (at most {MAX_LONGEST_BEST:.0%})")
    lines.append(
        f"  random player passes: {report.random_pass:.1%} (under {MAX_RANDOM_PASS:.0%}); "
        f"trade-off decisions: {report.tradeoffs:.0%}; "
        f"one reply best on every dimension: {report.dominated:.0%}"
    )
    return lines
