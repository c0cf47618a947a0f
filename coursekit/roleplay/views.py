"""Role-play pages: the briefing, one decision per page, and the review."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..auth.identity import current_learner, login_required
from ..domain.roleplay import Playthrough, Scenario
from ..domain.roleplay.schema import KINDS
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
    meter,
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
    if playthrough.finished:  # the ending is reached; what was uncovered waits for tags
        return _render_classify(attempt, playthrough)
    scenario = playthrough.scenario
    lang = _lang()
    node = scenario.node(playthrough.node_id)
    by_id = {c.id: c for c in node.choices}
    practice = course().roleplay_mode == "practice"
    last = playthrough.steps[-1] if playthrough.steps else None
    return render_template(
        "coursekit/roleplay/play.html",
        attempt=attempt,
        scenario=scenario,
        node=node,
        choices=[by_id[cid] for cid in services.shown_order(attempt, playthrough)],
        exchanges=transcript(playthrough, lang),
        show_meters=practice,
        meter=meter(playthrough),
        last_feedback=last.choice.feedback.get(lang)
        if last and practice and course().roleplay_step_feedback
        else None,
        # Practice shows what was uncovered, never its kinds: tagging them is the trainee's act.
        uncovered=[e for e in scenario.spec.expectations if e.id in playthrough.state.revealed],
    )


def _render_classify(
    attempt: RoleplayAttempt,
    play: Playthrough,
    chosen: dict[str, list[str]] | None = None,
    error: str | None = None,
    status: int = 200,
):
    scenario = play.scenario
    lang = _lang()
    return render_template(
        "coursekit/roleplay/classify.html",
        attempt=attempt,
        scenario=scenario,
        ending=scenario.node(play.node_id).say.get(lang),
        uncovered=[e for e in scenario.spec.expectations if e.id in play.state.revealed],
        kinds=KINDS,
        kind_labels=KIND_LABELS,
        chosen=chosen or {},
        error=error,
    ), status


@bp.post("/attempts/<int:attempt_id>/classify")
@login_required
def classify(attempt_id: int):
    resume = (url_for(".play", attempt_id=attempt_id), _("Back to the conversation"))
    tags = {
        key.removeprefix("kind-"): request.form.getlist(key)
        for key in request.form
        if key.startswith("kind-")
    }
    try:
        services.classify(
            db_session(),
            user_id=current_learner().id,
            course=course(),
            attempt_id=attempt_id,
            tags=tags,
        )
    except services.AttemptNotFound:
        abort(404)
    except services.BadTags:
        attempt = _visible_attempt(attempt_id)
        play = services.playthrough(db_session(), course(), attempt)
        message = _("Tag every expectation you uncovered with at least one kind.")
        return _render_classify(attempt, play, tags, message, 422)
    except services.NotReadyForTags as exc:
        raise refuse(409, _("This conversation has not reached its end yet."), resume) from exc
    except services.ConversationOver as exc:
        link = (url_for(".review", attempt_id=attempt_id), _("See the review"))
        raise refuse(409, _("This conversation has already ended."), link) from exc
    return redirect(url_for(".review", attempt_id=attempt_id), code=303)


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
    # The ending shows the tagging (a page of play) until the conversation is scored.
    endpoint = ".play" if taken.attempt.status == ACTIVE else ".review"
    return redirect(url_for(endpoint, attempt_id=attempt_id), code=303)


@bp.get("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    attempt = _visible_attempt(attempt_id)
    if attempt.status == ACTIVE:
        return redirect(url_for(".play", attempt_id=attempt.id))
    playthrough = services.playthrough(db_session(), course(), attempt)
    result = services.result_of(playthrough, attempt)
    lang = _lang()
    scenario = playthrough.scenario
    exchanges = transcript(playthrough, lang, result, services.shown_orders(db_session(), attempt))
    module = course().module_of_roleplay(scenario.id)
    tags = attempt.tags or {}
    return render_template(
        "coursekit/roleplay/review.html",
        attempt=attempt,
        scenario=scenario,
        result=result,
        ending=scenario.node(playthrough.node_id).say.get(lang),
        exchanges=exchanges,
        dimensions=dimension_rows(result),
        chart=chart(playthrough, costly=[ex.number for ex in exchanges if ex.costly]),
        expectations=[
            (e, e.id in playthrough.state.revealed, tags.get(e.id))
            for e in scenario.spec.expectations
        ],
        band_label=BAND_LABELS[result.band],
        kind_labels=KIND_LABELS,
        dimension_labels=DIMENSION_LABELS,
        module=module,
        next_module=course().next_module(module.id) if module and result.passed else None,
    )
