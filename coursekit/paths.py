"""Where CourseKit's templates, content and translations are, in a checkout or a wheel."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


def templates_dir() -> Path:
    """The templates folder: the wheel's copy inside the package, else the checkout's."""
    return _first_existing(PACKAGE_DIR / "_templates", PACKAGE_DIR.parent / "templates")


def content_dir() -> Path:
    """The shipped course content: the wheel's copy inside the package, else the checkout's."""
    return _first_existing(PACKAGE_DIR / "_content", PACKAGE_DIR.parent / "content")


def translations_dir() -> Path:
    return PACKAGE_DIR / "translations"


def migrations_dir() -> Path:
    return PACKAGE_DIR / "migrations"


def static_dir() -> Path:
    return PACKAGE_DIR / "static"
