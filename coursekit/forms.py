"""The base of every CourseKit form: Flask-WTF (CSRF included), reading only what a browser's
form submission can carry."""

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms.fields import FileField

SUBMIT_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class Form(FlaskForm):
    """Uploads reach file fields only and text reaches the other fields only; a JSON body is
    not a form. Flask-WTF would hand a file posted under a text field's name to validators
    that expect text, and turn a JSON body into form data whatever its shape: both crashed
    (a 500) where the user should see the form again with its errors."""

    class Meta:
        def wrap_formdata(self, form: FlaskForm, formdata: Any) -> Any:
            if formdata is None or hasattr(formdata, "getlist"):
                return formdata  # given explicitly by the caller
            if request.method not in SUBMIT_METHODS:
                return None
            uploads = {field.name for field in form if isinstance(field, FileField)}
            files = MultiDict([(k, v) for k, v in request.files.items(multi=True) if k in uploads])
            text = MultiDict(
                [(k, v) for k, v in request.form.items(multi=True) if k not in uploads]
            )
            return CombinedMultiDict([files, text]) if files or text else None
