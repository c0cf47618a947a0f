"""`flask coursekit backup` and `flask coursekit restore`."""

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .backup import BackupError, backup, restore


def _engine():  # type: ignore[no-untyped-def]
    return current_app.extensions["coursekit"].db.engine


@click.command("backup")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="The backup file.")
@with_appcontext
def backup_command(out: Path | None) -> None:
    """Copy the database to a file while the app keeps running."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "db" if _engine().dialect.name == "sqlite" else "dump"
    out = out or Path(current_app.instance_path) / "backups" / f"coursekit-{stamp}.{suffix}"
    try:
        info = backup(_engine(), out)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    at = f" at revision {info.revision}" if info.revision else ""
    click.echo(f"backup written: {info.path} ({info.size:,} bytes{at})")


@click.command("restore")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the data.")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database's content with a backup's (stop the app first)."""
    if not yes:
        click.confirm(f"Replace every record in the database with {source}?", abort=True)
    try:
        restore(_engine(), source)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"restored from {source}; database migrated to the newest revision")
