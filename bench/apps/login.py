"""Baseline 2: a minimal Flask-Login-protected page that reads its user by primary key."""

import os

from common import ITEMS, BenchUser, request_sessions
from flask import Flask, render_template
from flask_login import LoginManager, current_user, login_required, login_user

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("BENCH_SECRET_KEY", "baseline-secret-key-for-benchmarks")
login_manager = LoginManager(app)
db = request_sessions(app)


class LoginUser:
    """Flask-Login's view of a BenchUser row."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, row: BenchUser):
        self.id, self.name = row.id, row.name

    def get_id(self) -> str:
        return str(self.id)


@login_manager.user_loader
def load_user(user_id: str) -> LoginUser | None:
    row = db().get(BenchUser, int(user_id))  # the one primary-key read
    return LoginUser(row) if row is not None else None


@app.post("/login/<int:user_id>")
def login(user_id: int):  # type: ignore[no-untyped-def]
    user = load_user(str(user_id))
    if user is None:
        return "no such user", 404
    login_user(user)
    return "", 204


@app.get("/")
@login_required
def page():  # type: ignore[no-untyped-def]
    return render_template("page.html", title="Login-protected", items=ITEMS, user=current_user)
