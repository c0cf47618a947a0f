"""Lessons, knowledge checks and attempts: parse the request, call a service, render."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..auth.identity import current_learner, login_required
from ..domain.content import Module
from ..domain.quiz import AnswerError, answers_from_json, score
from ..state import course, db_session
from ..web import refuse
from . import services
from .presenters import question_views
from .tickets import TicketError, issue_ticket, read_ticket

bp = Blueprint("learn", __name__)

_RESERVED_FIELDS = {"csrf_token", "ticket"}


def _module(module_id: str) -> Module:
    module = course().module(module_id)
    if module is None:
        abort(404)
    return module


def _lang() -> str:
    return str(get_locale())


@bp.get("/modules/<module_id>")
@login_required
def lesson(module_id: str):
    module = _module(module_id)
    learner = current_learner()
    visit = services.lesson_visit(db_session(), learner.id, course(), module)
    if visit.last_opened != module.id:  # re-reading the same lesson needs no write
        services.open_lesson(db_session(), learner.id, course().id, module.id)
    return render_template(
        "coursekit/learn/lesson.html",
        module=module,
        lesson=module.lesson(_lang()),
        visit=visit,
        next_module=course().next_module(module.id),
    )


@bp.post("/modules/<module_id>/done")
@login_required
def lesson_done(module_id: str):
    module = _module(module_id)
    services.complete_lesson(db_session(), current_learner().id, course().id, module.id)
    return redirect(url_for(".check", module_id=module.id), code=303)


def _render_check(module: Module, token: str, seed: int, answers=None, errors=None, status=200):
    learner = current_learner()
    history = services.attempts(db_session(), learner.id, course().id, module.id)
    questions = question_views(module.check, seed, _lang(), answers=answers, errors=errors)
    page = render_template(
        "coursekit/learn/check.html",
        module=module,
        questions=questions,
        ticket=token,
        history=history,
        best=max(history, key=lambda a: a.score) if history else None,
        has_errors=bool(errors),
    )
    return page, status


@bp.get("/modules/<module_id>/check")
@login_required
def check(module_id: str):
    module = _module(module_id)
    token, ticket = issue_ticket(
        current_app.secret_key, current_learner().id, module.id, module.check.hash
    )
    return _render_check(module, token, ticket.seed)


@bp.post("/modules/<module_id>/check")
@login_required
def submit_check(module_id: str):
    module = _module(module_id)
    token = request.form.get("ticket", "")
    try:
        ticket = read_ticket(
            current_app.secret_key, token, current_app.config["COURSEKIT_CHECK_TOKEN_MAX_AGE"]
        )
    except TicketError as exc:
        reopen = (url_for(".check", module_id=module.id), _("Open the check again"))
        if str(exc) == "expired":
            raise refuse(
                400, _("This form has expired. Your answers were not saved."), reopen
            ) from exc
        raise refuse(400, _("This form was altered and cannot be accepted."), reopen) from exc
    form = {k: request.form.getlist(k) for k in request.form if k not in _RESERVED_FIELDS}
    try:
        attempt = services.submit_check(
            db_session(),
            user_id=current_learner().id,
            course=course(),
            module=module,
            ticket=ticket,
            form=form,
        )
    except services.WrongTicket as exc:
        raise refuse(400, _("This form was not issued to you for this check.")) from exc
    except services.AlreadySubmitted as exc:
        link = (url_for(".attempt", attempt_id=exc.attempt_id), _("See your result"))
        raise refuse(409, _("These answers were already submitted once."), link) from exc
    except services.StaleCheck as exc:
        link = (url_for(".check", module_id=module.id), _("Open the updated check"))
        raise refuse(409, _("The questions changed after you opened this check."), link) from exc
    except AnswerError as error:
        if error.invalid:
            detail = "; ".join(f"{k}: {v}" for k, v in error.invalid.items())
            raise refuse(
                400, _("The answers do not match this check (%(detail)s).", detail=detail)
            ) from error
        errors = {qid: _("Please answer this question.") for qid in error.missing}
        return _render_check(module, token, ticket.seed, error.partial, errors, status=422)
    return redirect(url_for(".attempt", attempt_id=attempt.id), code=303)


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    session = db_session()
    try:
        found = services.attempt_for_viewer(session, attempt_id, current_learner())
    except services.AttemptNotFound:
        abort(404)
    module = _module(found.module_id)
    check = services.check_for_attempt(session, module, found)
    answers = answers_from_json(found.answers)
    result = score(check, answers)
    questions = question_views(
        check,
        found.seed,
        _lang(),
        answers=answers,
        results={r.question_id: r for r in result.questions},
    )
    return render_template(
        "coursekit/learn/attempt.html",
        module=module,
        attempt=found,
        check=check,
        questions=questions,
        next_module=course().next_module(module.id),
    )


@bp.get("/continue")
@login_required
def resume():
    progress = services.progress(db_session(), current_learner().id, course())
    step = progress.continue_at
    if step is None:
        return redirect(url_for("coursekit.site.index"))
    if step.kind == "roleplay":
        return redirect(url_for("coursekit.roleplay.intro", scenario_id=step.scenario_id))
    endpoint = ".lesson" if step.kind == "lesson" else ".check"
    return redirect(url_for(endpoint, module_id=step.module_id))
