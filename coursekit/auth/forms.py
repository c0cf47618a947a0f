"""Account forms (Flask-WTF: every one carries a CSRF token)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..forms import Form


def _strip(value: str | None) -> str | None:
    # Phone keyboards and autofill like to add a trailing space.
    return value.strip() if isinstance(value, str) else value


class RegisterForm(Form):
    name = StringField(
        _l("Your name (as it should appear on your certificate)"),
        validators=[DataRequired(), Length(max=200)],
        filters=[_strip],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[_strip],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "new-password"}
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Email()],
        filters=[_strip],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"), validators=[DataRequired()], render_kw={"autocomplete": "new-password"}
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
