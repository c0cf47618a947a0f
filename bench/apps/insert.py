"""Baseline 3: one row inserted per POST (Flask + SQLAlchemy), for the write benchmarks."""

from common import BenchItem, make_engine
from flask import Flask, g, request
from sqlalchemy.orm import Session, sessionmaker

app = Flask(__name__)
Sessions = sessionmaker(make_engine())


def db() -> Session:
    if "db" not in g:
        g.db = Sessions()
    return g.db


@app.teardown_appcontext
def close_db(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


@app.post("/items")
def insert():  # type: ignore[no-untyped-def]
    session = db()
    session.add(BenchItem(value=request.form.get("value", "")[:200]))
    session.commit()
    return "", 201


@app.get("/")
def health():  # type: ignore[no-untyped-def]
    return "ok"
