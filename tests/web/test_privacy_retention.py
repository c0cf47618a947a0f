"""Personal data, continued: retention of idle trainee accounts (dry run, apply, staff never
touched), `flask coursekit erase-user`, and a table added later being exported and erased
without anyone listing it."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import JSON, Column, ForeignKey, Integer, MetaData, String, Table, Text, update

from coursekit.auth.models import User
from coursekit.db import Base
from coursekit.learn.models import CheckAttempt, LessonProgress
from coursekit.privacy import services as privacy
from coursekit.privacy import walk
from coursekit.roleplay.models import RoleplayAttempt
from tests.conftest import MINI_CONTENT
from tests.web.test_certificates import finish
from tests.web.test_privacy import certificate, engine_of, where_found

LONG_AGO = datetime.now(UTC) - timedelta(days=100)


@pytest.fixture
def retention_app(make_app) -> Flask:  # type: ignore[no-untyped-def]
    return make_app(COURSEKIT_CONTENT_DIR=str(MINI_CONTENT), COURSEKIT_RETENTION_INACTIVE_DAYS=30)


def backdate(app: Flask, user_id: int, when: datetime) -> None:
    """Move the account's creation and all its activity back to `when`."""
    with engine_of(app).begin() as conn:
        conn.execute(update(User).where(User.id == user_id).values(created_at=when))
        conn.execute(
            update(LessonProgress)
            .where(LessonProgress.user_id == user_id)
            .values(first_opened_at=when, last_opened_at=when, completed_at=when)
        )
        conn.execute(
            update(CheckAttempt).where(CheckAttempt.user_id == user_id).values(created_at=when)
        )
        conn.execute(
            update(RoleplayAttempt)
            .where(RoleplayAttempt.user_id == user_id)
            .values(started_at=when, updated_at=when, finished_at=when)
        )


def cli(app: Flask, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["coursekit", *args], input=input)


def test_retention_lists_then_erases_idle_trainees_only(retention_app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    app = retention_app
    never = make_user(email="never@example.com", name="Never Started", target=app)
    backdate(app, never.id, LONG_AGO)
    lapsed = make_user(email="lapsed@example.com", name="Lapsed Learner", target=app)
    finish(app, lapsed.id)
    backdate(app, lapsed.id, LONG_AGO - timedelta(days=10))
    busy = make_user(email="busy@example.com", name="Busy Bee", target=app)
    backdate(app, busy.id, LONG_AGO)
    finish(app, busy.id)  # old account, active today
    make_user(email="newcomer@example.com", name="New Comer", target=app)
    for role in ("instructor", "admin"):
        staff = make_user(email=f"{role}@example.com", name=f"Old {role}", role=role, target=app)
        backdate(app, staff.id, LONG_AGO)

    dry = cli(app, "retention")
    assert dry.exit_code == 0, dry.output
    listed = [line.split("\t")[0] for line in dry.output.splitlines() if "\t" in line]
    assert listed == ["lapsed@example.com", "never@example.com"]  # longest idle first
    assert "2 trainee accounts idle for more than 30 days (dry run" in dry.output
    assert where_found(engine_of(app), "lapsed@example.com", "never@example.com")  # untouched

    applied = cli(app, "retention", "--apply")
    assert applied.exit_code == 0, applied.output
    assert "erased 2 trainee accounts idle for more than 30 days (certificates: revoke)" in (
        applied.output
    )
    assert where_found(engine_of(app), "lapsed@example.com", "Lapsed Learner", "Never Started") == (
        set()
    )
    assert certificate(app, lapsed.id).revoked_at is not None
    assert certificate(app, busy.id).revoked_at is None
    for kept in ("busy@example.com", "newcomer@example.com", "Old instructor", "Old admin"):
        assert where_found(engine_of(app), kept), kept
    assert "0 trainee accounts idle" in cli(app, "retention").output  # erased ones stay out


def test_retention_without_a_period_keeps_everyone(mini_app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    old = make_user(email="old@example.com", target=mini_app)
    backdate(mini_app, old.id, LONG_AGO)
    result = cli(mini_app, "retention", "--apply")
    assert result.exit_code == 0 and "accounts are kept forever" in result.output
    assert where_found(engine_of(mini_app), "old@example.com")


def test_erase_user_asks_first_and_refuses_staff(mini_app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(email="wei@example.com", name="张伟", target=mini_app)
    make_user(email="wang@example.com", role="instructor", target=mini_app)
    declined = cli(mini_app, "erase-user", "wei@example.com", input="n\n")
    assert declined.exit_code == 1 and "Erase wei@example.com (张伟) for good?" in declined.output
    assert where_found(engine_of(mini_app), "wei@example.com")
    unknown = cli(mini_app, "erase-user", "nobody@example.com", "--yes")
    assert unknown.exit_code == 1 and "no account with the email" in unknown.output
    staff = cli(mini_app, "erase-user", "wang@example.com", "--yes")
    assert staff.exit_code == 1 and "only a trainee's account can be erased" in staff.output
    confirmed = cli(mini_app, "erase-user", "WEI@example.com", input="y\n")
    assert confirmed.exit_code == 0 and "erased user" in confirmed.output
    assert where_found(engine_of(mini_app), "wei@example.com", "张伟") == set()
    again = cli(mini_app, "erase-user", "wei@example.com", "--yes")
    assert again.exit_code == 1 and "no account" in again.output


def test_a_table_added_later_is_exported_and_scrubbed_without_being_listed(
    mini_app: Flask, make_user
) -> None:  # type: ignore[no-untyped-def]
    wei = make_user(email="wei@example.com", name="张伟", target=mini_app)
    other = make_user(email="olga@example.com", name="Olga", target=mini_app)
    meta = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(meta)
    notes = Table(
        "coursekit_test_notes",
        meta,
        Column("id", Integer, primary_key=True),
        Column("user_id", ForeignKey("coursekit_users.id")),
        Column("note", Text),
        Column("extra", JSON),
    )
    tags = Table(
        "coursekit_test_note_tags",
        meta,
        Column("id", Integer, primary_key=True),
        Column("note_id", ForeignKey("coursekit_test_notes.id")),
        Column("tag", String(100)),
    )
    engine = engine_of(mini_app)
    meta.create_all(engine, tables=[notes, tags])
    try:
        with engine.begin() as conn:
            conn.execute(
                notes.insert(),
                [
                    {
                        "id": 1,
                        "user_id": wei.id,
                        "note": "Call 张伟: WEI@example.com",
                        "extra": {"a": ["张伟"]},
                    },
                    {"id": 2, "user_id": other.id, "note": "Olga's note", "extra": None},
                ],
            )
            conn.execute(
                tags.insert(), [{"note_id": 1, "tag": "vip 张伟"}, {"note_id": 2, "tag": "x"}]
            )
        assert {"coursekit_test_notes"} <= walk.referencing_tables(meta)

        session = mini_app.extensions["coursekit"].db.sessionmaker()
        try:
            data = privacy.export(session, wei.id, metadata=meta)
            assert [n["note"] for n in data["tables"]["coursekit_test_notes"]] == [
                "Call 张伟: WEI@example.com"
            ]
            assert [t["tag"] for t in data["tables"]["coursekit_test_note_tags"]] == ["vip 张伟"]
            texts = privacy.ErasureTexts(name="Deleted trainee", reason="account deleted")
            report = privacy.erase(
                session, wei.id, actor_id=None, via="test", texts=texts, metadata=meta
            )
        finally:
            session.close()
        assert report.scrubbed == {"coursekit_test_notes": 1, "coursekit_test_note_tags": 1}
        with engine.connect() as conn:
            rows = conn.execute(notes.select().order_by(notes.c.id)).all()
            assert [(r.note, r.extra) for r in rows] == [
                ("Call Deleted trainee: Deleted trainee", {"a": ["Deleted trainee"]}),
                ("Olga's note", None),
            ]
            assert [r.tag for r in conn.execute(tags.select().order_by(tags.c.id))] == [
                "vip Deleted trainee",
                "x",
            ]
    finally:
        # The shared PostgreSQL database outlives the test: leave no table behind.
        meta.drop_all(engine, tables=[tags, notes])
