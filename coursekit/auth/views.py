"""Register, log in, log out and change password: thin adapters over auth.services."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from ..i18n import SESSION_KEY
from ..security import failed, limiter, login_account_key
from ..state import db_session, get_state
from ..web import safe_next_url
from . import services
from .devices import remember_device
from .forms import ChangePasswordForm, LoginForm, RegisterForm
from .identity import current_learner, learner_key, login_required
from .models import User
from .signin import begin_session

bp = Blueprint("auth", __name__)

# Messages from services are English; these are the ones a person sees, translated.
_MESSAGES = {
    "an account with this email already exists": lambda: _(
        "An account with this email already exists. Log in instead?"
    ),
    "current password is wrong": lambda: _("The current password is wrong."),
    "password must not be your email address": lambda: _(
        "The password must not be your email address."
    ),
    "password too long": lambda: _("That password is too long."),
    "name is required": lambda: _("Please enter your name."),
    "the name contains a control character": lambda: _(
        "The name contains a character that cannot be shown."
    ),
    "the name contains a text-direction override": lambda: _(
        "The name contains a text-direction control: type the name as it is written."
    ),
}


def _message(error: services.AuthError) -> str:
    if str(error).startswith("password too short"):
        return _(
            "The password is too short: use at least %(n)d characters.",
            n=current_app.config["COURSEKIT_MIN_PASSWORD_LENGTH"],
        )
    return _MESSAGES.get(str(error), lambda: str(error))()


def _own_login_only() -> None:
    if get_state().host_login:
        abort(404)  # the host app signs people in


def _start_session(user: User, remember: bool) -> None:
    begin_session(user, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["COURSEKIT_REGISTER_LIMIT"], methods=["POST"])
def register():
    _own_login_only()
    if not current_app.config["COURSEKIT_REGISTRATION_OPEN"]:
        abort(404)
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register(
                db_session(),
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                locale=session.get(SESSION_KEY),
                min_password_length=current_app.config["COURSEKIT_MIN_PASSWORD_LENGTH"],
            )
        except services.AuthError as error:
            getattr(form, error.field or "email").errors.append(_message(error))
        else:
            _start_session(user, remember=False)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
            return redirect(safe_next_url() or url_for("coursekit.site.index"))
    status = 422 if form.errors else 200
    return render_template("coursekit/auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
# Per address only failures count: a room logging in together is not slowed, a script
# trying many accounts is.
@limiter.limit(
    lambda: current_app.config["COURSEKIT_LOGIN_LIMIT"], methods=["POST"], deduct_when=failed
)
@limiter.limit(
    lambda: current_app.config["COURSEKIT_LOGIN_ACCOUNT_LIMIT"],
    key_func=login_account_key,
    methods=["POST"],
)
def login():
    _own_login_only()
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db_session(), form.email.data, form.password.data)
        if user is not None:
            _start_session(user, remember=form.remember.data)
            response = redirect(safe_next_url() or url_for("coursekit.site.index"))
            remember_device(response, user.email)
            return response
        form.password.errors.append(_("The email or password is wrong."))
    status = 422 if form.errors else 200
    return render_template("coursekit/auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    _own_login_only()
    learner = current_learner()
    if learner is not None:  # end this sign-in on the server: a copied cookie stops working
        services.end_sign_in(db_session(), learner)
    _end_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("coursekit.site.index"))


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    _own_login_only()
    learner = current_learner()
    assert learner is not None
    services.sign_out_everywhere(db_session(), learner.id)
    _end_session()
    flash(_("You are signed out on every device, this one included."), "info")
    return redirect(url_for("coursekit.site.index"))


def _end_session() -> None:
    logout_user()  # also drops the remember-me cookie
    lang = session.get(SESSION_KEY)
    session.clear()
    if lang:
        session[SESSION_KEY] = lang


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(
    lambda: current_app.config["COURSEKIT_PASSWORD_CHANGE_LIMIT"],
    key_func=learner_key,
    methods=["POST"],
    deduct_when=failed,
)
def change_password():
    _own_login_only()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        learner = current_learner()
        assert learner is not None
        try:
            user = services.change_password(
                db_session(),
                learner.id,
                form.current_password.data,
                form.password.data,
                min_password_length=current_app.config["COURSEKIT_MIN_PASSWORD_LENGTH"],
            )
        except services.AuthError as error:
            getattr(form, error.field or "password").errors.append(_message(error))
        else:
            # Re-issue this device's cookie with the new session version; others are out.
            user.sign_in_id = learner.sign_in_id
            login_user(user)
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("coursekit.site.index"))
    status = 422 if form.errors else 200
    return render_template("coursekit/auth/password.html", form=form), status
