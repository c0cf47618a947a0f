"""Builds SCORM dispatch packages: imsmanifest.xml, the launch page and its script, zipped.
Needs an app context (templates and translations come from the app's Jinja loader)."""

import io
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from flask import current_app, render_template
from flask_babel import force_locale

from ..domain.content import Course, Module
from . import dispatch as credentials
from .dispatch import Dispatch
from .status import passing_measure

Version = Literal["1.2", "2004"]
VERSIONS: tuple[Version, ...] = ("1.2", "2004")
LAUNCH_PAGE = "index.html"
# Copied into every package as they are (a host can override them like any template).
STATIC_FILES = ("coursekit-scorm.js", "coursekit-scorm.css")
_TEMPLATES = "coursekit/scorm/"


@dataclass(frozen=True)
class Target:
    """Where the package sends its learners: CourseKit's launch endpoint, and the origin
    whose status messages the package believes."""

    launch_url: str
    coursekit_origin: str


@dataclass(frozen=True)
class Exported:
    path: Path
    dispatch: Dispatch


def package_name(course: Course, module: Module | None, version: Version) -> str:
    suffix = "scorm12" if version == "1.2" else "scorm2004"
    unit = course.id if module is None else f"{course.id}-{module.id}"
    return f"coursekit-{unit}-{suffix}.zip"


def build(
    course: Course,
    module: Module | None,
    dispatch: Dispatch,
    credential: str,
    target: Target,
    lang: str,
) -> bytes:
    """One package as zip bytes: the manifest at the root, and the files it lists."""
    version: Version = "1.2" if dispatch.scorm_version == "1.2" else "2004"
    title = (module.title if module else course.title).get(lang)
    with force_locale(lang):
        page = render_template(
            _TEMPLATES + "package/index.html",
            lang=lang,
            title=title,
            credential=credential,
            target=target,
            version=version,
        )
    files = {LAUNCH_PAGE: page.encode()}
    loader = current_app.jinja_env.loader
    assert loader is not None
    for name in STATIC_FILES:
        source, _, _ = loader.get_source(current_app.jinja_env, _TEMPLATES + "package/" + name)
        files[name] = source.encode()
    unit = course.id if module is None else f"{course.id}-{module.id}"
    manifest = render_template(
        _TEMPLATES + ("imsmanifest-1.2.xml" if version == "1.2" else "imsmanifest-2004.xml"),
        identifier=f"coursekit-{unit}",
        course_title=course.title.get(lang),
        title=title,
        launch=LAUNCH_PAGE,
        files=sorted(files),
        min_measure=f"{passing_measure(course, dispatch.module_id):.2f}",
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest.encode())
        for name in sorted(files):
            archive.writestr(name, files[name])
    return buffer.getvalue()


def export(
    out: Path,
    course: Course,
    *,
    version: Version,
    per_module: bool,
    target: Target,
    organisation_id: int,
    namespace: str,
    origins: Sequence[str],
    valid_days: int,
    lang: str,
    secret_key: str | bytes,
) -> list[Exported]:
    """Write the course's package (and one per module when asked) into `out`, each with its
    own credential, and say what was written."""
    out.mkdir(parents=True, exist_ok=True)
    expires_at = int(time.time()) + valid_days * 86400
    units: list[Module | None] = [None, *(course.modules if per_module else ())]
    written = []
    for module in units:
        dispatch = Dispatch(
            package_id=credentials.new_package_id(),
            organisation_id=organisation_id,
            namespace=namespace,
            course_id=course.id,
            module_id=module.id if module else None,
            origins=tuple(origins),
            expires_at=expires_at,
            scorm_version=version,
        )
        credential = credentials.mint(secret_key, dispatch)
        path = out / package_name(course, module, version)
        path.write_bytes(build(course, module, dispatch, credential, target, lang))
        written.append(Exported(path, dispatch))
    return written
