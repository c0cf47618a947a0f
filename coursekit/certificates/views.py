"""Certificate downloads, public verification, revocation and re-issue, cohort batches."""

import io
import zipfile

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.identity import current_learner, instructor_required, login_required
from ..cohorts import services as cohorts
from ..cohorts.models import CohortMember
from ..security import limiter
from ..state import course, db_session
from . import services
from .models import Certificate
from .render import certificate_pdf

bp = Blueprint("certificates", __name__)


def verify_url(code: str) -> str:
    return url_for("coursekit.certificates.verify", code=code, _external=True)


def _pdf(cert: Certificate) -> bytes:
    return services.stored_pdf(
        db_session(), cert, lambda c: certificate_pdf(c, course(), verify_url(c.code))
    )


def _filename(cert: Certificate) -> str:
    return f"certificate-{cert.code}.pdf"


@bp.get("/certificates/<code>.pdf")
@login_required
def download(code: str):
    try:
        cert = services.for_viewer(db_session(), code, current_learner())
    except services.CertificateNotFound:
        abort(404)
    if cert.revoked_at is not None:
        abort(410)
    return Response(
        _pdf(cert),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{_filename(cert)}"'},
    )


@bp.get("/verify")
@limiter.limit("30 per minute")
def verify_form():
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for(".verify", code=services.normalise_code(code)))
    return render_template("coursekit/certificates/verify_form.html")


@bp.get("/verify/<code>")
@limiter.limit("30 per minute")
def verify(code: str):
    cert = services.by_code(db_session(), code)
    if cert is None or cert.course_id != course().id:
        page = render_template("coursekit/certificates/verify_form.html", unknown=code)
        return page, 404
    return render_template("coursekit/certificates/verify.html", cert=cert)


def _manage(action, code: str):  # type: ignore[no-untyped-def]
    reason = request.form.get("reason", "")
    try:
        cert = action(db_session(), code, current_learner(), reason)
    except services.CertificateNotFound:
        abort(404)
    except services.CertificateError:
        flash(_("Please give a reason."), "error")
        return redirect(request.form.get("back") or url_for("coursekit.site.index"), code=303)
    return cert


@bp.post("/certificates/<code>/revoke")
@instructor_required
def revoke(code: str):
    cert = _manage(services.revoke, code)
    if isinstance(cert, Certificate):
        flash(_("Certificate %(code)s revoked.", code=cert.code), "success")
    return redirect(_back(), code=303)


@bp.post("/certificates/<code>/reissue")
@instructor_required
def reissue(code: str):
    name = request.form.get("name")
    cert = _manage(lambda s, c, a, r: services.reissue(s, c, a, r, name=name), code)
    if isinstance(cert, Certificate):
        flash(_("Certificate %(code)s re-issued.", code=cert.code), "success")
    return redirect(_back(), code=303)


def _back() -> str:
    back = request.form.get("back", "")
    return (
        back
        if back.startswith("/") and not back.startswith("//")
        else url_for("coursekit.site.index")
    )


@bp.get("/cohorts/<int:cohort_id>/certificates.zip")
@instructor_required
def batch(cohort_id: int):
    try:
        cohort = cohorts.cohort_for(db_session(), cohort_id, current_learner())
    except cohorts.CohortNotFound:
        abort(404)
    session = db_session()
    certs = list(
        session.scalars(
            select(Certificate)
            .join(CohortMember, CohortMember.user_id == Certificate.user_id)
            .where(
                CohortMember.cohort_id == cohort.id,
                Certificate.course_id == course().id,
                Certificate.revoked_at.is_(None),
            )
            .order_by(Certificate.name)
        )
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for cert in certs:
            archive.writestr(f"{cert.name} {cert.code}.pdf", _pdf(cert))
    return Response(
        buffer.getvalue(),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="cohort-{cohort.id}-certificates.zip"'
        },
    )
