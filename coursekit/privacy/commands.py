"""`flask coursekit erase-user EMAIL` and `flask coursekit retention [--apply]`."""

import getpass
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from ..auth.services import find_by_email
from ..command_session import command_session
from . import retention as retention_service
from . import services, settings


def _operator() -> str:
    """Who ran the command, for the audit line (there is no signed-in user here)."""
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "cli"


def _certificate_mode() -> str:
    try:
        return settings.certificate_mode(current_app.config)
    except settings.SettingError as error:
        raise click.ClickException(str(error)) from error


@click.command("erase-user")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase_user(email: str, yes: bool) -> None:
    """Erase a trainee: name, email, password and LMS identities go; attempts and scores stay,
    anonymous, for the cohort statistics. Certificates follow COURSEKIT_ERASURE_CERTIFICATES."""
    mode = _certificate_mode()
    with command_session(services.PrivacyError) as session:
        person = find_by_email(session, email)
        if person is None:
            raise click.ClickException(f"no account with the email {email!r}")
        if not yes:
            click.confirm(
                f"Erase {person.email} ({person.name}) for good? Certificates: {mode}.",
                abort=True,
            )
        report = services.erase(
            session,
            person.id,
            actor_id=None,
            via=_operator(),
            texts=settings.erasure_texts(),
            certificates=mode,
        )
    deleted = sum(report.deleted.values())
    click.echo(
        f"erased user {report.user_id}: {deleted} identifying rows deleted, "
        f"{report.revoked} certificates revoked (mode {mode})"
    )


@click.command("retention")
@click.option("--apply", "apply_", is_flag=True, help="Erase them (default: only list them).")
@with_appcontext
def retention(apply_: bool) -> None:
    """List (or with --apply erase) trainee accounts idle for COURSEKIT_RETENTION_INACTIVE_DAYS.
    Instructors and admins are never touched."""
    try:
        days = settings.retention_days(current_app.config)
    except settings.SettingError as error:
        raise click.ClickException(str(error)) from error
    if days is None:
        click.echo("COURSEKIT_RETENTION_INACTIVE_DAYS is not set: accounts are kept forever")
        return
    mode = _certificate_mode()
    now = datetime.now(UTC)
    with command_session() as session:
        idle = retention_service.idle_trainees(session, now=now, days=days)
        for person in idle:
            click.echo(
                f"{person.email}\tlast active {person.last_active:%Y-%m-%d} "
                f"({person.idle_days(now)} days)"
            )
        if not apply_:
            click.echo(
                f"{len(idle)} trainee accounts idle for more than {days} days "
                "(dry run: add --apply to erase them)"
            )
            return
        sweep = retention_service.erase_idle(
            session, idle, texts=settings.erasure_texts(), certificates=mode, now=now
        )
    for person, reason in sweep.skipped:
        click.echo(f"skipped {person.email}: {reason}")
    click.echo(
        f"erased {len(sweep.erased)} trainee accounts idle for more than {days} days "
        f"(certificates: {mode})"
    )
