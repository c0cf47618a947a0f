"""`flask coursekit lti ...`: platform registrations and the tool's keys."""

import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from ..command_session import command_session
from ..orgs.models import DEFAULT_ORGANISATION_ID
from . import dynamic, keys, registrations
from .sealed import parse_keys

group = AppGroup("lti", help="LTI 1.3: registered LMSs (platforms) and the tool's keys.")


@group.command("rotate-key")
@click.option(
    "--overlap-hours",
    type=int,
    default=None,
    help="How long the previous key stays published (default: COURSEKIT_LTI_KEY_OVERLAP_HOURS).",
)
def rotate_key(overlap_hours: int | None) -> None:
    """Make a new signing key current; the previous one stays in the JWKS for the overlap."""
    hours = (
        overlap_hours
        if overlap_hours is not None
        else current_app.config["COURSEKIT_LTI_KEY_OVERLAP_HOURS"]
    )
    with command_session() as session:
        rotation = keys.rotate(session, timedelta(hours=hours))
    click.echo(f"signing with {rotation.new_kid}")
    if rotation.retired_kid:
        click.echo(
            f"{rotation.retired_kid} stays published until {rotation.retire_at:%Y-%m-%d %H:%M} UTC"
        )
    if rotation.dropped:
        click.echo(f"{rotation.dropped} key(s) past their overlap removed")


@group.command("reseal-keys")
def reseal_keys() -> None:
    """Seal every stored tool key under the first COURSEKIT_KEY_ENCRYPTION_KEYS key: after
    putting a new key first (keep the old one listed until this has run), or for keys stored
    before sealing."""
    if not parse_keys(current_app.config.get("COURSEKIT_KEY_ENCRYPTION_KEYS")):
        raise click.ClickException("set COURSEKIT_KEY_ENCRYPTION_KEYS first")
    with command_session() as session:
        count = keys.reseal_keys(session)
    click.echo(f"{count} key(s) sealed under the first COURSEKIT_KEY_ENCRYPTION_KEYS key")


@group.command("add-platform")
@click.option("--name", default="", help="A name for people (default: the issuer's host).")
@click.option(
    "--issuer", required=True, help="The platform's issuer (iss), e.g. https://moodle.example.com"
)
@click.option("--client-id", required=True)
@click.option("--auth-login-url", required=True, help="The platform's OIDC authorisation endpoint.")
@click.option("--token-url", required=True, help="The platform's OAuth2 access token URL.")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL.")
@click.option(
    "--token-audience", default=None, help="The token endpoint's audience, if not its URL."
)
@click.option("--deployment-id", "deployment_ids", multiple=True, help="Repeat for several.")
@click.option(
    "--frame-origin",
    "frame_origins",
    multiple=True,
    help="Another origin of the LMS that frames CourseKit.",
)
@click.option("--organisation-id", type=int, default=DEFAULT_ORGANISATION_ID, show_default=True)
def add_platform(
    name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    token_url: str,
    jwks_url: str,
    token_audience: str | None,
    deployment_ids: tuple[str, ...],
    frame_origins: tuple[str, ...],
    organisation_id: int,
) -> None:
    """Register an LMS (a platform) by hand."""
    with command_session(registrations.RegistrationError) as session:
        platform = registrations.add_platform(
            session,
            name=name,
            issuer=issuer,
            client_id=client_id,
            auth_login_url=auth_login_url,
            token_url=token_url,
            jwks_url=jwks_url,
            token_audience=token_audience,
            frame_origins=" ".join(frame_origins),
            deployment_ids=deployment_ids,
            organisation_id=organisation_id,
        )
        click.echo(f"platform {platform.id}: {platform.name} ({platform.issuer})")


@group.command("list-platforms")
def list_platforms() -> None:
    """List the registered platforms with their deployments."""
    with command_session() as session:
        listed = registrations.listing(session)
    if not listed:
        click.echo("no platforms registered")
    for item in listed:
        p = item.platform
        deployments = ", ".join(item.deployment_ids) or "(no deployments: launches are refused)"
        click.echo(f"{p.id}  {p.name}")
        click.echo(f"    issuer {p.issuer}  client {p.client_id}")
        click.echo(f"    login {p.auth_login_url}  token {p.token_url}  jwks {p.jwks_url}")
        click.echo(f"    deployments {deployments}")


@group.command("add-deployment")
@click.argument("platform_id", type=int)
@click.argument("deployment_id")
def add_deployment(platform_id: int, deployment_id: str) -> None:
    """Accept launches from another deployment of a registered platform."""
    with command_session(registrations.RegistrationError) as session:
        registrations.add_deployment(session, platform_id, deployment_id)
    click.echo(f"platform {platform_id}: deployment {deployment_id!r} added")


@group.command("remove-platform")
@click.argument("platform_id", type=int)
@click.confirmation_option(
    prompt="Remove this platform and its launch records (users and cohorts stay)?"
)
def remove_platform(platform_id: int) -> None:
    """Forget a platform: its launches are refused from now on."""
    with command_session(registrations.RegistrationError) as session:
        platform = registrations.remove_platform(session, platform_id)
    click.echo(f"platform {platform_id} ({platform.issuer}) removed")


@group.command("registration-url")
@click.option(
    "--base-url",
    required=True,
    help="Where CourseKit is reached, e.g. https://training.example.com",
)
@click.option("--organisation-id", type=int, default=DEFAULT_ORGANISATION_ID, show_default=True)
def registration_url(base_url: str, organisation_id: int) -> None:
    """Print a one-time dynamic registration URL to paste into the LMS."""
    days = current_app.config["COURSEKIT_LTI_REGISTRATION_URL_DAYS"]
    with command_session() as session:
        token = dynamic.issue_token(session, organisation_id, None, days)
    prefix = current_app.config["COURSEKIT_URL_PREFIX"] or ""
    click.echo(f"{base_url.rstrip('/')}{prefix}/lti/register/{token}")
    click.echo(f"(valid once, for {days} days)")


@group.command("sync-roster")
@click.argument("cohort_id", type=int)
def sync_roster(cohort_id: int) -> None:
    """Add the people on the cohort's linked LMS courses' rosters (NRPS) to the cohort."""
    from .roster import sync_cohort_roster

    with command_session() as session:
        results = sync_cohort_roster(
            session, cohort_id, current_app.config["COURSEKIT_LTI_HTTP_TIMEOUT"]
        )
    if not results:
        raise click.ClickException(f"cohort {cohort_id} has no LMS course with a roster service")
    for r in results:
        if r.summary is None:
            click.echo(f"{r.issuer} ({r.context_id}): failed: {r.error}")
        else:
            s = r.summary
            click.echo(
                f"{r.issuer} ({r.context_id}): {r.members} members; {s.learners_added} trainees "
                f"and {s.instructors_added} instructors added, {s.already} already in the cohort"
            )
    if any(r.summary is None for r in results):
        sys.exit(1)
