"""A workshop burst: 300 trainees each submit a knowledge check and 6 role-play steps within
one minute, then every submission is looked for in the database.

Run: .venv/bin/python bench/burst.py --db sqlite|postgresql [--trainees 300] [--window 60]
Needs the `bench` extra (locust: bench/setup.sh). Steps:
1. a fresh database (a SQLite file, or the PostgreSQL database `bench`), migrated; the
   trainee accounts are created beforehand through the auth service;
2. CourseKit under gunicorn with the repo's gunicorn.conf.py, as `make serve` runs it
   (production mode, JSON access log; Redis for rate limits in the PostgreSQL run), the
   login limits raised so that 300 trainees may log in from 127.0.0.1 before the burst;
3. each trainee logs in, then (bench/burst_client.py, locust users) at a random moment of the
   first tenth of the window opens the knowledge check of module 4, and at 7 random moments
   of the window's first 90% submits it and takes the six steps of a random 6-step path
   through its role-play ("angry-complaint"), reading each form from the page. With
   --window 0 everyone does it all at once, as fast as the server answers;
4. afterwards, per trainee: one check attempt, one finished conversation and six step rows
   at positions 0-5 on the path that was sent, against what the server acknowledged.
Target (CourseKit issue 7): 0 errors, 0 lost and 0 duplicated writes, and p99 under 100 ms.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from load_kit import (
    PASSWORD,
    Server,
    coursekit_env,
    database_url,
    login_all,
    machine_load,
    servers_running,
    workdir,
)

MODULE = "m04-expectations-and-satisfaction"
SCENARIO = "angry-complaint"
STEPS = 6
WRITES = ("POST check", "POST role-play start", "POST role-play step")


def create_trainees(url: str, count: int) -> list[str]:
    """Migrate, then register the trainees through the auth service (4 at a time: Argon2)."""
    from coursekit import create_app
    from coursekit.auth import services
    from coursekit.migrate import upgrade

    app = create_app({"SECRET_KEY": "x" * 40, "COURSEKIT_DATABASE_URL": url})
    db = app.extensions["coursekit"].db
    upgrade(db.engine)
    emails = [f"trainee{n:04d}@bench.example.com" for n in range(1, count + 1)]

    def register(pair: tuple[int, str]) -> None:
        session = db.sessionmaker()
        try:
            services.register(session, email=pair[1], name=f"Trainee {pair[0]}", password=PASSWORD)
        finally:
            session.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(register, enumerate(emails, 1)))
    db.dispose()
    return emails


def tagging_form(scenario, path) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """What the trainee posts at the ending: every uncovered expectation tagged right."""
    from coursekit.domain.roleplay import replay

    found = replay(scenario, path).state.revealed
    return {f"kind-{e.id}": list(e.kinds) for e in scenario.spec.expectations if e.id in found}


def plan(emails: list[str], cookies: list[str], window: float, seed: int) -> list[dict]:
    """Each trainee's answers, path and the moments of its 7 submissions."""
    from coursekit.domain.content import load_course
    from coursekit.domain.quiz import answers_to_form, correct_answers
    from coursekit.domain.roleplay.validate import all_paths
    from coursekit.paths import content_dir

    course = load_course(content_dir())
    module = course.module(MODULE)
    assert module is not None and course.module_of_roleplay(SCENARIO) is module
    answers = answers_to_form(correct_answers(module.check))
    scenario = course.roleplays[SCENARIO]
    paths = [p for p in all_paths(scenario.spec) if len(p) == STEPS]
    rng = random.Random(seed)
    trainees = []
    for email, cookie in zip(emails, cookies, strict=True):
        open_at = rng.uniform(0, window * 0.1)
        times = sorted(rng.uniform(open_at, window * 0.9) for _ in range(1 + STEPS))
        trainees.append(
            {
                "email": email,
                "cookie": cookie,
                "module": MODULE,
                "answers": answers,
                "scenario": SCENARIO,
                "path": list(path := rng.choice(paths)),
                "tags": tagging_form(scenario, path),
                "open_at": open_at,
                "times": times,
            }
        )
    return trainees


def stored(url: str, emails: list[str]) -> dict[str, dict]:
    """Per trainee: check attempt ids, conversations with their status and path, step
    positions per conversation."""
    from sqlalchemy import select

    from coursekit.auth.models import User
    from coursekit.db import make_engine
    from coursekit.learn.models import CheckAttempt
    from coursekit.roleplay.models import RoleplayAttempt, RoleplayStep

    engine = make_engine(url)
    found: dict[str, dict] = {e: {"checks": [], "attempts": {}} for e in emails}
    owner: dict[int, dict] = {}  # conversation id -> its entry in `found`
    with engine.connect() as conn:
        users = dict(conn.execute(select(User.id, User.email)).all())
        for user_id, attempt_id in conn.execute(select(CheckAttempt.user_id, CheckAttempt.id)):
            found[users[user_id]]["checks"].append(attempt_id)
        for row in conn.execute(
            select(
                RoleplayAttempt.id, RoleplayAttempt.user_id, RoleplayAttempt.status,
                RoleplayAttempt.path,
            )
        ):  # fmt: skip
            owner[row.id] = found[users[row.user_id]]["attempts"][row.id] = {
                "status": row.status,
                "path": list(row.path),
                "positions": [],
            }
        for attempt_id, position in conn.execute(
            select(RoleplayStep.attempt_id, RoleplayStep.position).order_by(
                RoleplayStep.attempt_id, RoleplayStep.position
            )
        ):
            owner[attempt_id]["positions"].append(position)
    engine.dispose()
    return found


def verify(trainees: list[dict], outcomes: list[dict], found: dict[str, dict]) -> dict[str, int]:
    """Lost: acknowledged (303) but not stored. Duplicated: stored more often than sent."""
    by_email = {o["email"]: o for o in outcomes}
    tally = defaultdict(int)
    for trainee in trainees:
        email = trainee["email"]
        outcome, rows = by_email.get(email, {}), found[email]
        tally["trainees"] += 1
        # knowledge check: sent once
        checks = rows["checks"]
        tally["checks stored"] += len(checks)
        if outcome.get("check_attempt") is not None:
            tally["checks acknowledged"] += 1
            tally["checks lost"] += outcome["check_attempt"] not in checks
        tally["checks duplicated"] += max(0, len(checks) - 1)
        # conversation: started once, six steps on the path sent
        attempts = rows["attempts"]
        tally["conversations stored"] += len(attempts)
        tally["conversations duplicated"] += max(0, len(attempts) - 1)
        acked = outcome.get("steps", [])
        tally["steps acknowledged"] += len(acked)
        attempt = attempts.get(outcome.get("attempt", -1))
        positions = attempt["positions"] if attempt else []
        tally["steps stored"] += sum(len(a["positions"]) for a in attempts.values())
        tally["steps lost"] += sum(1 for p in acked if p not in positions)
        tally["steps duplicated"] += len(positions) - len(set(positions))
        tally["steps stored beyond those sent"] += max(
            0, len(positions) - outcome.get("steps_sent", 0)
        )
        if attempt and len(acked) == STEPS:
            complete = attempt["status"] == "finished" and attempt["path"] == trainee["path"]
            tally["finished conversations as sent"] += complete
    return dict(tally)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def report(args, records: list, outcomes: list, tally: dict, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    print(f"\nafter: {machine_load()}")
    errors = [r for r in records if r[4]]
    start = min(r[3] for r in records)
    end = max(r[3] + r[2] / 1000 for r in records)
    writes = [r for r in records if r[0] in WRITES]
    print()
    print(
        f"database {args.db}, {args.workers} sync workers, {args.trainees} trainees, "
        f"window {args.window:g} s: {len(records)} requests in {end - start:.1f} s "
        f"({len(records) / (end - start):.0f} req/s), of which {len(writes)} writes "
        f"({len(writes) / (end - start):.1f} writes/s)"
    )
    cpu_ms = args.server_cpu * 1000 / len(records)
    print(
        f"server CPU: {args.server_cpu:.1f} s for {len(records)} requests, {cpu_ms:.1f} ms each: "
        f"{os.cpu_count()} idle cores would serve about {os.cpu_count() * 1000 / cpu_ms:.0f} req/s"
    )
    print("| request | count | p50 ms | p99 ms | max ms | errors |\n|---|---:|---:|---:|---:|---:|")
    kinds = sorted({r[0] for r in records})
    for kind in [*kinds, "all writes", "all requests"]:
        rows = (
            writes
            if kind == "all writes"
            else records
            if kind == "all requests"
            else [r for r in records if r[0] == kind]
        )
        times = [r[2] for r in rows]
        print(
            f"| {kind} | {len(rows)} | {statistics.median(times):.1f} "
            f"| {percentile(times, 99):.1f} | {max(times):.1f} | {sum(1 for r in rows if r[4])} |"
        )
    print("\nstored against acknowledged: " + ", ".join(f"{k} {v}" for k, v in tally.items()))
    for error in errors[:5]:
        print(f"error: {error[0]} {error[4]}")
    for outcome in [o for o in outcomes if o.get("error")][:5]:
        print(f"trainee {outcome['email']} stopped: {outcome['error'][:200]}")
    if problems:
        print(f"server log: {len(problems)} error lines, e.g. {problems[0][:300]}")
    lost = tally.get("checks lost", 0) + tally.get("steps lost", 0)
    dup = (
        tally.get("checks duplicated", 0)
        + tally.get("steps duplicated", 0)
        + tally.get("conversations duplicated", 0)
    )
    p99 = percentile([r[2] for r in writes], 99)
    met = not errors and not lost and not dup and p99 < 100
    print(
        f"Target, 0 errors / 0 lost / 0 duplicated / write p99 < 100 ms: "
        f"{len(errors)} / {lost} / {dup} / {p99:.1f} ms: {'met' if met else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--trainees", type=int, default=300)
    parser.add_argument("--window", type=float, default=60, help="seconds; 0: all at once")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the logs and databases")
    args = parser.parse_args()

    print(f"before: {machine_load()}", flush=True)
    with workdir(args.keep) as work:
        url = database_url(args.db, work, "coursekit")
        emails = create_trainees(url, args.trainees)
        server = Server(
            "coursekit", "wsgi:app", work, coursekit_env(url, redis=args.db == "postgresql"),
            args.workers,
        )  # fmt: skip
        with servers_running(server):
            server.wait_ready("/healthz")
            check_page = f"/modules/{MODULE}/check"
            cookies = [c for c, _ in login_all(server.url, emails, check_page)]
            trainees = plan(emails, cookies, args.window, args.seed)
            spec, out = work / "spec.json", work / "results.json"
            spec.write_text(
                json.dumps({"host": server.url, "window": args.window, "trainees": trainees})
            )
            print(f"{len(trainees)} trainees logged in; the burst starts", flush=True)
            client = Path(__file__).with_name("burst_client.py")
            cpu_before = server.cpu_seconds()
            subprocess.run([sys.executable, str(client), str(spec), str(out)], check=True)
            args.server_cpu = server.cpu_seconds() - cpu_before
            problems = server.problems()
        results = json.loads(out.read_text())
        tally = verify(trainees, results["outcomes"], stored(url, emails))
        report(args, results["records"], results["outcomes"], tally, problems)


if __name__ == "__main__":
    main()
