"""Writes under load: 64 concurrent role-play steps against a plain one-row insert, in one run.

Run: .venv/bin/python bench/load_writes.py [--db sqlite|postgresql] [--seconds 10] [--rounds 3]
Needs wrk (bench/setup.sh). Two gunicorn servers, each started with the repo's gunicorn.conf.py
and the same number of sync workers, on free ports of 127.0.0.1:
  insert    a minimal Flask + SQLAlchemy app inserting one row per POST (bench/apps/insert.py),
            on SQLite in WAL mode with a busy timeout;
  roleplay  CourseKit (production mode, as `make serve`): each of 64 logged-in trainees plays
            the shipped role-plays one after another, one POST per step (and one to start each
            conversation), as fast as the server answers.
wrk runs one thread per connection, so each connection is one trainee with its own state (the
conversation, position and node it is at); its Lua script counts steps, starts and any
answer but the expected 303. Afterwards every stored conversation is checked: as many step
rows as choices on its path, at positions 0..n-1, and the rows stored against those answered.
Target (CourseKit issue 7): 0 errors and at least half the insert endpoint's rate.
"""

import argparse
import statistics

from apps.common import create_tables
from load_kit import (
    Server,
    WrkResult,
    coursekit_env,
    database_url,
    login_all,
    lua_string,
    machine_load,
    prepare_coursekit,
    run_wrk,
    scenario_paths,
    servers_running,
    workdir,
)

INSERT_SCRIPT = """
threads = {}
counters = {"unexpected"}
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0 end
function request()
  return wrk.format("POST", "/items",
    {["Content-Type"] = "application/x-www-form-urlencoded"}, "value=one+row+per+request")
end
function response(status, headers, body)
  if status ~= 201 then unexpected = unexpected + 1 end
end
"""

# One connection per wrk thread: the thread's globals are its trainee's conversation.
STEPS_SCRIPT = """
local plans = {%(plans)s}
threads = {}
counters = {"steps", "starts", "tagged", "unexpected"}
local next_tid = 0
function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
  table.insert(threads, thread)
end
function init(args)
  plan = plans[tid]
  play_i = plan.first; step_i = 0; attempt = nil
  steps = 0; starts = 0; tagged = 0; unexpected = 0
  headers = {["Cookie"] = plan.cookie, ["Content-Type"] = "application/x-www-form-urlencoded"}
end
function request()
  local play = plan.plays[play_i]
  if attempt == nil then
    pending = "start"
    -- restart: a conversation left unfinished (by an error, or by the end of an earlier
    -- wrk run) is abandoned, and every start stores a new one
    local body = "csrf_token=" .. plan.csrf .. "&restart=1"
    return wrk.format("POST", "/roleplays/" .. play.scenario .. "/start", headers, body)
  end
  if step_i == #play.steps then
    -- the ending: tag what the conversation uncovered, which scores it
    pending = "classify"
    local body = "csrf_token=" .. plan.csrf .. "&" .. play.tags
    return wrk.format("POST", "/roleplays/attempts/" .. attempt .. "/classify", headers, body)
  end
  pending = "step"
  local step = play.steps[step_i + 1]
  local body = "csrf_token=" .. plan.csrf .. "&position=" .. step_i .. "&node=" .. step[1]
    .. "&choice=" .. step[2]
  return wrk.format("POST", "/roleplays/attempts/" .. attempt .. "/step", headers, body)
end
function response(status, headers, body)
  if status ~= 303 then
    -- start the conversation afresh: the server state of this one is unknown
    unexpected = unexpected + 1; attempt = nil; step_i = 0
    return
  end
  local location = headers["Location"] or headers["location"] or ""
  if pending == "start" then
    starts = starts + 1; step_i = 0
    attempt = string.match(location, "/attempts/(%%d+)")
  elseif pending == "classify" then
    tagged = tagged + 1; attempt = nil; play_i = play_i %% #plan.plays + 1
  else
    steps = steps + 1; step_i = step_i + 1
    if string.find(location, "/review$") then
      attempt = nil; play_i = play_i %% #plan.plays + 1
    end
  end
end
"""


def steps_script(logins: list[tuple[str, str]]) -> str:
    paths = scenario_paths()
    plays = ", ".join(
        f"{{scenario = {lua_string(sid)}, tags = {lua_string(tags)}, steps = {{"
        + ", ".join(f"{{{lua_string(n)}, {lua_string(c)}}}" for n, c in steps)
        + "}}"
        for sid, steps, tags in paths
    )
    plans = ", ".join(
        f"{{cookie = {lua_string(cookie)}, csrf = {lua_string(csrf)}, "
        f"first = {i % len(paths) + 1}, plays = {{{plays}}}}}"
        for i, (cookie, csrf) in enumerate(logins)
    )
    return STEPS_SCRIPT % {"plans": plans}


def check_conversations(url: str) -> dict[str, int]:
    """Every conversation's step rows against its path; totals for the report."""
    from sqlalchemy import func, select

    from coursekit.db import make_engine
    from coursekit.roleplay.models import RoleplayAttempt, RoleplayStep

    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                RoleplayAttempt.id,
                RoleplayAttempt.path,
                func.count(RoleplayStep.id),
                func.min(RoleplayStep.position),
                func.max(RoleplayStep.position),
            )
            .outerjoin(RoleplayStep, RoleplayStep.attempt_id == RoleplayAttempt.id)
            .group_by(RoleplayAttempt.id, RoleplayAttempt.path)
        ).all()
    engine.dispose()
    inconsistent = 0
    for _id, path, count, low, high in rows:
        positions_ok = count == 0 or (low == 0 and high == count - 1)
        if count != len(path) or not positions_ok:
            inconsistent += 1
    return {
        "attempts": len(rows),
        "steps": sum(r[2] for r in rows),
        "inconsistent": inconsistent,
    }


def count_items(url: str) -> int:
    from apps.common import BenchItem, make_engine
    from sqlalchemy import func, select

    engine = make_engine(url)
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(BenchItem))
    engine.dispose()
    return int(total or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=10, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument("--keep", action="store_true", help="keep the logs and databases")
    args = parser.parse_args()

    print(f"before: {machine_load()}", flush=True)
    with workdir(args.keep) as work:
        ck_url = database_url(args.db, work, "coursekit")
        base_url = ck_url if args.db == "postgresql" else database_url(args.db, work, "baseline")
        emails = prepare_coursekit(ck_url, args.clients)
        create_tables(base_url, 0)
        insert = Server(
            "insert", "insert:app", work, {"BENCH_DATABASE_URL": base_url}, args.workers
        )
        roleplay = Server(
            "roleplay",
            "wsgi:app",
            work,
            coursekit_env(ck_url, redis=args.db == "postgresql"),
            args.workers,
        )
        with servers_running(insert, roleplay):
            insert.wait_ready("/")
            roleplay.wait_ready("/healthz")
            logins = login_all(roleplay.url, emails, "/roleplays/late-delivery")
            runs = {
                "insert": (insert.url + "/items", INSERT_SCRIPT),
                "roleplay": (roleplay.url + "/", steps_script(logins)),
            }
            results: dict[str, list[WrkResult]] = {"insert": [], "roleplay": []}
            acknowledged = {"insert": 0, "steps": 0, "starts": 0, "runs": 0}
            for round_no in range(0, args.rounds + 1):  # round 0 warms up
                for name, (url, script) in runs.items():
                    seconds = 3 if round_no == 0 else args.seconds
                    result = run_wrk(
                        url, script, work, connections=args.clients, threads=args.clients,
                        seconds=seconds, server=insert if name == "insert" else roleplay,
                    )  # fmt: skip
                    acknowledged["runs"] += 1
                    if name == "insert":
                        acknowledged["insert"] += result.requests - result.errors
                    else:
                        acknowledged["steps"] += result.extra["steps"]
                        acknowledged["starts"] += result.extra["starts"]
                    if round_no == 0:
                        continue
                    results[name].append(result)
                    steps = result.extra.get("steps")
                    print(
                        f"round {round_no} {name:<8} {result.rate:6.0f} req/s"
                        + (f" ({steps / result.seconds:.0f} steps/s)" if steps else "")
                        + f" p50 {result.p50_ms:6.1f} ms p99 {result.p99_ms:6.1f} ms"
                        f" errors {result.errors} server CPU {result.cpu_ms:.2f} ms/req",
                        flush=True,
                    )
            problems = {s.name: s.problems() for s in (insert, roleplay)}
        stored = check_conversations(ck_url)
        stored["items"] = count_items(base_url)
        report(args, results, acknowledged, stored, problems)


def report(args, results, acknowledged, stored, problems) -> None:  # type: ignore[no-untyped-def]
    print(f"\nafter: {machine_load()}")

    def med(name: str, fn) -> float:  # type: ignore[no-untyped-def]
        return statistics.median(fn(r) for r in results[name])

    insert_rate = med("insert", lambda r: r.rate)
    rp_rate = med("roleplay", lambda r: r.rate)
    step_rate = med("roleplay", lambda r: r.extra["steps"] / r.seconds)
    errors = {name: sum(r.errors for r in results[name]) for name in results}
    print()
    print(
        f"database {args.db}, {args.workers} sync workers each, {args.clients} connections, "
        f"median of {args.rounds} runs of {args.seconds:g} s"
    )
    print(
        "| endpoint | req/s | p50 ms | p99 ms | errors | × insert | server CPU ms/req |\n"
        "|---|---:|---:|---:|---:|---:|---:|"
    )
    for name, rate in (("insert", insert_rate), ("roleplay", rp_rate)):
        print(
            f"| {name} | {rate:.0f} | {med(name, lambda r: r.p50_ms):.1f} "
            f"| {med(name, lambda r: r.p99_ms):.1f} | {errors[name]} | {rate / insert_rate:.2f} "
            f"| {med(name, lambda r: r.cpu_ms):.2f} |"
        )
    print(
        f"role-play: {step_rate:.0f} steps/s ({step_rate / insert_rate:.2f} × insert) "
        f"besides the starts of each conversation"
    )
    # wrk stops with up to one request per connection in flight: stored, never answered.
    slack = acknowledged["runs"] // 2 * args.clients
    print(
        f"stored: {stored['steps']} step rows for {acknowledged['steps']} steps answered 303, "
        f"{stored['attempts']} conversations for {acknowledged['starts']} starts, "
        f"{stored['items']} rows for {acknowledged['insert']} inserts answered 201 "
        f"(up to {slack} more can be stored by requests in flight when wrk stops); "
        f"conversations whose steps do not match their path: {stored['inconsistent']}"
    )
    met = errors["roleplay"] == 0 and rp_rate >= insert_rate / 2
    print(
        f"Target, 0 errors and >= half the insert rate: {'met' if met else 'NOT met'} "
        f"(all role-play writes {rp_rate / insert_rate:.0%}, steps alone "
        f"{step_rate / insert_rate:.0%})"
    )
    for name, lines in problems.items():
        if lines:
            print(f"{name}: {len(lines)} error lines in its log, e.g. {lines[0][:300]}")


if __name__ == "__main__":
    main()
