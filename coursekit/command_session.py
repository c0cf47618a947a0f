"""The database session of one `flask coursekit` command."""

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from .state import get_state


@contextmanager
def command_session(*refusals: type[Exception]) -> Iterator[Session]:
    """A session closed when the command's work is done. A service's refusal of one of the
    given kinds (meant for the operator) becomes click's error: its message, exit status 1."""
    session = get_state().db.sessionmaker()
    try:
        yield session
    except refusals as error:
        raise click.ClickException(str(error)) from error
    finally:
        session.close()
