"""`flask coursekit export-scorm`: dispatch packages for LMSs without LTI."""

import ipaddress
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from ..command_session import command_session
from ..config import DEV_SECRET_KEY
from ..state import get_state
from . import services
from .dispatch import normalise_origin, valid_namespace
from .package import VERSIONS, Target, export

MAX_LMS_ORIGINS = 3  # with CourseKit itself, the four origins a session may be framed by


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _target(base_url: str) -> Target:
    """CourseKit's launch URL as the learner's browser reaches it, under `base_url` (the site
    root, with any path the app is mounted below)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise click.BadParameter("give the site's address, e.g. https://training.example.com")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        # Inside an LMS's frame, the session cookie is a third-party cookie, which browsers
        # only keep when it is Secure: over plain HTTP the learner would never stay signed in.
        raise click.BadParameter("must be https:// (http:// only for 127.0.0.1 or localhost)")
    with current_app.test_request_context(base_url=base_url.rstrip("/") + "/"):
        launch_url = url_for("coursekit.scorm.launch", _external=True)
    return Target(
        launch_url=launch_url, coursekit_origin=f"{parts.scheme}://{parts.netloc}".lower()
    )


@click.command("export-scorm")
@click.option(
    "--version", "scorm_version", type=click.Choice(VERSIONS), required=True, help="SCORM version."
)
@click.option("--per-module", is_flag=True, help="Also write one package per module.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for the zip files.",
)
@click.option(
    "--base-url",
    required=True,
    help="CourseKit's public address as learners reach it, e.g. https://training.example.com",
)
@click.option(
    "--lms-origin",
    "lms_origins",
    multiple=True,
    required=True,
    help="Origin (scheme://host[:port]) of the LMS's pages that show the package; repeat it "
    "for the LMS's content domain if it serves packages from another one.",
)
@click.option("--organisation", default=None, help="Organisation slug (default: the default).")
@click.option(
    "--dispatch",
    "namespace",
    default=None,
    help="Name of this LMS's learner namespace (default: the first LMS origin's host). "
    "Packages with the same name share learners; give each LMS its own.",
)
@click.option("--valid-days", type=click.IntRange(1, 3650), default=365, show_default=True)
@click.option("--language", default=None, help="Language of titles (default: the app's).")
@with_appcontext
def export_scorm(
    scorm_version: str,
    per_module: bool,
    out: Path,
    base_url: str,
    lms_origins: tuple[str, ...],
    organisation: str | None,
    namespace: str | None,
    valid_days: int,
    language: str | None,
) -> None:
    """Write SCORM dispatch packages: the LMS shows the course, CourseKit hosts it."""
    origins = []
    for value in lms_origins:
        origin = normalise_origin(value)
        if origin is None:
            raise click.BadParameter(f"{value!r} is not an origin like https://lms.example.com")
        origins.append(origin)
    origins = list(dict.fromkeys(origins))
    if len(origins) > MAX_LMS_ORIGINS:
        raise click.BadParameter(f"at most {MAX_LMS_ORIGINS} LMS origins")
    namespace = namespace or urlsplit(origins[0]).hostname or ""
    if not valid_namespace(namespace):
        raise click.BadParameter("lower-case letters, digits, '.', '-' and '_' only")
    config = current_app.config
    lang = language or config["COURSEKIT_DEFAULT_LANGUAGE"]
    if lang not in config["COURSEKIT_LANGUAGES"]:
        raise click.BadParameter(f"one of {', '.join(config['COURSEKIT_LANGUAGES'])}")
    target = _target(base_url)
    secret = current_app.secret_key
    if not secret or (
        secret == DEV_SECRET_KEY and not _loopback(urlsplit(base_url).hostname or "")
    ):
        # Packages carry a credential signed with this key: anyone with the development key
        # could sign their own.
        raise click.ClickException("set COURSEKIT_SECRET_KEY first: packages are signed with it")
    with command_session() as session:
        org = services.organisation(session, organisation)
    if org is None:
        raise click.ClickException(f"no organisation {organisation!r}")
    written = export(
        out,
        get_state().course,
        version=scorm_version,  # type: ignore[arg-type]
        per_module=per_module,
        target=target,
        organisation_id=org.id,
        namespace=namespace,
        origins=origins,
        valid_days=valid_days,
        lang=lang,
        secret_key=secret,
    )
    for item in written:
        unit = item.dispatch.module_id or "whole course"
        click.echo(f"wrote {item.path} ({unit}, package id {item.dispatch.package_id})")
    expiry = datetime.fromtimestamp(written[0].dispatch.expires_at, UTC).date()
    click.echo(
        f"SCORM {scorm_version} for organisation {org.slug!r}, learner namespace {namespace!r}; "
        f"launches {target.launch_url} from {', '.join(origins)}; valid until {expiry}. "
        "To withdraw a package, add its id to COURSEKIT_SCORM_REVOKED_PACKAGES."
    )
