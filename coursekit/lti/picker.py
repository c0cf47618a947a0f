"""Deep linking, the instructor's side: pick what the LMS link opens, send the signed answer."""

import logging

from flask import Blueprint, Response, make_response, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..auth.identity import current_learner, login_required
from ..state import course, db_session
from ..web import refuse
from . import registrations
from .deep_linking import choices, content_item, response_token
from .forms import DeepLinkForm
from .keys import current_key
from .policy import content_policy

log = logging.getLogger("coursekit.lti")
bp = Blueprint("lti_picker", __name__, url_prefix="/lti")

DEEP_LINK_KEY = "ck_lti_deep_link"  # the verified deep-linking request being answered


def _label(kind: str, title: str) -> str:
    if kind == "check":
        return _("Knowledge check: %(title)s", title=title)
    if kind == "roleplay":
        return _("Role-play: %(title)s", title=title)
    if kind == "module":
        return _("Lesson: %(title)s", title=title)
    return title


@bp.route("/deep-link", methods=["GET", "POST"])
@login_required
def pick() -> Response | tuple[str, int]:
    """The instructor picks what to place in the LMS (or cancels); the answer, signed with
    the tool's key, goes back to the LMS's return URL."""
    pending = session.get(DEEP_LINK_KEY)
    learner = current_learner()
    if not pending or learner is None or not learner.is_instructor:
        raise refuse(400, _("No request from your LMS is waiting: add the activity again there."))
    options = choices(course(), str(get_locale()))
    labels = {option.target: _label(option.kind, option.title) for option in options}
    form = DeepLinkForm()
    form.target.choices = list(labels.items())
    # CSRF is checked for every POST before this view runs (web.py), cancel included.
    cancelled = request.method == "POST" and bool(form.cancel.data)
    if not (cancelled or form.validate_on_submit()):
        status = 422 if form.errors else 200
        page = render_template("coursekit/lti/pick.html", form=form, options=options, labels=labels)
        return page, status
    try:
        platform = registrations.get(db_session(), pending["platform_id"])
    except registrations.UnknownPlatform as error:
        raise refuse(400, _("Your LMS is no longer registered here.")) from error
    chosen = [] if cancelled else [o for o in options if o.target == form.target.data]
    launch_url = url_for("coursekit.lti.launch", _external=True)
    items = [content_item(o, launch_url, labels[o.target]) for o in chosen]
    token = response_token(
        key=current_key(db_session()),
        client_id=platform.client_id,
        issuer=platform.issuer,
        deployment_id=pending["deployment_id"],
        items=items,
        data=pending.get("data"),
    )
    session.pop(DEEP_LINK_KEY, None)
    log.info(
        "LTI deep linking: user %d placed %s in %s",
        learner.id,
        [o.target for o in chosen],
        platform.issuer,
    )
    page = render_template(
        "coursekit/lti/return.html", return_url=pending["return_url"], jwt=token, items=items
    )
    response = make_response(page)
    # The page's form posts to the LMS: the policy allows that one more destination.
    response.headers["Content-Security-Policy"] = content_policy(
        form_action=registrations.origin(pending["return_url"])
    )
    return response
