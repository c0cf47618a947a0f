"""Backups of CourseKit's database, and restoring one.

SQLite: Python's online backup API copies a consistent snapshot while the app keeps serving
(no lock held for the whole copy), and restore copies a checked backup back the same way.
PostgreSQL: pg_dump's custom format and pg_restore, when they are installed.
"""

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from .. import migrate

VERSION_TABLE = "coursekit_alembic_version"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    revision: str | None


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(database)


def _revision_in(path: Path) -> str | None:
    try:
        return _check_sqlite_backup(path)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database ({error})") from error


def _check_sqlite_backup(path: Path) -> str | None:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{path} fails SQLite's integrity check")
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        if VERSION_TABLE not in tables:
            raise BackupError(f"{path} is not a CourseKit database (no {VERSION_TABLE} table)")
        row = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
        return row[0] if row else None


def _pg_url(engine: Engine) -> str:
    # libpq does not know SQLAlchemy's "+psycopg" driver suffix.
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not installed. Install the PostgreSQL client (Debian: "
            f"apt-get install postgresql-client), or back up with your provider's snapshots: "
            f"pg_dump --format=custom --file=coursekit.dump <database URL>"
        )
    return found


def backup(engine: Engine, destination: Path) -> BackupInfo:
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(_sqlite_path(engine)) as source, sqlite3.connect(partial) as copy:
            source.backup(copy)
        copy.close()
        revision = _revision_in(partial)
    elif engine.dialect.name == "postgresql":
        subprocess.run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--file={partial}",
                _pg_url(engine),
            ],
            check=True,
            capture_output=True,
        )
        revision = None
    else:
        raise BackupError(f"no backup for {engine.dialect.name} databases")
    partial.replace(destination)  # a backup file is either whole or absent
    return BackupInfo(destination, destination.stat().st_size, revision)


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's content with the backup's, then migrate it to this version."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    if engine.dialect.name == "sqlite":
        _revision_in(source)  # refuse anything that is not a sound CourseKit backup
        engine.dispose()
        with sqlite3.connect(source) as backup_db, sqlite3.connect(_sqlite_path(engine)) as live:
            backup_db.backup(live)
    elif engine.dialect.name == "postgresql":
        engine.dispose()
        result = subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_pg_url(engine)}",
                str(source),
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
    else:
        raise BackupError(f"no restore for {engine.dialect.name} databases")
    migrate.upgrade(engine, "head")
