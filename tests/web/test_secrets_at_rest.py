"""Secrets at rest are not world-readable: the SQLite database (and its journals) and the
secret key file `make serve` writes, in an instance folder only the owner may enter."""

import os
import stat
import subprocess
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text

from coursekit.config import apply_defaults
from tests.conftest import ROOT


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_default_sqlite_database_is_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, which made the files 0644 before
    try:
        app = Flask("probe", instance_path=str(tmp_path / "instance"))
        apply_defaults(app)
        url = app.config["COURSEKIT_DATABASE_URL"]
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("PRAGMA journal_mode=WAL"))
            connection.execute(text("CREATE TABLE t (x)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
        files = sorted((tmp_path / "instance").iterdir())
        assert mode(tmp_path / "instance") == 0o700
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert any(f.name.endswith("-wal") for f in files)  # the journal too
        engine.dispose()
    finally:
        os.umask(old)


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    db = instance / "coursekit.db"
    db.write_bytes(b"")
    db.chmod(0o644)
    apply_defaults(Flask("probe", instance_path=str(instance)))
    assert mode(db) == 0o600


def test_make_serve_writes_the_secret_key_for_its_owner_only(tmp_path: Path) -> None:
    """The Makefile's own lines, run in a scratch folder with the usual umask."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lines = [
        line.strip().lstrip("@").replace("$(BIN)/python", "python3")
        for line in makefile.split("\nserve:", 1)[1].splitlines()[1:4]
    ]
    assert "secret-key" in lines[1], lines
    subprocess.run(["bash", "-c", "umask 022 && " + " && ".join(lines)], cwd=tmp_path, check=True)
    assert mode(tmp_path / "instance") == 0o700
    assert mode(tmp_path / "instance" / "secret-key") == 0o600
    assert len((tmp_path / "instance" / "secret-key").read_text().strip()) >= 48
