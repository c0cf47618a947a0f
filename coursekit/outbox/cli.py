"""`flask coursekit outbox ...`: deliver (once, or in a loop where there is no Redis), list
what is waiting or failed, retry a failed message, purge old delivered ones."""

import time
from datetime import timedelta

import click
from flask.cli import AppGroup

from ..command_session import command_session
from ..db import utcnow
from . import jobs, manage

outbox_group = AppGroup("outbox", help="Deliveries to the LMS (grades) and the LRS (xAPI).")


@outbox_group.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted (no Redis).")
@click.option("--interval", default=30, show_default=True, help="Seconds between runs.")
def deliver(loop: bool, interval: int) -> None:
    """Deliver every message that is due now."""
    while True:
        report = jobs.deliver_now()
        click.echo(f"sent {report.sent}, to retry {report.retried}, failed {report.failed}")
        if not loop:
            return
        time.sleep(interval)


@outbox_group.command("list")
def list_messages() -> None:
    """Show the messages waiting or failed, failed first."""
    with command_session() as session:
        counts = manage.counts(session, None)
        click.echo(" ".join(f"{status} {n}" for status, n in counts.items()))
        for message, _user in manage.problems(session, None):
            error = f"  {message.last_error}" if message.last_error else ""
            click.echo(
                f"{message.id:6d} {message.status:<8} {message.kind:<10} "
                f"tries {message.attempts}  {message.ordering_key}{error}"
            )


@outbox_group.command("retry")
@click.argument("message_id", type=int)
def retry(message_id: int) -> None:
    """Give a failed message a fresh set of attempts."""
    with command_session(manage.OutboxError) as session:
        manage.retry(session, message_id, None)
    click.echo(f"message {message_id} will be tried again")


@outbox_group.command("purge")
@click.option("--days", default=90, show_default=True, help="Keep what was sent since then.")
def purge(days: int) -> None:
    """Delete messages delivered more than DAYS ago."""
    with command_session() as session:
        removed = manage.purge_sent(session, utcnow() - timedelta(days=days))
    click.echo(f"deleted {removed} delivered message(s)")
