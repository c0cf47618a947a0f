"""`flask coursekit ...`: thin commands over the services."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from . import migrate
from .domain.content import ContentError, load_course
from .domain.content.check_lint import course_stats
from .lti.cli import group as lti_group
from .ops import commands as ops_commands
from .outbox.cli import outbox_group
from .privacy import commands as privacy_commands
from .roleplay.commands import gate_table, roleplay_report
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
group.add_command(roleplay_report)


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
    for scenario in course.roleplays.values():
        click.echo(gate_table(scenario))
    checks = {m.id: m.check.questions for m in course.modules}
    for stats in course_stats(checks).values():
        click.echo(f"knowledge checks, {stats.summary()}")
    click.echo(
        f"{directory}: OK: course {course.id!r}, {len(course.modules)} modules, "
        f"{questions} questions, {len(course.roleplays)} role-plays "
        "(every path and cue strategy checked), "
        f"content hash {course.hash[:12]}"
    )


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
