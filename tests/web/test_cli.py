"""`flask coursekit ...` commands, and the package as a built wheel."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from coursekit.learn.models import CheckAttempt
from tests.conftest import ROOT


def test_check_content_passes_on_the_shipped_course(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["coursekit", "check-content"])
    assert result.exit_code == 0, result.output
    assert "OK: course 'customer-expectations', 10 modules, 50 questions" in result.output


def test_check_content_fails_precisely_on_a_broken_copy(app: Flask, tmp_path: Path) -> None:
    copy = tmp_path / "content"
    shutil.copytree(ROOT / "content", copy)
    check = copy / "checks" / "m03-kinds-of-expectations.yaml"
    check.write_text(
        check.read_text(encoding="utf-8").replace("category: basic", "category: premium", 1),
        encoding="utf-8",
    )
    (copy / "lessons" / "m09-case-apple.zh.md").unlink()
    result = app.test_cli_runner().invoke(args=["coursekit", "check-content", "--dir", str(copy)])
    assert result.exit_code == 1
    assert "invalid course content (2 problem(s))" in result.output
    assert "content/checks/m03-kinds-of-expectations.yaml: questions[" in result.output
    assert "has category 'premium', which is not in set 'kinds'" in result.output
    missing = "content/lessons/m09-case-apple.zh.md: lesson file is missing for module"
    assert f"{missing} 'm09-case-apple' (zh)" in result.output


def test_demo_data_is_made_through_the_services_and_is_idempotent(app: Flask, db) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["coursekit", "demo-data"])
    assert first.exit_code == 0, first.output
    assert "admin@example.com" in first.output and "instructor@example.com" in first.output
    attempts = db.scalar(select(func.count()).select_from(CheckAttempt))
    assert attempts >= 4
    again = runner.invoke(args=["coursekit", "demo-data"])
    assert again.exit_code == 0 and "li.na@example.com" in again.output
    assert db.scalar(select(func.count()).select_from(CheckAttempt)) == attempts


def test_demo_data_refused_in_production(make_app) -> None:
    app = make_app(COURSEKIT_PRODUCTION=True)
    result = app.test_cli_runner().invoke(args=["coursekit", "demo-data"])
    assert result.exit_code != 0 and "production" in result.output


def test_db_upgrade_and_downgrade(make_app, tmp_path: Path) -> None:
    app = make_app(COURSEKIT_DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["coursekit", "db", "upgrade"]).exit_code == 0
    assert app.test_client().get("/").status_code == 200
    assert runner.invoke(args=["coursekit", "db", "downgrade", "base"]).exit_code == 0
    assert runner.invoke(args=["coursekit", "db", "upgrade"]).exit_code == 0


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    return next(out.glob("coursekit-*.whl"))


def test_wheel_carries_templates_content_and_translations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in [
        "coursekit/_templates/coursekit/base.html",
        "coursekit/_content/course.yaml",
        "coursekit/_content/lessons/m10-case-amazon.zh.md",
        "coursekit/_content/checks/m01-what-are-expectations.yaml",
        "coursekit/translations/zh/LC_MESSAGES/messages.mo",
        "coursekit/static/coursekit.css",
        "coursekit/migrations/versions/0001_initial_schema.py",
    ]:
        assert expected in names, expected


def test_installed_wheel_runs_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = f"""
from coursekit import create_app, paths
from coursekit.migrate import upgrade
assert str(paths.templates_dir()).startswith({str(site)!r}), paths.templates_dir()
app = create_app({{"COURSEKIT_DATABASE_URL": "sqlite:///{tmp_path / "w.db"}"}})
upgrade(app.extensions["coursekit"].db.engine)
page = app.test_client().get("/", headers={{"Accept-Language": "zh"}})
html = page.get_data(as_text=True)
assert "客户期望管理" in html and "登录" in html, html[:500]
print("wheel ok")
"""
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "wheel ok" in result.stdout


def test_roleplay_report_scores_every_path_and_walks_one(mini_app: Flask) -> None:
    runner = mini_app.test_cli_runner()
    summary = runner.invoke(args=["coursekit", "roleplay-report", "mini-call"])
    assert summary.exit_code == 0, summary.output
    out = summary.output
    assert "mini-call: pass score 80; best path 87.8" in out  # the gate's table first
    assert "longest                                 36.8   fail  36.8   fail" in out
    assert "random player passes: 11.1%" in out
    assert "mini-call: 9 paths, 1 pass (pass score 80)" in out
    assert "87.8 delighted" in out and "over-promise  promise > extras" in out
    walk = runner.invoke(
        args=["coursekit", "roleplay-report", "mini-call", "--path", "promise,extras"]
    )
    lines = walk.output.splitlines()
    assert lines[0].split() == ["start", "A", "45", "D", "60", "P", "50", "T", "50"]
    assert "A  60  D  65  P  50  T  60" in lines[1] and "over-promise" in lines[1]
    # the ending: P +5, and the broken promise narrows the zone (A +5)
    assert "A  70  D  75  P  60  T  60" in lines[3]
    assert "P - A -10, P - D -15 -> dissatisfied" in walk.output
    assert "score 5.6 -> not passed" in walk.output
    wrong = runner.invoke(args=["coursekit", "roleplay-report", "mini-call", "--path", "basics"])
    assert wrong.exit_code != 0 and "no choice 'basics'" in wrong.output
