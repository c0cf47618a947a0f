"""Baseline 1: a bare Flask page rendering a Jinja template (no session, no database)."""

from common import ITEMS
from flask import Flask, render_template

app = Flask(__name__)


@app.get("/")
def page():  # type: ignore[no-untyped-def]
    return render_template("page.html", title="Bare Flask", items=ITEMS, user=None)
