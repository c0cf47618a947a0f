"""Certificate downloads, public verification, revocation and re-issue, cohort batches."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from ..auth.identity import current_learner, instructor_required, login_required
from ..cohorts import services as cohorts
from ..jobqueue import job_queue
from ..security import limiter
from ..state import course, db_session
from ..web import refuse, safe_next_url
from . import batches, services
from .models import Certificate
from .render import organisation_pdf

bp = Blueprint("certificates", __name__)


def verify_url(code: str) -> str:
    return url_for("coursekit.certificates.verify", code=code, _external=True)


def _pdf(cert: Certificate) -> bytes:
    session = db_session()
    return services.stored_pdf(
        session, cert, lambda c: organisation_pdf(session, c, course(), verify_url(c.code))
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


def _manage(action, code: str, done: str):  # type: ignore[no-untyped-def]
    """Revoke or re-issue, then go back to the page the form was on."""
    try:
        cert = action(db_session(), code, current_learner(), request.form.get("reason", ""))
    except services.CertificateNotFound:
        abort(404)
    except services.CertificateError:
        flash(_("Please give a reason."), "error")
    else:
        flash(done % {"code": cert.code}, "success")
    return redirect(safe_next_url("back") or url_for("coursekit.site.index"), code=303)


@bp.post("/certificates/<code>/revoke")
@instructor_required
def revoke(code: str):
    return _manage(services.revoke, code, _("Certificate %(code)s revoked."))


@bp.post("/certificates/<code>/reissue")
@instructor_required
def reissue(code: str):
    name = request.form.get("name")
    reissue = lambda s, c, a, r: services.reissue(s, c, a, r, name=name)  # noqa: E731
    return _manage(reissue, code, _("Certificate %(code)s re-issued."))


def _cohort(cohort_id: int):  # type: ignore[no-untyped-def]
    try:
        return cohorts.cohort_for(db_session(), cohort_id, current_learner())
    except cohorts.CohortNotFound:
        abort(404)


def _verify_base() -> str:
    return url_for("coursekit.certificates.verify_form", _external=True)


def _zip(cohort_id: int) -> Response:
    data = batches.build_zip(db_session(), course(), cohort_id, _verify_base())
    return Response(
        data,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="cohort-{cohort_id}-certificates.zip"'
        },
    )


@bp.get("/cohorts/<int:cohort_id>/certificates.zip")
@instructor_required
def batch(cohort_id: int):
    """The zip, built in this request (small cohorts, or no Redis)."""
    return _zip(_cohort(cohort_id).id)


@bp.post("/cohorts/<int:cohort_id>/certificates/batch")
@instructor_required
def start_batch(cohort_id: int):
    """Large batches become a background job when Redis is configured; small ones, or any
    without Redis, are built at once."""
    cohort = _cohort(cohort_id)
    count = len(batches.cohort_certificates(db_session(), cohort.id, course().id))
    if (
        not current_app.config["COURSEKIT_REDIS_URL"]
        or count <= current_app.config["COURSEKIT_CERTIFICATE_BATCH_INLINE_LIMIT"]
    ):
        return redirect(url_for(".batch", cohort_id=cohort.id), code=303)
    job = job_queue().enqueue(
        batches.run_batch,
        cohort.id,
        _verify_base(),
        job_timeout=1800,
        meta={"cohort_id": cohort.id, "done": 0, "total": count},
    )
    return redirect(url_for(".batch_status", cohort_id=cohort.id, job_id=job.id), code=303)


def _job(cohort_id: int, job_id: str):  # type: ignore[no-untyped-def]
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    _cohort(cohort_id)
    if not current_app.config["COURSEKIT_REDIS_URL"]:
        # Without Redis every batch is built inline: there is no job to look up.
        current_app.logger.info("certificate batch %r refused: no job queue here", job_id)
        raise refuse(404, _("There is no such batch: certificates are prepared at once here."))
    try:
        job = Job.fetch(job_id, connection=job_queue().connection)
    except (NoSuchJobError, ValueError):  # ValueError: not even the shape of a job id
        abort(404)
    if job.meta.get("cohort_id") != cohort_id:
        abort(404)
    return job


@bp.get("/cohorts/<int:cohort_id>/certificates/batch/<job_id>")
@instructor_required
def batch_status(cohort_id: int, job_id: str):
    job = _job(cohort_id, job_id)
    return render_template(
        "coursekit/certificates/batch.html",
        cohort_id=cohort_id,
        job=job,
        status=getattr(job.get_status(), "value", str(job.get_status())),
        meta=job.meta,
    )


@bp.get("/cohorts/<int:cohort_id>/certificates/batch/<job_id>.zip")
@instructor_required
def batch_download(cohort_id: int, job_id: str):
    job = _job(cohort_id, job_id)
    if not job.is_finished:
        abort(409)
    return _zip(cohort_id)  # every PDF is stored by now: no rendering left to do
