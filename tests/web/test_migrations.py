"""Every migration goes down and up again with data in the tables, on SQLite and on
PostgreSQL, and the models match the migrated schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import func, inspect, select

from coursekit import migrate
from coursekit.auth.models import User
from coursekit.certificates.models import Certificate
from coursekit.db import Base
from tests.web.test_certificates import finish


def revisions(engine) -> list[str]:  # type: ignore[no-untyped-def]
    script = ScriptDirectory.from_config(migrate.alembic_config(engine))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def populate(app: Flask, make_user, tag: str) -> None:  # type: ignore[no-untyped-def]
    for n, name in enumerate(("张伟", "Zoë Ñúñez")):
        user = make_user(email=f"{tag}{n}@example.com", name=name, target=app)
        finish(app, user.id)


def count(app: Flask, model) -> int:  # type: ignore[no-untyped-def]
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        session.close()


def test_each_migration_goes_down_and_up_with_data(mini_app: Flask, make_user) -> None:
    engine = mini_app.extensions["coursekit"].db.engine
    steps = revisions(engine)
    populate(mini_app, make_user, "before")
    try:
        # Down one step at a time from the newest, with the data in place: the users (in the
        # first migration) survive every step until the last.
        for previous in reversed(["base", *steps[:-1]]):
            migrate.downgrade(engine, previous)
            if previous != "base":
                assert count(mini_app, User) == 2, previous
        assert set(inspect(engine).get_table_names()) <= {"coursekit_alembic_version"}
        # Up one step at a time, each step also undone and redone.
        for index, revision in enumerate(steps):
            migrate.upgrade(engine, revision)
            migrate.downgrade(engine, steps[index - 1] if index else "base")
            migrate.upgrade(engine, revision)
    finally:
        migrate.upgrade(engine, "head")
    populate(mini_app, make_user, "after")
    assert count(mini_app, Certificate) == 2


def test_the_models_match_the_migrations(app: Flask) -> None:
    engine = app.extensions["coursekit"].db.engine
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": "coursekit_alembic_version"}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
