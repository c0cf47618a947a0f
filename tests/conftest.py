"""Fixtures: a real database per test (a SQLite file, or the PostgreSQL that
COURSEKIT_DATABASE_URL names), an app from create_app, clients and factories."""

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from coursekit import create_app
from coursekit.db import make_engine
from coursekit.migrate import upgrade
from coursekit.models import Base

ROOT = Path(__file__).resolve().parent.parent
MINI_CONTENT = ROOT / "tests" / "fixtures" / "mini"
SECRET = "test-secret-key-that-is-long-enough-for-production-0123456789"
# Seals the tool's LTI private keys in every test app, as production requires.
KEY_ENCRYPTION_KEY = "mXvKpD1rBxl7vQ8Jc0m3bR2yTzNwq5Hs6eUaYfLgC9o="
PASSWORD = "correct horse battery"
POSTGRES_URL = os.environ.get("COURSEKIT_DATABASE_URL", "")


def pytest_report_header() -> str:
    return f"coursekit database: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite files'}"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per run: a SQLite file to copy per test, or the PostgreSQL database."""
    if POSTGRES_URL:
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as conn:  # start from nothing: earlier runs may have left tables
            # Every coursekit_ table, ours or one a test made, with what depends on it.
            leftovers = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
            for table in [t for t in leftovers if t.startswith("coursekit_")]:
                conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
        upgrade(engine)
        engine.dispose()
        return POSTGRES_URL
    path = tmp_path_factory.mktemp("template") / "coursekit.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return str(path)


def fresh_database(migrated_template: str, directory: Path) -> str:
    """An empty migrated database: a copy of the template file in `directory`, or the
    PostgreSQL database emptied (for fixtures of a wider scope than one test)."""
    if POSTGRES_URL:
        engine = create_engine(POSTGRES_URL)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            conn.execute(
                text(
                    "INSERT INTO coursekit_organisations (id, slug, name, created_at) "
                    "VALUES (1, 'default', 'Default organisation', now())"
                )
            )
        engine.dispose()
        return POSTGRES_URL
    path = directory / "coursekit.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> str:
    return fresh_database(migrated_template, tmp_path)


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build apps on the test's database; settings override the test defaults."""
    apps: list[Flask] = []

    def factory(**settings: object) -> Flask:
        config = {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "COURSEKIT_KEY_ENCRYPTION_KEYS": [KEY_ENCRYPTION_KEY],
            "COURSEKIT_DATABASE_URL": database_url,
            **settings,
        }
        app = create_app(config)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.extensions["coursekit"].db.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def mini_app(make_app: Callable[..., Flask]) -> Flask:
    """An app on the small test course (two modules, every question type)."""
    return make_app(COURSEKIT_CONTENT_DIR=str(MINI_CONTENT))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db(app: Flask):  # type: ignore[no-untyped-def]
    session = app.extensions["coursekit"].db.sessionmaker()
    yield session
    session.close()


@pytest.fixture
def make_user(request: pytest.FixtureRequest) -> Callable[..., object]:
    """Create an account through the real service: make_user(email=..., role=...)."""
    from coursekit.auth import services
    from coursekit.auth.models import Role

    counter = iter(range(1, 10_000))

    def factory(
        email: str | None = None,
        name: str = "Test Trainee",
        role: str = "trainee",
        password: str = PASSWORD,
        target: Flask | None = None,
    ):  # type: ignore[no-untyped-def]
        # The shipped-course app is only built when no other app is named.
        state = (target or request.getfixturevalue("app")).extensions["coursekit"]
        session = state.db.sessionmaker()
        try:
            return services.register(
                session,
                email=email or f"user{next(counter)}@example.com",
                name=name,
                password=password,
                role=Role(role),
            )
        finally:
            session.close()

    return factory


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def post_form(
    client: FlaskClient,
    page: str,
    url: str | None = None,
    data: dict | None = None,
    **kwargs: object,
):  # type: ignore[no-untyped-def]
    """GET `page`, take its CSRF token, POST `data` to `url` (default: the same page)."""
    html = client.get(page).get_data(as_text=True)
    payload = {"csrf_token": csrf_from(html), **(data or {})}
    return client.post(url or page, data=payload, **kwargs)


def login(client: FlaskClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    response = post_form(client, "/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def mini_client(mini_app: Flask) -> FlaskClient:
    return mini_app.test_client()


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls at the same moment on separate threads (a double-click from two
    connections) and return their results, in the order given."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def submitter(
    client: FlaskClient, url: str, data: dict, header: str | None = None
) -> Callable[[], object]:
    """A POST to run later (with race): returns the status code, or the named header."""

    def post() -> object:
        response = client.post(url, data=data)
        return response.headers[header] if header else response.status_code

    return post
