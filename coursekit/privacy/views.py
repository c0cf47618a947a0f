"""A person's data as JSON (their own, or anyone's for an admin), and the admin's pages to find
a user and erase them."""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

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

from ..auth.identity import current_learner, login_required
from ..auth.models import Role, User
from ..auth.services import normalise_email
from ..state import db_session
from ..web import MAX_ID, refuse
from . import services, settings, walk
from .forms import EraseForm

bp = Blueprint("privacy", __name__)
bp.record_once(lambda state: settings.check(state.app))
log = logging.getLogger("coursekit.privacy")
PAGE_SIZE = 50


def _admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        learner = current_learner()
        if learner is None:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        if not learner.is_admin:
            log.warning("refused %s to user %s: not an admin", request.path, learner.id)
            raise refuse(403, _("Only an admin can see other people's accounts."))
        return view(*args, **kwargs)

    return wrapper


def _download(user_id: int, viewer: User) -> Response:
    try:
        data = services.export(db_session(), user_id)
    except services.PersonNotFound:
        abort(404)
    # Who read whose personal data is worth a line in the log, like an erasure.
    log.info("data of user %s exported by user %s", user_id, viewer.id)
    response = Response(walk.to_json(data), mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="coursekit-data-{user_id}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/account/data.json")
@login_required
def my_data():
    learner = current_learner()
    assert learner is not None
    return _download(learner.id, learner)


@bp.get("/admin/users")
@_admin_only
def people():
    text = request.args.get("q", "")[:200]
    # Past the last page the list is empty; past MAX_ID the offset would overflow the database.
    page = min(max(1, request.args.get("page", 1, type=int) or 1), MAX_ID)
    found, total = services.find_people(db_session(), text, page=page, per_page=PAGE_SIZE)
    return render_template(
        "coursekit/privacy/users.html",
        people=found,
        total=total,
        query=text,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        is_erased=services.is_erased,
    )


def _person(user_id: int) -> User:
    person = db_session().get(User, user_id)
    if person is None:
        abort(404)
    return person


def _person_page(person: User, form: EraseForm, status: int = 200):  # type: ignore[no-untyped-def]
    viewer = current_learner()
    assert viewer is not None
    data = services.export(db_session(), person.id)
    erased = services.is_erased(person.email)
    page = render_template(
        "coursekit/privacy/user.html",
        person=person,
        form=form,
        erased=erased,
        erasable=not erased and person.role == Role.TRAINEE and person.id != viewer.id,
        holdings={name: len(rows) for name, rows in data["tables"].items() if rows},
        certificates_mode=settings.certificate_mode(current_app.config),
    )
    return page, status


@bp.get("/admin/users/<int:user_id>")
@_admin_only
def person(user_id: int):
    return _person_page(_person(user_id), EraseForm())


@bp.get("/admin/users/<int:user_id>/data.json")
@_admin_only
def person_data(user_id: int):
    viewer = current_learner()
    assert viewer is not None
    return _download(user_id, viewer)


@bp.post("/admin/users/<int:user_id>/erase")
@_admin_only
def erase(user_id: int):
    viewer = current_learner()
    assert viewer is not None
    target = _person(user_id)
    form = EraseForm()
    if not form.validate_on_submit():
        log.info("erasure of user %s by %s refused: no confirmation", user_id, viewer.id)
        return _person_page(target, form, 422)
    if normalise_email(form.confirm_email.data or "") != target.email:
        form.confirm_email.errors.append(_("That is not this account's email: nothing was erased."))
        log.info("erasure of user %s by %s refused: wrong confirmation", user_id, viewer.id)
        return _person_page(target, form, 422)
    try:
        services.erase(
            db_session(),
            user_id,
            actor_id=viewer.id,
            via="web",
            texts=settings.erasure_texts(),
            certificates=settings.certificate_mode(current_app.config),
        )
    except services.PersonNotFound:
        abort(404)
    except services.AlreadyErased:
        log.info("erasure of user %s by %s refused: already erased", user_id, viewer.id)
        raise refuse(409, _("This account is already erased.")) from None
    except services.ErasureRefused as error:
        log.warning("erasure of user %s by %s refused: %s", user_id, viewer.id, error)
        raise refuse(
            403,
            _(
                "Only a trainee's account can be erased, and not your own. To erase an "
                "instructor, make the account a trainee first."
            ),
        ) from None
    flash(_("The account is erased: the person can no longer be identified."), "success")
    return redirect(url_for(".person", user_id=user_id), code=303)
