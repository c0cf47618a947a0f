"""CPU time per request inside one process, without HTTP: CourseKit's lesson page and
role-play step against the two baseline apps, each called as gunicorn calls it (one WSGI
call with the request's environ), interleaved in rounds so that the machine's load falls on
all alike. The load benchmarks say how fast; this says where the time goes: `--profile`
runs one page under cProfile, `--ablate` takes CourseKit's per-request hooks away one after
another from the stack page (bench/apps/stack.py) to price each.

    .venv/bin/python bench/request_cost.py [--requests 400] [--rounds 5]
        [--profile lesson|stack|roleplay] [--ablate]
"""

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from werkzeug.test import Client, EnvironBuilder

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench" / "apps")]

LESSON = "/modules/m01-what-are-expectations"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _call(app: Callable, environ_of: Callable[[], dict]) -> Callable[[], None]:
    def once() -> None:
        status: list[str] = []
        body = app(environ_of(), lambda s, h, e=None: status.append(s))
        for _chunk in body:
            pass
        if hasattr(body, "close"):
            body.close()
        if not status or not status[0].startswith(("200", "303")):
            raise RuntimeError(f"unexpected status {status}")

    return once


def _get(app: Callable, path: str, cookie: str) -> Callable[[], None]:
    headers = {"Cookie": cookie, "Accept-Encoding": "identity"}
    # https, as production cookies are Secure and its CSRF check wants a same-origin Referer.
    return _call(
        app,
        lambda: EnvironBuilder(
            path=path, headers=headers, base_url="https://localhost"
        ).get_environ(),
    )


def _coursekit(work: Path, name: str):  # type: ignore[no-untyped-def]
    """A production-configured CourseKit app on its own SQLite file, a trainee's cookie after
    a real login and a first visit of the lesson (which records "last opened" and adds the
    CSRF token to the session: the measured requests only read, as a reload does), and the
    CSRF token of that page's forms."""
    from coursekit import create_app
    from coursekit.auth import services
    from coursekit.migrate import upgrade

    app = create_app(
        {
            "SECRET_KEY": "s" * 48,
            "COURSEKIT_DATABASE_URL": f"sqlite:///{work / name}.db",
            "COURSEKIT_PRODUCTION": True,
            "COURSEKIT_KEY_ENCRYPTION_KEYS": ["mXvKpD1rBxl7vQ8Jc0m3bR2yTzNwq5Hs6eUaYfLgC9o="],
            "COURSEKIT_LOG_FORMAT": "json",
            "COURSEKIT_ACCESS_LOG": True,
        }
    )
    state = app.extensions["coursekit"]
    upgrade(state.db.engine)
    session = state.db.sessionmaker()
    services.register(session, email="t@bench.example.com", name="Trainee", password="p" * 16)
    session.close()
    client = Client(app)
    https = {"base_url": "https://localhost"}
    page = client.get("/login", **https).get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
    form = {"email": "t@bench.example.com", "password": "p" * 16, "csrf_token": token}
    client.post("/login", data=form, headers={"Referer": "https://localhost/login"}, **https)
    lesson = client.get(LESSON, **https).get_data(as_text=True)
    token = CSRF_RE.search(lesson).group(1)  # type: ignore[union-attr]
    return app, "; ".join(f"{c.key}={c.value}" for c in client._cookies.values()), token


def coursekit_lesson(work: Path) -> Callable[[], None]:
    app, cookie, _token = _coursekit(work, "lesson")
    return _get(app, LESSON, cookie)


def coursekit_stack(work: Path) -> Callable[[], None]:
    """CourseKit's per-request machinery alone (bench/apps/stack.py): the lesson's URL, hooks
    and login, but the view renders the baselines' page instead of the lesson."""
    from stack import serve_baseline_page

    app, cookie, _token = _coursekit(work, "stack")
    return _get(serve_baseline_page(app), LESSON, cookie)


def coursekit_roleplay(work: Path) -> Callable[[], None]:
    """Role-play writes as bench/load_writes.py sends them: a start (restart=1), then the
    steps of the scenario's longest path, over and over; every call is one POST."""
    from load_kit import scenario_paths

    app, cookie, token = _coursekit(work, "roleplay")
    scenario_id, steps = scenario_paths()[0]
    posts = [(f"/roleplays/{scenario_id}/start", {"restart": "1"}, None)]
    posts += [
        ("step", {"position": str(i), "node": n, "choice": c}, i) for i, (n, c) in enumerate(steps)
    ]
    state = {"next": 0, "attempt": 0}
    headers = {"Cookie": cookie, "Referer": "https://localhost/", "Accept-Encoding": "identity"}

    def once() -> None:
        path, form, _position = posts[state["next"]]
        if path == "step":
            path = f"/roleplays/attempts/{state['attempt']}/step"
        environ = EnvironBuilder(
            path=path, method="POST", headers=headers, base_url="https://localhost",
            data={**form, "csrf_token": token},
        ).get_environ()  # fmt: skip
        out: list = []
        body = app(environ, lambda st, h, e=None: out.append((st, dict(h))))
        b"".join(body)
        status, response_headers = out[0]
        if not status.startswith("303"):
            raise RuntimeError(f"{path}: {status}")
        if state["next"] == 0:
            state["attempt"] = int(response_headers["Location"].rstrip("/").rsplit("/", 1)[1])
        state["next"] = (state["next"] + 1) % len(posts)

    return once


def baseline(module: str, work: Path) -> Callable[[], None]:
    os.environ["BENCH_DATABASE_URL"] = f"sqlite:///{work / 'baseline.db'}"
    import common

    common.create_tables(os.environ["BENCH_DATABASE_URL"], users=1)
    app = __import__(module).app
    cookie = ""
    if module == "login":
        client = Client(app)
        client.post("/login/1")
        cookie = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
    return _get(app, "/", cookie)


def _without(app, *hooks: str) -> None:  # type: ignore[no-untyped-def]
    """Take the named before/after-request hooks off every blueprint of the app."""
    for registry in (app.before_request_funcs, app.after_request_funcs):
        for functions in registry.values():
            functions[:] = [f for f in functions if getattr(f, "__name__", "") not in hooks]


INPUT_CHECKS = (
    "_protect_forms",
    "_refuse_malformed_fields",
    "_ids_in_range",
    "_limit_request_size",
)
# Cumulative: each line takes away its own parts and those of the lines above it.
ABLATIONS: list[tuple[str, Callable]] = [
    ("- JSON access line", lambda app: app.config.update(COURSEKIT_ACCESS_LOG=False)),
    ("- latency histogram", lambda app: _without(app, "observe")),
    (
        "- request id, security headers",
        lambda app: _without(app, "start_request", "finish_request", "add_security_headers"),
    ),
    ("- CSRF and input checks", lambda app: _without(app, *INPUT_CHECKS)),
]


def ablated_stacks(work: Path) -> dict[str, Callable[[], None]]:
    from stack import serve_baseline_page

    pages = {}
    for n in range(len(ABLATIONS) + 1):
        app, cookie, _token = _coursekit(work, f"ablated{n}")
        for _name, take_away in ABLATIONS[:n]:
            take_away(app)
        name = ABLATIONS[n - 1][0] if n else "stack"
        pages[name] = _get(serve_baseline_page(app), LESSON, cookie)
    return pages


def cpu_ms(once: Callable[[], None], n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        once()
    return (time.process_time() - start) * 1000 / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--profile", choices=["lesson", "stack", "roleplay"], help="cProfile this page instead"
    )
    parser.add_argument("--ablate", action="store_true", help="price the stack's hooks")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pages = {"bare": baseline("bare", work), "login": baseline("login", work)}
        if args.ablate:
            pages |= ablated_stacks(work)
        else:
            pages["stack"] = coursekit_stack(work)
            pages["lesson"] = coursekit_lesson(work)
            pages["roleplay"] = coursekit_roleplay(work)
        for once in pages.values():
            cpu_ms(once, 50)  # warm caches
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(cpu_ms, pages[args.profile], args.requests)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
            return
        samples: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(args.rounds):
            for name, once in pages.items():
                samples[name].append(cpu_ms(once, args.requests))
    login = statistics.median(samples["login"])
    for name, values in samples.items():
        ms = statistics.median(values)
        print(f"{name:32} {ms:6.3f} ms CPU per request  ({ms / login:4.2f} x login)")


if __name__ == "__main__":
    main()
