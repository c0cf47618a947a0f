"""The domain layer stays pure: no web framework, database or rendering library."""

import ast
from pathlib import Path

import coursekit.domain

FORBIDDEN = (
    "flask",
    "flask_login",
    "flask_wtf",
    "flask_babel",
    "sqlalchemy",
    "weasyprint",
    "pylti1p3",
    "werkzeug",
    "alembic",
)


def test_domain_imports_nothing_impure() -> None:
    root = Path(coursekit.domain.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.ImportFrom) and node.level > 2:
                names = ["coursekit (outside domain)"]
            offenders += [
                f"{path.relative_to(root)}: {name}"
                for name in names
                if name.split(".")[0] in FORBIDDEN or name.startswith("coursekit (")
            ]
    assert offenders == []
