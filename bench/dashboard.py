"""Instructor dashboard and CSV export at scale: a cohort of 2,000 trainees with 50,000
attempts (35,000 knowledge checks, 15,000 role-plays with their steps).

Run: .venv/bin/python bench/dashboard.py [--database-url URL]   (default: a new SQLite file)
Baseline in the same run: a bare Flask page rendering a Jinja template, so the ratio can be
compared across machines. The data are inserted in bulk (this measures reading, not writing).
"""

import argparse
import random
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, render_template_string
from sqlalchemy import insert
from timing import median_ms

from coursekit import create_app
from coursekit.auth.models import User
from coursekit.auth.passwords import hash_password
from coursekit.cohorts.models import Cohort, CohortInstructor, CohortMember
from coursekit.db import make_engine
from coursekit.domain.quiz import answers_to_json, correct_answers
from coursekit.domain.roleplay import replay, score
from coursekit.domain.roleplay.validate import all_paths
from coursekit.learn.models import CheckAttempt, LessonProgress
from coursekit.migrate import upgrade
from coursekit.models import Base
from coursekit.roleplay.models import RoleplayAttempt, RoleplayStep

TRAINEES, CHECKS, ROLEPLAYS = 2000, 35_000, 15_000
PASSWORD = "bench-password-123"


def populate(app: Flask) -> int:
    state = app.extensions["coursekit"]
    course, engine = state.course, state.db.engine
    rng = random.Random(7)
    now = datetime.now(UTC)
    hashed = hash_password(PASSWORD)
    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [
                {
                    "id": 1,
                    "email": "trainer@example.com",
                    "name": "Trainer",
                    "password_hash": hashed,
                    "role": "instructor",
                    "organisation_id": 1,
                    "session_version": 1,
                    "created_at": now,
                }
            ]
            + [
                {
                    "id": 100 + i,
                    "email": f"t{i}@example.com",
                    "name": f"学员 {i:04d}",
                    "password_hash": None,
                    "role": "trainee",
                    "organisation_id": 1,
                    "session_version": 1,
                    "created_at": now,
                }
                for i in range(TRAINEES)
            ],
        )
        conn.execute(
            insert(Cohort),
            [
                {
                    "id": 1,
                    "organisation_id": 1,
                    "course_id": course.id,
                    "name": "Big cohort",
                    "join_code": "BENCH2",
                    "created_by": 1,
                    "created_at": now,
                }
            ],
        )
        conn.execute(insert(CohortInstructor), [{"cohort_id": 1, "user_id": 1}])
        conn.execute(
            insert(CohortMember),
            [
                {"cohort_id": 1, "user_id": 100 + i, "joined_at": now - timedelta(days=30)}
                for i in range(TRAINEES)
            ],
        )
        conn.execute(
            insert(LessonProgress),
            [
                {
                    "user_id": 100 + i,
                    "course_id": course.id,
                    "module_id": m.id,
                    "first_opened_at": now,
                    "last_opened_at": now - timedelta(days=rng.randint(0, 20)),
                    "completed_at": now,
                }
                for i in range(TRAINEES)
                for m in course.modules[: rng.randint(0, len(course.modules))]
            ],
        )
        modules = course.modules
        checks = []
        for n in range(CHECKS):
            module = modules[n % len(modules)]
            answers = correct_answers(module.check)
            for q in module.check.questions:  # each question wrong a third of the time
                if rng.random() < 0.33 and q.type == "single":
                    answers[q.id] = next(o.id for o in q.options if not o.correct)
            checks.append(
                {
                    "user_id": 100 + rng.randrange(TRAINEES),
                    "course_id": course.id,
                    "module_id": module.id,
                    "course_hash": course.hash,
                    "check_hash": module.check.hash,
                    "seed": n,
                    "nonce": f"n{n}",
                    "answers": answers_to_json(answers),
                    "score": rng.uniform(20, 100),
                    "passed": rng.random() < 0.6,
                    "created_at": now - timedelta(minutes=n),
                }
            )
        for start in range(0, len(checks), 5000):
            conn.execute(insert(CheckAttempt), checks[start : start + 5000])
        paths = {rid: list(all_paths(s.spec))[:300] for rid, s in course.roleplays.items()}
        scenario_ids = sorted(paths)
        attempts, steps = [], []
        for n in range(ROLEPLAYS):
            rid = scenario_ids[n % len(scenario_ids)]
            path = rng.choice(paths[rid])
            result = score(replay(course.roleplays[rid], path))
            attempts.append(
                {
                    "id": n + 1,
                    "user_id": 100 + rng.randrange(TRAINEES),
                    "course_id": course.id,
                    "scenario_id": rid,
                    "scenario_hash": course.roleplays[rid].hash,
                    "status": "finished",
                    "node_id": "end",
                    "path": list(path),
                    "started_at": now,
                    "updated_at": now,
                    "finished_at": now,
                    "score": result.score,
                    "passed": result.passed,
                    "band": result.band,
                    "dimensions": {d: s.score for d, s in result.dimensions.items()},
                }
            )
            play = replay(course.roleplays[rid], path)
            steps += [
                {
                    "attempt_id": n + 1,
                    "position": s.index,
                    "node_id": s.node_id,
                    "choice_id": s.choice.id,
                    "created_at": now,
                }
                for s in play.steps
            ]
        for start in range(0, len(attempts), 5000):
            conn.execute(insert(RoleplayAttempt), attempts[start : start + 5000])
        for start in range(0, len(steps), 10000):
            conn.execute(insert(RoleplayStep), steps[start : start + 10000])
    return len(steps)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--profile", action="store_true", help="print where the dashboard's time goes"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp())
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    engine = make_engine(url)
    if not url.startswith("sqlite"):
        with engine.begin() as conn:
            Base.metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS coursekit_alembic_version")
    upgrade(engine)
    engine.dispose()
    app = create_app(
        {"SECRET_KEY": "b" * 40, "COURSEKIT_DATABASE_URL": url, "WTF_CSRF_ENABLED": False}
    )
    t0 = time.perf_counter()
    n_steps = populate(app)
    print(
        f"database: {url.split('://')[0]}; populated {TRAINEES} trainees, {CHECKS} checks, "
        f"{ROLEPLAYS} role-plays, {n_steps} steps in {time.perf_counter() - t0:.1f} s"
    )

    client = app.test_client()
    client.post("/login", data={"email": "trainer@example.com", "password": PASSWORD})
    assert client.get("/cohorts/1").status_code == 200  # warm up (and check it works)

    bare = Flask("bare")

    @bare.get("/")
    def page() -> str:
        return render_template_string(
            "<html><body><h1>{{ title }}</h1></body></html>", title="hello"
        )

    bare_client = bare.test_client()
    baseline = median_ms(lambda: bare_client.get("/"), 200)
    dashboard = median_ms(lambda: client.get("/cohorts/1"), args.repeat)
    if args.profile:
        import cProfile
        import pstats

        cProfile.runctx("client.get('/cohorts/1')", globals(), {"client": client}, "/tmp/dash.prof")
        pstats.Stats("/tmp/dash.prof").sort_stats("tottime").print_stats(30)
    print(f"bare Flask page:      median {baseline:8.2f} ms")
    print(f"cohort dashboard:     median {dashboard:8.1f} ms  ({dashboard / baseline:.0f} x bare)")

    for kind in ("matrix", "attempts"):

        def export(kind: str = kind) -> int:
            response = client.get(f"/cohorts/1/export/{kind}.csv", buffered=False)
            size = sum(len(chunk) for chunk in response.response)
            response.close()
            return size

        elapsed = median_ms(export, 3)  # timed without tracemalloc, which slows Python down
        tracemalloc.start()
        size = export()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"export {kind + '.csv':<14} median {elapsed:8.0f} ms, {size / 1e6:6.1f} MB, "
            f"peak Python memory {peak / 1e6:6.1f} MB"
        )


if __name__ == "__main__":
    main()
