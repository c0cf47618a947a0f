"""The instructor's "sync from the LMS" button on a cohort linked to LMS courses."""

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _

from ..auth.identity import current_learner, instructor_required
from ..cohorts import services as cohorts
from ..state import db_session
from .roster import sync_cohort_roster

bp = Blueprint("lti_roster", __name__)


@bp.post("/cohorts/<int:cohort_id>/lms-roster")
@instructor_required
def sync(cohort_id: int):
    try:
        cohort = cohorts.cohort_for(db_session(), cohort_id, current_learner())
    except cohorts.CohortNotFound:
        abort(404)
    results = sync_cohort_roster(
        db_session(), cohort.id, current_app.config["COURSEKIT_LTI_HTTP_TIMEOUT"]
    )
    if not results:
        flash(_("This cohort is not linked to an LMS course with a roster service."), "error")
    for result in results:
        if result.summary is None:
            flash(
                _(
                    "The LMS %(lms)s did not answer: %(error)s",
                    lms=result.issuer,
                    error=result.error,
                ),
                "error",
            )
            continue
        summary = result.summary
        flash(
            _(
                "%(lms)s: %(members)d people on the roster; %(learners)d trainees and "
                "%(instructors)d instructors added, %(already)d already here.",
                lms=result.issuer,
                members=result.members,
                learners=summary.learners_added,
                instructors=summary.instructors_added,
                already=summary.already,
            ),
            "success",
        )
        if summary.inactive or summary.gone:
            flash(
                _(
                    "%(count)d trainees here are inactive or no longer on the LMS roster; "
                    "they keep their place and their work.",
                    count=len(summary.inactive) + len(summary.gone),
                ),
                "info",
            )
    return redirect(url_for("coursekit.cohorts.dashboard", cohort_id=cohort.id), code=303)
