"""Static files under content-hashed names (coursekit.css -> coursekit.3f2a9c1b70.css), so they
can be cached for a year: a changed file gets a new name, and pages link to it at once."""

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app

from . import paths

HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{10})(?P<suffix>\.[A-Za-z0-9]+)$")
YEAR = 365 * 24 * 3600


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


@lru_cache(maxsize=1)
def _manifest(folder: str) -> dict[str, str]:
    root = Path(folder)
    return {
        p.relative_to(root).as_posix(): _digest(p) for p in sorted(root.rglob("*")) if p.is_file()
    }


def manifest() -> dict[str, str]:
    if current_app.debug:  # files change under the developer's hands
        _manifest.cache_clear()
    return _manifest(str(paths.static_dir()))


def hashed_name(filename: str) -> str:
    digest = manifest().get(filename)
    if digest is None:
        return filename
    stem, dot, suffix = filename.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else filename


def add_hash(endpoint: str, values: dict) -> None:
    """url_for('coursekit.static', filename=...) names the hashed file."""
    if endpoint == "coursekit.static" and "filename" in values:
        values["filename"] = hashed_name(values["filename"])


class AssetBlueprint(Blueprint):
    """Serves a hashed name as its file: for a year (immutable) when the hash is the file's
    current one; an outdated hash gets today's file, revalidated like any other."""

    def send_static_file(self, filename: str) -> Response:
        match = HASHED.match(filename)
        current = False
        if match:
            plain = f"{match['stem']}{match['suffix']}"
            current = manifest().get(plain) == match["hash"]
            filename = plain
        response = super().send_static_file(filename)
        # Read now (the files are small): compression then works on bytes, and the file is
        # closed with the response rather than left to the compressor's stream.
        response.direct_passthrough = False
        response.make_sequence()
        if current:
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        else:
            response.cache_control.no_cache = True
        return response
