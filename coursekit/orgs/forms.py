"""The organisation branding form (Flask-WTF: CSRF included)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileSize
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional, Regexp

from ..forms import Form
from .branding import ACCENT, MAX_LOGO_BYTES


class BrandingForm(Form):
    certificate_issuer = StringField(
        _l("Issuer printed on certificates"), validators=[Optional(), Length(max=200)]
    )
    certificate_accent = StringField(
        _l("Accent colour"),
        validators=[
            Optional(),
            Regexp(ACCENT.pattern, message=_l("Write the colour as # and six hex digits.")),
        ],
        render_kw={"placeholder": "#0b5cad", "autocomplete": "off", "spellcheck": "false"},
    )
    certificate_signatory = StringField(_l("Signatory"), validators=[Optional(), Length(max=200)])
    certificate_signatory_role = StringField(
        _l("Signatory's title"), validators=[Optional(), Length(max=200)]
    )
    logo_file = FileField(
        _l("Logo (PNG or JPEG, up to 1 MB)"),
        validators=[FileSize(MAX_LOGO_BYTES, message=_l("The logo is larger than 1 MB."))],
        render_kw={"accept": "image/png,image/jpeg"},
    )
    remove_logo = BooleanField(_l("Remove the current logo"))
