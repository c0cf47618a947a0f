"""LTI forms (Flask-WTF: each carries a CSRF token)."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, SubmitField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class DeepLinkForm(Form):
    target = RadioField(_l("What to add"), validators=[DataRequired()], choices=[])
    submit = SubmitField(_l("Add to the LMS"))
    cancel = SubmitField(_l("Cancel"))


class PlatformForm(Form):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)], filters=[_strip])
    issuer = URLField(
        _l("Issuer (platform ID)"), validators=[DataRequired(), Length(max=255)], filters=[_strip]
    )
    client_id = StringField(
        _l("Client ID"), validators=[DataRequired(), Length(max=255)], filters=[_strip]
    )
    deployment_ids = TextAreaField(
        _l("Deployment IDs (one per line)"), validators=[Optional()], filters=[_strip]
    )
    auth_login_url = URLField(
        _l("Authentication request URL"),
        validators=[DataRequired(), Length(max=500)],
        filters=[_strip],
    )
    token_url = URLField(
        _l("Access token URL"), validators=[DataRequired(), Length(max=500)], filters=[_strip]
    )
    token_audience = StringField(
        _l("Token audience (if the LMS names one)"),
        validators=[Optional(), Length(max=500)],
        filters=[_strip],
    )
    jwks_url = URLField(
        _l("Public keyset URL"), validators=[DataRequired(), Length(max=500)], filters=[_strip]
    )
    frame_origins = StringField(
        _l("Other addresses of the LMS that show CourseKit in a frame"),
        validators=[Optional(), Length(max=1000)],
        filters=[_strip],
    )


class DeploymentForm(Form):
    deployment_id = StringField(
        _l("Deployment ID"), validators=[DataRequired(), Length(max=255)], filters=[_strip]
    )


class ActionForm(Form):
    """A button that changes something: only its CSRF token is checked."""
