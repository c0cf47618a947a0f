"""Admin pages: the organisations and their certificate branding, with a sample PDF."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.identity import admin_required
from ..certificates.render import organisation_pdf, sample_certificate
from ..state import course, db_session
from . import branding
from .forms import BrandingForm
from .models import Organisation

bp = Blueprint("orgs", __name__)


def _organisation(org_id: int) -> Organisation:
    org = db_session().get(Organisation, org_id)
    if org is None:
        abort(404)
    return org


@bp.get("/admin/organisations")
@admin_required
def index():
    orgs = db_session().scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template("coursekit/orgs/index.html", organisations=orgs)


@bp.route("/admin/organisations/<int:org_id>/branding", methods=["GET", "POST"])
@admin_required
def edit_branding(org_id: int):
    org = _organisation(org_id)
    form = BrandingForm(obj=org)
    if form.validate_on_submit():
        upload = form.logo_file.data
        try:
            branding.update(
                db_session(),
                org.id,
                issuer=form.certificate_issuer.data,
                accent=form.certificate_accent.data,
                signatory=form.certificate_signatory.data,
                signatory_role=form.certificate_signatory_role.data,
                logo=upload.read() if upload else None,
                remove_logo=form.remove_logo.data,
            )
        except branding.BrandingError as error:
            db_session().rollback()
            # Only the logo's content is checked past the form (its first bytes).
            form.logo_file.errors.append(
                _("The logo must be a PNG or JPEG image of up to 1 MB.")
                if error.field == "logo"
                else str(error)
            )
        else:
            flash(
                _("Branding saved. Certificates issued from now on carry it."),
                "success",
            )
            return redirect(url_for(".edit_branding", org_id=org.id), code=303)
    page = render_template(
        "coursekit/orgs/branding.html",
        form=form,
        organisation=org,
        defaults=branding.from_config(current_app.config),
    )
    return page, 422 if form.errors else 200


@bp.get("/admin/organisations/<int:org_id>/branding/sample.pdf")
@admin_required
def sample(org_id: int):
    """A sample certificate in this organisation's branding; nothing is stored."""
    org = _organisation(org_id)
    cert = sample_certificate(course(), _("Sample Trainee"), str(get_locale()), org.id)
    verify = url_for("coursekit.certificates.verify", code=cert.code, _external=True)
    pdf = organisation_pdf(db_session(), cert, course(), verify)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'inline; filename="sample-certificate.pdf"'},
    )
