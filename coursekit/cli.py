"""`flask coursekit ...`: thin commands over the services."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from . import migrate
from .domain.content import ContentError, load_course
from .lti.cli import group as lti_group
from .ops import commands as ops_commands
from .outbox.cli import outbox_group
from .privacy import commands as privacy_commands
from .scorm.commands import export_scorm

group = AppGroup("coursekit", help="CourseKit: database, content and accounts.")
db_group = AppGroup("db", help="CourseKit's database migrations (Alembic).")
group.add_command(db_group)
group.add_command(lti_group)
group.add_command(outbox_group)
group.add_command(privacy_commands.erase_user)
group.add_command(privacy_commands.retention)
group.add_command(ops_commands.backup_command)
group.add_command(ops_commands.restore_command)
group.add_command(export_scorm)


def _engine():  # type: ignore[no-untyped-def]
    return current_app.extensions["coursekit"].db.engine


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    migrate.upgrade(_engine(), revision)
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ("base" empties it)."""
    migrate.downgrade(_engine(), revision)
    click.echo(f"database at {revision}")


@db_group.command("current")
def db_current() -> None:
    """Show the database's migration revision."""
    migrate.current(_engine())


@db_group.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    migrate.revision(_engine(), message)


@group.command("check-content")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=None,
    help="Course folder to check (default: the one the app uses).",
)
def check_content(directory: Path | None) -> None:
    """Validate the course content; list every problem with file, field and reason."""
    directory = directory or Path(current_app.config["COURSEKIT_CONTENT_DIR"])
    try:
        course = load_course(directory)
    except ContentError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    questions = sum(len(m.check.questions) for m in course.modules)
    click.echo(
        f"{directory}: OK: course {course.id!r}, {len(course.modules)} modules, "
        f"{questions} questions, {len(course.roleplays)} role-plays (every path checked), "
        f"content hash {course.hash[:12]}"
    )


@group.command("roleplay-report")
@click.argument("scenario_id")
@click.option("--all", "show_all", is_flag=True, help="List every path, not just the extremes.")
@click.option("--path", "path", default=None, help="Walk one path (choice ids, comma-separated).")
def roleplay_report(scenario_id: str, show_all: bool, path: str | None) -> None:
    """Score every path through a scenario, or walk one path step by step."""
    from .domain.roleplay.validate import path_report

    scenario = current_app.extensions["coursekit"].course.roleplays.get(scenario_id)
    if scenario is None:
        raise click.ClickException(f"no role-play {scenario_id!r} in the course")
    if path is not None:
        _walk(scenario, path.split(","))
        return
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
    for path, result in shown:
        promise = " over-promise" if result.overpromised else ""
        click.echo(
            f"  {result.score:5.1f} {result.band:<12} gap {result.gap:+4d} T {result.trust:3d}"
            f"{promise}  {' > '.join(path)}"
        )


def _walk(scenario, choice_ids: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Print the customer's state after each step and the score, as the engine computes them."""
    from .domain.roleplay import InvalidStep, advance, score, start

    play = start(scenario)
    state = play.state
    click.echo(f"{'start':<40} E {state.E:3d}  P {state.P:3d}  T {state.T:3d}")
    for choice_id in choice_ids:
        try:
            play = advance(play, choice_id)
        except InvalidStep as error:
            raise click.ClickException(str(error)) from error
        step = play.steps[-1]
        evidence = " ".join(f"{d} {v:+d}" for d, v in step.choice.evidence.items() if v)
        after = step.after
        move = f"{step.index + 1}. {step.node_id} > {choice_id}"
        click.echo(
            f"{move:<40} E {after.E:3d}  P {after.P:3d}  T {after.T:3d}  "
            f"revealed {len(after.revealed)}  [{evidence}]"
            f"{'  over-promise' if step.choice.overpromise else ''}"
        )
    if not play.finished:
        click.echo(f"(not finished: now at {play.node_id!r})")
        return
    state = play.state
    click.echo(f"{'ending ' + play.node_id:<40} E {state.E:3d}  P {state.P:3d}  T {state.T:3d}")
    result = score(play)
    for name, dimension in result.dimensions.items():
        value = "not assessed" if dimension.score is None else f"{dimension.score:5.1f}"
        parts = ", ".join(
            f"d{c.step + 1} {c.value:+d} of {c.worst:+d}..{c.best:+d}"
            for c in dimension.contributions
        )
        click.echo(f"  {name:<10} {value}  ({parts})" if parts else f"  {name:<10} {value}")
    click.echo(
        f"  gap P-E {result.gap:+d} -> {result.band}, gap score {result.gap_score}, "
        f"outcome {result.outcome} (with trust {result.trust})"
    )
    click.echo(f"  score {result.score} -> {'passed' if result.passed else 'not passed'}")


@group.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["trainee", "instructor", "admin"]), default="instructor")
@click.password_option(help="Prompted for (hidden) when not given.")
def create_user(email: str, name: str, role: str, password: str) -> None:
    """Create an account (for instructors and admins, who cannot sign themselves up as such),
    or give an existing account the role."""
    from .auth import services
    from .auth.models import Role
    from .command_session import command_session

    with command_session(services.AuthError) as session:
        existing = services.find_by_email(session, email)
        if existing is not None:
            services.set_role(session, existing.id, Role(role))
            click.echo(f"{existing.email} is now {role}")
            return
        user = services.register(
            session,
            email=email,
            name=name,
            password=password,
            role=Role(role),
            min_password_length=current_app.config["COURSEKIT_MIN_PASSWORD_LENGTH"],
        )
        click.echo(f"created {role} {user.email}")


@group.command("doctor")
def doctor() -> None:
    """Report what this machine lacks for CourseKit (fonts, PDF libraries, database, Redis)."""
    from .doctor import examine

    findings = examine(current_app)
    for finding in findings:
        mark = "ok     " if finding.ok else "MISSING"
        click.echo(f"{mark} {finding.name}: {finding.detail}")
        if not finding.ok and finding.fix:
            click.echo(f"        fix: {finding.fix}")
    if not all(f.ok for f in findings):
        sys.exit(1)


@group.command("certificate-preview")
@click.option("--name", default="欧阳娜娜", show_default=True)
@click.option(
    "--language", type=click.Choice(["zh", "en", "zh+en"]), default="zh", show_default=True
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("build/certificate.pdf"),
    show_default=True,
)
def certificate_preview(name: str, language: str, out: Path) -> None:
    """Render a sample certificate (nothing is stored), to see the branding and layout."""
    from .certificates.render import SAMPLE_CODE, certificate_pdf, sample_certificate

    course = current_app.extensions["coursekit"].course
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(
        certificate_pdf(
            sample_certificate(course, name, language),
            course,
            f"https://training.example.com/verify/{SAMPLE_CODE}",
        )
    )
    click.echo(f"wrote {out}")


@group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run the background-job worker (certificate batches, outbox deliveries and their
    scheduled retries) on COURSEKIT_REDIS_URL."""
    from redis import Redis
    from rq import Worker

    from .certificates.batches import QUEUE

    url = current_app.config["COURSEKIT_REDIS_URL"]
    if not url:
        raise click.ClickException("COURSEKIT_REDIS_URL is not set: batches are built inline")
    Worker([QUEUE], connection=Redis.from_url(url)).work(burst=burst, with_scheduler=True)


@group.command("demo-data")
def demo_data() -> None:
    """Load demo accounts with some progress (idempotent) and print their logins."""
    from .demo import load_demo

    if current_app.config["COURSEKIT_PRODUCTION"]:
        raise click.ClickException("refusing to load demo accounts in production mode")
    for line in load_demo(current_app):
        click.echo(line)
