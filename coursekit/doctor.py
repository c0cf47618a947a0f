"""`flask coursekit doctor`: what this machine lacks for CourseKit to run well, with the fix."""

import ctypes.util
import shutil
import subprocess
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import text

from .migrate import alembic_config


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _font(family: str) -> str | None:
    if shutil.which("fc-list") is None:
        return None
    found = subprocess.run(
        ["fc-list", f":family={family}", "family"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return found.splitlines()[0] if found else None


def examine(app: Flask) -> list[Finding]:
    findings = []
    subsetter = ctypes.util.find_library("harfbuzz-subset")
    findings.append(
        Finding(
            "HarfBuzz subsetter",
            subsetter is not None,
            subsetter or "not found",
            "apt-get install libharfbuzz-subset0 (without it a render takes seconds)",
        )
    )
    pango = ctypes.util.find_library("pango-1.0")
    findings.append(
        Finding(
            "Pango",
            pango is not None,
            pango or "not found",
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0",
        )
    )
    for family, package in (
        ("DejaVu Serif", "fonts-dejavu-core"),
        ("WenQuanYi Micro Hei", "fonts-wqy-microhei"),
        ("WenQuanYi Zen Hei", "fonts-wqy-zenhei"),
    ):
        found = _font(family)
        findings.append(
            Finding(
                f"font {family}",
                found is not None,
                found or "not installed",
                f"apt-get install {package}",
            )
        )
    state = app.extensions["coursekit"]
    try:
        from alembic.script import ScriptDirectory

        with state.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            version = conn.execute(
                text("SELECT version_num FROM coursekit_alembic_version")
            ).scalar()
        head = ScriptDirectory.from_config(alembic_config(state.db.engine)).get_current_head()
        findings.append(
            Finding(
                "database",
                version == head,
                f"{state.db.engine.dialect.name} at {version}",
                "flask coursekit db upgrade",
            )
        )
    except Exception as error:  # report any failure to connect, not crash
        findings.append(
            Finding(
                "database",
                False,
                str(error).splitlines()[0],
                "check COURSEKIT_DATABASE_URL, then flask coursekit db upgrade",
            )
        )
    url = app.config["COURSEKIT_REDIS_URL"]
    if url:
        try:
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
            findings.append(Finding("Redis", True, url))
        except Exception as error:  # any failure to reach it is the finding
            findings.append(
                Finding("Redis", False, str(error), "start Redis or unset COURSEKIT_REDIS_URL")
            )
    return findings
