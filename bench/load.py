"""Pages under load: CourseKit's lesson page against two minimal Flask baselines, in one run.

Run: .venv/bin/python bench/load.py [--db sqlite|postgresql] [--seconds 10] [--rounds 3]
Needs wrk (bench/setup.sh). Four gunicorn servers, each started with the repo's
gunicorn.conf.py and the same number of sync workers, on free ports of 127.0.0.1:
  bare    a bare Flask page rendering a Jinja template (bench/apps/bare.py);
  login   a Flask-Login-protected page whose user is read by primary key (bench/apps/login.py);
  stack   CourseKit's app (production mode) with the lesson's view rendering the baselines'
          page: what CourseKit adds to every page before its own work (bench/apps/stack.py);
  lesson  CourseKit's lesson page for a logged-in trainee (production mode, as `make serve`).
For each number of concurrent clients, wrk drives each server in turn (interleaved, so drift
on a shared machine hits all four alike); each figure is the median over the rounds.
Target (CourseKit issue 7): the lesson page at no less than 80% of the login page's rate.
"""

import argparse
import statistics
import subprocess
import sys

import httpx
from apps.common import create_tables
from load_kit import (
    Server,
    WrkResult,
    coursekit_env,
    database_url,
    get_script,
    login_all,
    machine_load,
    prepare_coursekit,
    run_wrk,
    servers_running,
    workdir,
)

LESSON = "/modules/m01-what-are-expectations"


def baseline_cookies(base_url: str, users: int) -> list[str]:
    cookies = []
    with httpx.Client(base_url=base_url) as http:
        for user_id in range(1, users + 1):
            response = http.post(f"/login/{user_id}")
            response.raise_for_status()
            cookies.append(f"session={response.cookies['session']}")
            http.cookies.clear()
    return cookies


def median_result(results: list[WrkResult]) -> dict[str, float]:
    return {
        "rate": statistics.median(r.rate for r in results),
        "p50": statistics.median(r.p50_ms for r in results),
        "p99": statistics.median(r.p99_ms for r in results),
        "errors": sum(r.errors for r in results),
        "cpu": statistics.median(r.cpu_ms for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=10, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, nargs="+", default=[16, 64, 256])
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument("--trainees", type=int, default=32, help="logged-in users to rotate")
    parser.add_argument("--keep", action="store_true", help="keep the logs and databases")
    args = parser.parse_args()
    try:
        subprocess.run(["wrk", "--version"], capture_output=True, check=False)
    except FileNotFoundError:
        sys.exit("wrk is missing: run bench/setup.sh")

    print(f"before: {machine_load()}", flush=True)
    with workdir(args.keep) as work:
        ck_url = database_url(args.db, work, "coursekit")
        base_url = ck_url if args.db == "postgresql" else database_url(args.db, work, "baseline")
        emails = prepare_coursekit(ck_url, args.trainees)
        create_tables(base_url, args.trainees)
        env = {"BENCH_DATABASE_URL": base_url}
        ck_env = coursekit_env(ck_url, redis=args.db == "postgresql")
        servers = {
            "bare": Server("bare", "bare:app", work, env, args.workers),
            "login": Server("login", "login:app", work, env, args.workers),
            "stack": Server("stack", "stack:create()", work, ck_env, args.workers),
            "lesson": Server("lesson", "wsgi:app", work, ck_env, args.workers),
        }
        with servers_running(*servers.values()):
            for server in servers.values():
                server.wait_ready("/healthz" if server.name in ("stack", "lesson") else "/")
            # Opening the lesson once records it as the last one opened: reloads then only read.
            lesson_cookies = [c for c, _ in login_all(servers["lesson"].url, emails, LESSON)]
            stack_cookies = [c for c, _ in login_all(servers["stack"].url, emails, "/")]
            scripts = {
                "bare": (servers["bare"].url + "/", get_script("/", [""])),
                "login": (
                    servers["login"].url + "/",
                    get_script("/", baseline_cookies(servers["login"].url, args.trainees)),
                ),
                "stack": (servers["stack"].url + LESSON, get_script(LESSON, stack_cookies)),
                "lesson": (servers["lesson"].url + LESSON, get_script(LESSON, lesson_cookies)),
            }
            for url, script in scripts.values():  # warm up every worker
                run_wrk(url, script, work, connections=16, threads=2, seconds=3)
            results: dict[tuple[str, int], list[WrkResult]] = {}
            for round_no in range(1, args.rounds + 1):
                for clients in args.clients:
                    for name, (url, script) in scripts.items():
                        result = run_wrk(
                            url,
                            script,
                            work,
                            connections=clients,
                            threads=min(2, clients),
                            seconds=args.seconds,
                            server=servers[name],
                        )
                        results.setdefault((name, clients), []).append(result)
                        print(
                            f"round {round_no} c={clients:<3} {name:<6} {result.rate:7.0f} req/s "
                            f"p50 {result.p50_ms:6.1f} ms p99 {result.p99_ms:6.1f} ms "
                            f"errors {result.errors} server CPU {result.cpu_ms:.2f} ms/req",
                            flush=True,
                        )
            problems = {name: s.problems() for name, s in servers.items()}
        report(args, results, problems)


def report(args: argparse.Namespace, results: dict, problems: dict[str, list[str]]) -> None:
    print(f"\nafter: {machine_load()}")
    print()
    print(
        f"database {args.db}, {args.workers} sync workers each, median of {args.rounds} "
        f"runs of {args.seconds:g} s"
    )
    print(
        "| clients | page | req/s | p50 ms | p99 ms | errors | × bare | × login "
        "| server CPU ms/req |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    verdicts = []
    for clients in args.clients:
        names = ("bare", "login", "stack", "lesson")
        figures = {name: median_result(results[(name, clients)]) for name in names}
        for name, f in figures.items():
            print(
                f"| {clients} | {name} | {f['rate']:.0f} | {f['p50']:.1f} | {f['p99']:.1f} "
                f"| {f['errors']} | {f['rate'] / figures['bare']['rate']:.2f} "
                f"| {f['rate'] / figures['login']['rate']:.2f} | {f['cpu']:.2f} |"
            )
        ratio = figures["lesson"]["rate"] / figures["login"]["rate"]
        verdicts.append(
            f"c={clients}: lesson/login {ratio:.0%} ({'met' if ratio >= 0.8 else 'NOT met'})"
        )
    print("\nTarget, lesson page >= 80% of the login page: " + "; ".join(verdicts))
    for name, lines in problems.items():
        if lines:
            print(f"{name}: {len(lines)} error lines in its log, e.g. {lines[0][:300]}")


if __name__ == "__main__":
    main()
