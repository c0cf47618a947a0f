"""Baseline 3: one row inserted per POST (Flask + SQLAlchemy), for the write benchmarks."""

from common import BenchItem, request_sessions
from flask import Flask, request

app = Flask(__name__)
db = request_sessions(app)


@app.post("/items")
def insert():  # type: ignore[no-untyped-def]
    session = db()
    session.add(BenchItem(value=request.form.get("value", "")[:200]))
    session.commit()
    return "", 201


@app.get("/")
def health():  # type: ignore[no-untyped-def]
    return "ok"
