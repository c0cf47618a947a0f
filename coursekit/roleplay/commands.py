"""`flask coursekit roleplay-report`: the validator's gate and every path's score, or one path
walked step by step through the customer's state (A, D, P, T), for authors."""

import click
from flask import current_app
from flask.cli import with_appcontext

from ..domain.roleplay import InvalidStep, Scenario, advance, start
from ..domain.roleplay.engine import CustomerState
from ..domain.roleplay.gate import gate_report
from ..domain.roleplay.report import gate_lines
from ..domain.roleplay.scoring import score, true_tags
from ..domain.roleplay.validate import path_report


def gate_table(scenario: Scenario) -> str:
    """Each cue strategy's score in both languages, and the shares the gate checks."""
    report = gate_report(scenario)
    return "\n".join(gate_lines(scenario.id, report, scenario.spec.scoring.pass_score))


def _state(state: CustomerState) -> str:
    return f"A {state.A:3d}  D {state.D:3d}  P {state.P:3d}  T {state.T:3d}"


@click.command("roleplay-report")
@click.argument("scenario_id")
@click.option("--all", "show_all", is_flag=True, help="List every path, not just the extremes.")
@click.option("--path", "path", default=None, help="Walk one path (choice ids, comma-separated).")
@with_appcontext
def roleplay_report(scenario_id: str, show_all: bool, path: str | None) -> None:
    """The gate's strategies, then every path's score; or walk one path step by step."""
    scenario = current_app.extensions["coursekit"].course.roleplays.get(scenario_id)
    if scenario is None:
        raise click.ClickException(f"no role-play {scenario_id!r} in the course")
    if path is not None:
        _walk(scenario, path.split(","))
        return
    click.echo(gate_table(scenario))
    report = path_report(scenario)
    bands = {
        b: sum(r.band == b for _, r in report) for b in ("dissatisfied", "tolerated", "delighted")
    }
    passing = sum(r.passed for _, r in report)
    click.echo(
        f"{scenario_id}: {len(report)} paths, {passing} pass "
        f"(pass score {scenario.spec.scoring.pass_score}); bands {bands}"
    )
    shown = report if show_all or len(report) <= 12 else report[:6] + report[-6:]
    for choices, result in shown:
        promise = " over-promise" if result.overpromised else ""
        click.echo(
            f"  {result.score:5.1f} {result.band:<12} {_state(result.state)}{promise}  "
            f"{' > '.join(choices)}"
        )


def _walk(scenario: Scenario, choice_ids: list[str]) -> None:
    """Print the customer's state after each step and the score, as the engine computes them
    (every expectation uncovered tagged right)."""
    play = start(scenario)
    click.echo(f"{'start':<44} {_state(play.state)}")
    for choice_id in choice_ids:
        try:
            play = advance(play, choice_id)
        except InvalidStep as error:
            raise click.ClickException(str(error)) from error
        step = play.steps[-1]
        evidence = " ".join(f"{d} {v:+d}" for d, v in step.choice.evidence.items() if v)
        move = f"{step.index + 1}. {step.node_id} > {choice_id}"
        click.echo(
            f"{move:<44} {_state(step.after)}  revealed {len(step.after.revealed)}  "
            f"[{evidence}]{'  over-promise' if step.choice.overpromise else ''}"
        )
    if not play.finished:
        click.echo(f"(not finished: now at {play.node_id!r})")
        return
    click.echo(f"{'ending ' + play.node_id:<44} {_state(play.state)}")
    result = score(play, true_tags(scenario))
    for name, dimension in result.dimensions.items():
        value = "not assessed" if dimension.score is None else f"{dimension.score:5.1f}"
        parts = ", ".join(
            f"d{c.step + 1} {c.value:+d} of {c.worst:+d}..{c.best:+d}"
            for c in dimension.contributions
        )
        act = "" if dimension.act is None else f"; act {dimension.act}"
        click.echo(f"  {name:<10} {value}  ({parts}{act})")
    click.echo(
        f"  P {result.state.P} against A {result.state.A} .. D {result.state.D}: "
        f"P - A {result.adequacy:+d}, P - D {result.superiority:+d} -> {result.band}; "
        f"satisfaction {result.satisfaction}, outcome {result.outcome}"
    )
    click.echo(f"  score {result.score} -> {'passed' if result.passed else 'not passed'}")
