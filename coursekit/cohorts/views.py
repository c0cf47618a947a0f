"""Instructor pages (cohorts, dashboard, projector, roster, exports) and joining by code."""

from datetime import UTC, datetime

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from ..auth.identity import current_learner, instructor_required, learner_key, login_required
from ..certificates import services as certificates
from ..domain.roster import RosterInvalid, decode, parse_roster
from ..learn import services as learning
from ..lti.links import roster_sources
from ..roleplay import services as roleplays
from ..roleplay.presenters import DIMENSION_LABELS
from ..security import failed, limiter
from ..state import course, db_session, get_state
from ..web import refuse
from . import export, queries, services
from .forms import CohortForm, JoinForm, RosterForm
from .models import Cohort, CohortMember

bp = Blueprint("cohorts", __name__)
PAGE_SIZE = 50
AT_RISK_SHOWN = 20
SORTS = {
    "risk": lambda t: (t.risk is None, t.name.lower()),
    "name": lambda t: (t.name.lower(), t.user_id),
    "progress": lambda t: (-t.progress.percent, t.name.lower()),
    "active": lambda t: (-(t.last_active.timestamp() if t.last_active else 0), t.name.lower()),
}


def _cohort(cohort_id: int) -> Cohort:
    try:
        return services.cohort_for(db_session(), cohort_id, current_learner())
    except services.CohortNotFound:
        abort(404)


def _window() -> dict:
    """When "now" is and how long idle counts as at risk."""
    return {
        "now": datetime.now(UTC),
        "inactive_days": current_app.config["COURSEKIT_AT_RISK_INACTIVE_DAYS"],
    }


def _join_url(cohort: Cohort) -> str | None:
    if cohort.join_code is None:
        return None
    return url_for(".join_with_code", code=cohort.join_code, _external=True)


@bp.get("/cohorts")
@instructor_required
def index():
    cohorts = services.cohorts_for(db_session(), current_learner())
    return render_template(
        "coursekit/cohorts/index.html",
        current=[c for c in cohorts if c.archived_at is None],
        archived=[c for c in cohorts if c.archived_at is not None],
    )


@bp.route("/cohorts/new", methods=["GET", "POST"])
@instructor_required
def create():
    return _save(CohortForm(), None, _("Cohort created. Show the join code to your trainees."))


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@instructor_required
def edit(cohort_id: int):
    cohort = _cohort(cohort_id)
    form = CohortForm(obj=cohort)
    if request.method == "GET":
        others = [
            uid
            for uid in services.instructor_ids(db_session(), cohort.id)
            if uid != cohort.created_by
        ]
        form.co_instructors.data = "\n".join(services.emails_of(db_session(), others))
    return _save(form, cohort, _("Saved."))


def _save(form: CohortForm, cohort: Cohort | None, done: str):  # type: ignore[no-untyped-def]
    """Create (no cohort yet) or update from the form; a refusal goes back to its field."""
    if form.validate_on_submit():
        values = {
            "name": form.name.data,
            "starts_on": form.starts_on.data,
            "ends_on": form.ends_on.data,
            "co_instructors": form.co_instructor_emails(),
        }
        try:
            if cohort is None:
                cohort = services.create(
                    db_session(), current_learner(), course_id=course().id, **values
                )
            else:
                services.update(db_session(), cohort.id, current_learner(), **values)
        except services.CohortError as error:
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            flash(done, "success")
            return redirect(url_for(".dashboard", cohort_id=cohort.id), code=303)
    page = render_template("coursekit/cohorts/edit.html", form=form, cohort=cohort)
    return page, 422 if form.errors else 200


@bp.post("/cohorts/<int:cohort_id>/archive")
@instructor_required
def archive(cohort_id: int):
    archived = request.form.get("archived") == "1"
    try:
        services.set_archived(db_session(), cohort_id, current_learner(), archived)
    except services.CohortNotFound:
        abort(404)
    flash(
        _("Cohort archived: joining is closed.") if archived else _("Cohort restored."), "success"
    )
    return redirect(url_for(".dashboard", cohort_id=cohort_id), code=303)


@bp.post("/cohorts/<int:cohort_id>/code")
@instructor_required
def code(cohort_id: int):
    action = request.form.get("action")
    try:
        if action == "rotate":
            services.rotate_code(db_session(), cohort_id, current_learner())
            flash(_("A new join code is ready; the old one no longer works."), "success")
        elif action == "close":
            services.close_code(db_session(), cohort_id, current_learner())
            flash(_("Joining is closed."), "success")
        else:
            abort(400)
    except services.CohortNotFound:
        abort(404)
    except services.CohortError as error:
        flash(str(error), "error")
    back = ".projector" if request.form.get("back") == "projector" else ".dashboard"
    return redirect(url_for(back, cohort_id=cohort_id), code=303)


@bp.get("/cohorts/<int:cohort_id>/projector")
@instructor_required
def projector(cohort_id: int):
    cohort = _cohort(cohort_id)
    join_url = _join_url(cohort)
    qr = segno.make(join_url, error="m").svg_inline(scale=8, dark="#111") if join_url else None
    return render_template(
        "coursekit/cohorts/projector.html", cohort=cohort, join_url=join_url, qr=qr
    )


@bp.get("/cohorts/<int:cohort_id>")
@instructor_required
def dashboard(cohort_id: int):
    cohort = _cohort(cohort_id)
    data = queries.load(db_session(), cohort, course(), **_window())
    lang = str(get_locale())
    sort = request.args.get("sort", "name")
    ordered = sorted(data.trainees, key=SORTS.get(sort, SORTS["name"]))
    pages = max(1, -(-len(ordered) // PAGE_SIZE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    return render_template(
        "coursekit/cohorts/dashboard.html",
        cohort=cohort,
        data=data,
        join_url=_join_url(cohort),
        sort=sort,
        page=page,
        pages=pages,
        rows=ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        roster_form=RosterForm(),
        invited=services.pending_invitations(db_session(), cohort.id),
        lms_rosters=len(roster_sources(db_session(), cohort.id)),
        at_risk_shown=data.at_risk[:AT_RISK_SHOWN],
        dimension_labels=DIMENSION_LABELS,
        titles={
            **{m.id: m.title.get(lang) for m in course().modules},
            **{rid: s.spec.title.get(lang) for rid, s in course().roleplays.items()},
        },
    )


@bp.post("/cohorts/<int:cohort_id>/roster")
@instructor_required
def roster(cohort_id: int):
    cohort = _cohort(cohort_id)
    form = RosterForm()
    errors: list = []
    if form.validate_on_submit():
        try:
            rows = parse_roster(decode(form.roster.data.read(2_000_001)[:2_000_000]))
        except RosterInvalid as invalid:
            errors = invalid.errors
        else:
            summary = services.import_roster(db_session(), cohort.id, current_learner(), rows)
            flash(
                _(
                    "%(n)d people invited. Each joins when they sign in with that e-mail and "
                    "accept, or joins with the cohort's code.",
                    n=summary.invited,
                ),
                "success",
            )
            return redirect(url_for(".dashboard", cohort_id=cohort.id), code=303)
    page = render_template("coursekit/cohorts/roster.html", cohort=cohort, form=form, errors=errors)
    return page, 422


@bp.get("/cohorts/<int:cohort_id>/trainees/<int:user_id>")
@instructor_required
def trainee(cohort_id: int, user_id: int):
    cohort = _cohort(cohort_id)
    session = db_session()
    if session.get(CohortMember, (cohort.id, user_id)) is None:
        abort(404)
    person = services.member(session, user_id)
    return render_template(
        "coursekit/cohorts/trainee.html",
        cohort=cohort,
        person=person,
        progress=learning.progress(session, user_id, course()),
        checks={
            m.id: learning.attempts(session, user_id, course().id, m.id) for m in course().modules
        },
        plays={
            rid: roleplays.attempts(session, user_id, course().id, rid)
            for rid in course().roleplays
        },
        certificate=certificates.of_trainee(session, user_id, course().id),
    )


@bp.get("/cohorts/<int:cohort_id>/export/<kind>.csv")
@instructor_required
def export_csv(cohort_id: int, kind: str):
    cohort = _cohort(cohort_id)
    if kind == "matrix":
        trainees = queries.trainee_rows(db_session(), cohort, course(), **_window())
        lines = export.matrix(course(), trainees)
    elif kind == "attempts":
        lines = export.attempts(get_state().db.sessionmaker, course(), cohort.id)
    else:
        abort(404)
    filename = f"cohort-{cohort.id}-{kind}.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- joining, for trainees --------------------------------------------------------------


@bp.post("/invitations/<int:cohort_id>")
@login_required
def answer_invitation(cohort_id: int):
    answer = request.form.get("answer", "")
    try:
        cohort = services.answer_invitation(db_session(), current_learner(), cohort_id, answer)
    except services.CohortNotFound:
        abort(404)
    except services.CohortError as exc:
        raise refuse(400, _("Choose to join or to decline.")) from exc
    if answer == "accept":
        flash(_("Welcome to %(name)s!", name=cohort.name), "success")
    return redirect(url_for("coursekit.site.index"), code=303)


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["COURSEKIT_JOIN_LIMIT"],
    key_func=learner_key,
    methods=["POST"],
)
@login_required
def join():
    form = JoinForm()
    if form.validate_on_submit():
        return redirect(url_for(".join_with_code", code=services.normalise_code(form.code.data)))
    return render_template(
        "coursekit/cohorts/join.html", form=form, cohort=None
    ), 422 if form.errors else 200


@bp.route("/join/<code>", methods=["GET", "POST"])
# Codes are short, so guessing them must be slow: per trainee every page counts, per address
# (a whole room) only the codes that open no cohort.
@limiter.limit(
    lambda: current_app.config["COURSEKIT_JOIN_LIMIT"],
    key_func=learner_key,
    exempt_when=lambda: current_learner() is None,  # a phone that scanned the QR: sign up first
)
@limiter.limit(lambda: current_app.config["COURSEKIT_JOIN_MISS_LIMIT"], deduct_when=failed)
def join_with_code(code: str):
    learner = current_learner()
    if learner is None:  # a phone that scanned the QR code: sign up (or log in) first
        return redirect(url_for("coursekit.auth.register", next=request.path))
    session = db_session()
    cohort = services.find_by_code(session, code)
    if cohort is None:
        form = JoinForm(code=code)
        form.code.errors = [_("No open cohort has this code. Check it with your instructor.")]
        return render_template("coursekit/cohorts/join.html", form=form, cohort=None), 404
    if request.method == "POST":
        form = JoinForm()
        if not form.validate_on_submit():
            abort(400)
        joined = services.join(session, learner.id, code)
        flash(
            _("You were already in %(name)s.", name=joined.cohort.name)
            if joined.already
            else _("Welcome to %(name)s!", name=joined.cohort.name),
            "success",
        )
        return redirect(url_for("coursekit.site.index"), code=303)
    member = session.get(CohortMember, (cohort.id, learner.id)) is not None
    return render_template(
        "coursekit/cohorts/join.html",
        form=JoinForm(code=cohort.join_code),
        cohort=cohort,
        member=member,
    )
