"""Backups: a round trip that compares every table, on SQLite and on PostgreSQL, and the
refusal of anything that is not a CourseKit backup."""

import shutil
import sqlite3
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, select, text

from coursekit.auth.models import User
from coursekit.certificates.models import Certificate
from coursekit.db import Base
from tests.web.test_certificates import finish


def snapshot(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table (and the migration revision), in primary-key order."""
    engine = app.extensions["coursekit"].db.engine
    rows: dict[str, list[tuple]] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [
                tuple(r) for r in connection.execute(select(table).order_by(*order))
            ]
        rows["version"] = list(
            connection.execute(text("SELECT version_num FROM coursekit_alembic_version"))
        )
    return rows


def test_a_backup_restores_every_table(mini_app: Flask, make_user, tmp_path: Path) -> None:
    if mini_app.extensions["coursekit"].db.engine.dialect.name == "postgresql" and not (
        shutil.which("pg_dump") and shutil.which("pg_restore")
    ):
        pytest.skip("the PostgreSQL client tools are not installed")
    for n, name in enumerate(("张伟", "Zoë Ñúñez")):
        user = make_user(email=f"t{n}@example.com", name=name, target=mini_app)
        finish(mini_app, user.id)
    before = snapshot(mini_app)
    assert before["coursekit_certificates"] and before["coursekit_check_attempts"]

    runner = mini_app.test_cli_runner()
    out = tmp_path / "backup.file"
    result = runner.invoke(args=["coursekit", "backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "backup written" in result.output and out.stat().st_size > 0

    session = mini_app.extensions["coursekit"].db.sessionmaker()
    session.execute(delete(Certificate))
    session.execute(delete(User).where(User.email == "t1@example.com"))
    session.commit()
    session.close()
    assert snapshot(mini_app) != before

    result = runner.invoke(args=["coursekit", "restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    assert snapshot(mini_app) == before


def test_restore_refuses_what_is_not_a_coursekit_backup(mini_app: Flask, tmp_path: Path) -> None:
    if mini_app.extensions["coursekit"].db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite checks")
    before = snapshot(mini_app)
    runner = mini_app.test_cli_runner()
    text_file = tmp_path / "notes.db"
    text_file.write_text("not a database")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    for source, message in (
        (text_file, "not a readable SQLite database"),
        (other, "not a CourseKit database"),
        (tmp_path / "missing.db", "no such file"),
    ):
        result = runner.invoke(args=["coursekit", "restore", str(source), "--yes"])
        assert result.exit_code == 1 and message in result.output, result.output
    assert snapshot(mini_app) == before


def test_restore_asks_before_replacing(mini_app: Flask, tmp_path: Path) -> None:
    result = mini_app.test_cli_runner().invoke(
        args=["coursekit", "restore", str(tmp_path / "x.db")], input="n\n"
    )
    assert result.exit_code == 1 and "Aborted" in result.output
