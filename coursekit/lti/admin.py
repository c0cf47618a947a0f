"""The admin's LMS page: the URLs to give the LMS, registered platforms and deployments,
one-time dynamic registration URLs, and key rotation."""

from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..auth.identity import admin_required, current_learner
from ..state import db_session
from ..web import refuse
from . import dynamic, keys, registrations
from .forms import ActionForm, DeploymentForm, PlatformForm

bp = Blueprint("lti_admin", __name__, url_prefix="/admin/lti")


def tool_urls() -> dict[str, str]:
    """What an LMS administrator enters, by the names LMSs use for them."""
    launch = url_for("coursekit.lti.launch", _external=True)
    return {
        "login": url_for("coursekit.lti.login", _external=True),
        "launch": launch,
        "deep_link": launch,
        "jwks": url_for("coursekit.lti.jwks", _external=True),
        "canvas": url_for("coursekit.lti_dynamic.canvas_configuration", _external=True),
    }


def _page(status: int = 200, **extra: Any) -> tuple[str, int]:
    session = db_session()
    learner = current_learner()
    assert learner is not None
    page = render_template(
        "coursekit/lti/admin.html",
        urls=tool_urls(),
        platforms=registrations.listing(session),
        signing_kid=keys.current_key(session).kid,
        published=keys.published_keys(session),
        form=extra.pop("form", None) or PlatformForm(),
        deployment_form=DeploymentForm(),
        action_form=ActionForm(),
        **extra,
    )
    return page, status


@bp.get("/")
@admin_required
def index():  # type: ignore[no-untyped-def]
    return _page()


@bp.post("/platforms")
@admin_required
def add_platform():  # type: ignore[no-untyped-def]
    form = PlatformForm()
    if not form.validate_on_submit():
        return _page(422, form=form)
    learner = current_learner()
    assert learner is not None
    try:
        platform = registrations.add_platform(
            db_session(),
            name=form.name.data or "",
            issuer=form.issuer.data,
            client_id=form.client_id.data,
            auth_login_url=form.auth_login_url.data,
            token_url=form.token_url.data,
            jwks_url=form.jwks_url.data,
            token_audience=form.token_audience.data,
            frame_origins=form.frame_origins.data,
            deployment_ids=(form.deployment_ids.data or "").splitlines(),
            organisation_id=learner.organisation_id,
        )
    except registrations.RegistrationError as error:
        getattr(form, error.field or "issuer").errors.append(str(error))
        return _page(422, form=form)
    flash(_("%(name)s is registered.", name=platform.name), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/platforms/<int:platform_id>/deployments")
@admin_required
def add_deployment(platform_id: int):  # type: ignore[no-untyped-def]
    form = DeploymentForm()
    if not form.validate_on_submit():
        raise refuse(400, _("Please enter a deployment ID."))
    try:
        registrations.add_deployment(db_session(), platform_id, form.deployment_id.data)
    except registrations.UnknownPlatform as error:
        raise refuse(404, _("No such platform.")) from error
    except registrations.RegistrationError as error:
        raise refuse(409, str(error)) from error
    flash(_("Deployment %(id)s is added.", id=form.deployment_id.data), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/platforms/<int:platform_id>/delete")
@admin_required
def remove_platform(platform_id: int):  # type: ignore[no-untyped-def]
    if not ActionForm().validate_on_submit():
        raise refuse(400, _("The form has expired: please try again."))
    try:
        platform = registrations.remove_platform(db_session(), platform_id)
    except registrations.UnknownPlatform as error:
        raise refuse(404, _("No such platform.")) from error
    flash(_("%(name)s is removed.", name=platform.name), "info")
    return redirect(url_for(".index"), code=303)


@bp.post("/registration-urls")
@admin_required
def new_registration_url():  # type: ignore[no-untyped-def]
    if not ActionForm().validate_on_submit():
        raise refuse(400, _("The form has expired: please try again."))
    learner = current_learner()
    assert learner is not None
    days = current_app.config["COURSEKIT_LTI_REGISTRATION_URL_DAYS"]
    token = dynamic.issue_token(db_session(), learner.organisation_id, learner.id, days)
    url = url_for("coursekit.lti_dynamic.register", token=token, _external=True)
    # Shown once, on this page only (not in a flash message, which lives in the cookie).
    return _page(registration_url=url, registration_days=days)


@bp.post("/keys/rotate")
@admin_required
def rotate_key():  # type: ignore[no-untyped-def]
    if not ActionForm().validate_on_submit():
        raise refuse(400, _("The form has expired: please try again."))
    hours = current_app.config["COURSEKIT_LTI_KEY_OVERLAP_HOURS"]
    rotation = keys.rotate(db_session(), timedelta(hours=hours))
    flash(
        _(
            "A new signing key is in use; the previous one stays published for %(h)d hours.",
            h=hours,
        ),
        "success",
    )
    current_app.logger.info(
        "LTI key rotated: %s replaces %s", rotation.new_kid, rotation.retired_kid
    )
    return redirect(url_for(".index"), code=303)
