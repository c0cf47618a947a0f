"""What the baseline apps share: their database (BENCH_DATABASE_URL), their tables and the
per-request session."""

import os
from collections.abc import Callable

from flask import Flask, g
from sqlalchemy import Engine, String, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

ITEMS = [f"Paragraph {n} of a short page" for n in range(10)]


class Base(DeclarativeBase):
    pass


class BenchUser(Base):
    __tablename__ = "bench_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class BenchItem(Base):
    __tablename__ = "bench_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


def make_engine(url: str | None = None) -> Engine:
    """A plain engine; SQLite in WAL with a busy timeout, as any sane deployment would set."""
    url = url or os.environ["BENCH_DATABASE_URL"]
    if not url.startswith("sqlite"):
        return create_engine(url)
    engine = create_engine(url, connect_args={"timeout": 15})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    return engine


def create_tables(url: str, users: int) -> None:
    """Fresh tables with `users` users (ids 1..users); called by the benchmark, not the app."""
    engine = make_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        Base.metadata.create_all(conn)
        if users:
            conn.execute(
                BenchUser.__table__.insert(),
                [{"id": n, "name": f"Trainee {n}"} for n in range(1, users + 1)],
            )
    engine.dispose()


def request_sessions(app: Flask) -> Callable[[], Session]:
    """The usual Flask + SQLAlchemy wiring: `db()` opens the request's session on first use,
    and the end of the request closes it."""
    sessions = sessionmaker(make_engine())

    def db() -> Session:
        if "db" not in g:
            g.db = sessions()
        return g.db

    @app.teardown_appcontext
    def close_db(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()

    return db
