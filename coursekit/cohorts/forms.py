"""Cohort forms (Flask-WTF: CSRF on every one)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form


class CohortForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    co_instructors = TextAreaField(
        _l("Co-instructors (their emails, one per line)"), validators=[Length(max=5000)]
    )

    def co_instructor_emails(self) -> list[str]:
        text = (self.co_instructors.data or "").replace(",", "\n").replace(";", "\n")
        return [line.strip() for line in text.splitlines() if line.strip()]


class RosterForm(Form):
    roster = FileField(
        _l("CSV file with a name and an email on each line"), validators=[FileRequired()]
    )


class JoinForm(Form):
    code = StringField(
        _l("Cohort code"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
