"""The erasure confirmation (Flask-WTF: CSRF checked)."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..forms import Form


class EraseForm(Form):
    confirm_email = StringField(
        _l("Type the account's email to confirm"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
