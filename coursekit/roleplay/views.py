"""Role-play pages: the briefing, one decision per page, and the review."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..auth.identity import current_learner, login_required
from ..domain.roleplay import Scenario, score
from ..state import course, db_session
from ..web import refuse
from . import services
from .models import ACTIVE, RoleplayAttempt
from .presenters import (
    BAND_LABELS,
    DIMENSION_LABELS,
    KIND_LABELS,
    chart,
    dimension_rows,
    transcript,
)

bp = Blueprint("roleplay", __name__, url_prefix="/roleplays")


def _scenario(scenario_id: str) -> Scenario:
    scenario = course().roleplays.get(scenario_id)
    if scenario is None:
        abort(404)
    return scenario


def _lang() -> str:
    return str(get_locale())


def _visible_attempt(attempt_id: int) -> RoleplayAttempt:
    try:
        return services.attempt_for_viewer(db_session(), attempt_id, current_learner())
    except services.AttemptNotFound:
        abort(404)


@bp.get("/<scenario_id>")
@login_required
def intro(scenario_id: str):
    scenario = _scenario(scenario_id)
    history = services.attempts(db_session(), current_learner().id, course().id, scenario_id)
    finished = [a for a in history if a.status != ACTIVE]
    return render_template(
        "coursekit/roleplay/intro.html",
        scenario=scenario,
        module=course().module_of_roleplay(scenario_id),
        active=next((a for a in history if a.status == ACTIVE), None),
        best=max(finished, key=lambda a: a.score or 0) if finished else None,
        latest=finished[0] if finished else None,
        finished_count=len(finished),
    )


@bp.post("/<scenario_id>/start")
@login_required
def begin(scenario_id: str):
    _scenario(scenario_id)
    attempt = services.start(
        db_session(),
        current_learner().id,
        course(),
        scenario_id,
        restart=request.form.get("restart") == "1",
    )
    return redirect(url_for(".play", attempt_id=attempt.id), code=303)


@bp.get("/attempts/<int:attempt_id>")
@login_required
def play(attempt_id: int):
    attempt = _visible_attempt(attempt_id)
    if attempt.status != ACTIVE:
        return redirect(url_for(".review", attempt_id=attempt.id))
    if attempt.user_id != current_learner().id:
        abort(404)  # an instructor may review a trainee's conversation, not play it
    playthrough = services.playthrough(db_session(), course(), attempt)
    scenario = playthrough.scenario
    lang = _lang()
    node = scenario.node(playthrough.node_id)
    return render_template(
        "coursekit/roleplay/play.html",
        attempt=attempt,
        scenario=scenario,
        node=node,
        exchanges=transcript(playthrough, lang),
        state=playthrough.state,
        show_meters=course().roleplay_mode == "practice",
        uncovered=[e for e in scenario.spec.expectations if e.id in playthrough.state.revealed],
        kind_labels=KIND_LABELS,
    )


@bp.post("/attempts/<int:attempt_id>/step")
@login_required
def step(attempt_id: int):
    resume = (url_for(".play", attempt_id=attempt_id), _("Back to the conversation"))
    try:
        position = int(request.form.get("position", ""))
    except ValueError:
        raise refuse(400, _("This step is incomplete."), resume) from None
    try:
        taken = services.take_step(
            db_session(),
            user_id=current_learner().id,
            course=course(),
            attempt_id=attempt_id,
            position=position,
            node_id=request.form.get("node", ""),
            choice_id=request.form.get("choice", ""),
        )
    except services.AttemptNotFound:
        abort(404)
    except services.ForgedStep as exc:
        raise refuse(400, _("That reply is not one of the choices here."), resume) from exc
    except services.StaleStep as exc:
        raise refuse(
            409, _("This step was already taken (or the page was out of date)."), resume
        ) from exc
    except services.ConversationOver as exc:
        link = (url_for(".review", attempt_id=attempt_id), _("See the review"))
        raise refuse(409, _("This conversation has already ended."), link) from exc
    endpoint = ".review" if taken.play.finished else ".play"
    return redirect(url_for(endpoint, attempt_id=attempt_id), code=303)


@bp.get("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    attempt = _visible_attempt(attempt_id)
    if attempt.status == ACTIVE:
        return redirect(url_for(".play", attempt_id=attempt.id))
    playthrough = services.playthrough(db_session(), course(), attempt)
    result = score(playthrough)
    lang = _lang()
    scenario = playthrough.scenario
    return render_template(
        "coursekit/roleplay/review.html",
        attempt=attempt,
        scenario=scenario,
        result=result,
        ending=scenario.node(playthrough.node_id).say.get(lang),
        exchanges=transcript(playthrough, lang, result),
        dimensions=dimension_rows(playthrough, result, lang),
        chart=chart(playthrough),
        expectations=[(e, e.id in playthrough.state.revealed) for e in scenario.spec.expectations],
        band_label=BAND_LABELS[result.band],
        kind_labels=KIND_LABELS,
        dimension_labels=DIMENSION_LABELS,
        module=course().module_of_roleplay(scenario.id),
    )
