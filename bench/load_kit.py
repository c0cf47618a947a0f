"""What the load benchmarks share: gunicorn servers on free ports, fresh databases, trainee
accounts and their logins, and wrk runs read back from a Lua `done` hook."""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
APPS = ROOT / "bench" / "apps"
PASSWORD = "bench-password-0123456789"
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
POSTGRES_DB = "bench"
REDIS_URL = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a server: ours, without COURSEKIT_* settings from the shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSEKIT_", "PROMETHEUS_"))}
    env.update(extra)
    return env


class Server:
    """One gunicorn, started with the repo's gunicorn.conf.py, on a free port of 127.0.0.1."""

    def __init__(self, name: str, app: str, workdir: Path, env: dict[str, str], workers: int):
        self.name, self.port = name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"{name}.log"
        metrics = workdir / f"metrics-{name}"  # our own folder: the config empties it
        env = clean_env(
            **env,
            COURSEKIT_BIND=f"127.0.0.1:{self.port}",
            COURSEKIT_WORKERS=str(workers),
            PROMETHEUS_MULTIPROC_DIR=str(metrics),
        )
        args = [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py")]
        if not app.startswith("wsgi:"):
            args += ["--pythonpath", str(APPS)]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [*args, app], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def wait_ready(self, path: str = "/", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log}:\n{self.log.read_text()}")
            try:
                httpx.get(self.url + path, timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn: graceful stop
            try:
                self.process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # our own session's group
                self.process.wait()

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its workers (live ones, and reaped ones)."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended meanwhile
            pid, ppid = int(stat.parent.name), int(fields[1])
            if pid == self.process.pid:
                total += sum(int(f) for f in fields[11:15])  # own and reaped children's
            elif ppid == self.process.pid:
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def problems(self) -> list[str]:
        """Lines of the server's log that speak of an error (tracebacks, 5xx, worker kills)."""
        text = self.log.read_text(errors="replace")
        pattern = re.compile(r"Traceback|\"level\": \"ERROR\"|WORKER TIMEOUT|database is locked")
        return [line for line in text.splitlines() if pattern.search(line)]


@contextmanager
def servers_running(*servers: Server) -> Iterator[None]:
    try:
        yield
    finally:
        for server in servers:
            server.stop()


@contextmanager
def workdir(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="coursekit-bench-"))
    try:
        yield path
    finally:
        if keep:
            print(f"(kept {path})")
        else:
            shutil.rmtree(path, ignore_errors=True)


def database_url(kind: str, work: Path, name: str) -> str:
    """A fresh, empty database: a SQLite file in `work`, or the PostgreSQL database `bench`
    dropped and created again (never `test`, which the test suite uses)."""
    if kind == "sqlite":
        return f"sqlite:///{work / name}.db"
    from sqlalchemy import create_engine, text

    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {POSTGRES_DB}"))
    admin.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{POSTGRES_DB}"


def coursekit_env(url: str, *, redis: bool) -> dict[str, str]:
    """CourseKit as `make serve` runs it (production, JSON logs, an access line per request),
    with the login limits raised: every trainee logs in from 127.0.0.1 before the run."""
    env = {
        "COURSEKIT_PRODUCTION": "true",
        "COURSEKIT_SECRET_KEY": secrets.token_urlsafe(48),
        "COURSEKIT_KEY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "COURSEKIT_LOG_FORMAT": "json",
        "COURSEKIT_ACCESS_LOG": "true",
        "COURSEKIT_DATABASE_URL": url,
        "COURSEKIT_LOGIN_LIMIT": "100000 per minute",
        "COURSEKIT_LOGIN_ACCOUNT_LIMIT": "1000 per minute",
    }
    if redis:
        env["COURSEKIT_REDIS_URL"] = REDIS_URL
    return env


def prepare_coursekit(url: str, trainees: int) -> list[str]:
    """Migrate the database and create trainee accounts through the auth service."""
    from coursekit import create_app
    from coursekit.auth import services
    from coursekit.migrate import upgrade

    app = create_app({"SECRET_KEY": "x" * 40, "COURSEKIT_DATABASE_URL": url})
    db = app.extensions["coursekit"].db
    upgrade(db.engine)
    emails = [f"trainee{n:04d}@bench.example.com" for n in range(1, trainees + 1)]
    session = db.sessionmaker()
    try:
        for n, email in enumerate(emails, 1):
            services.register(session, email=email, name=f"Trainee {n}", password=PASSWORD)
    finally:
        session.close()
        db.dispose()
    return emails


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """An HTTP client that keeps its cookies by hand: production cookies are Secure, which
    an ordinary cookie jar will not send over plain http to 127.0.0.1 (a browser would not
    either, hence https in production; the server does not care)."""

    def __init__(self, base_url: str):
        self.http = httpx.Client(base_url=base_url, timeout=60, follow_redirects=False)
        self.cookies: dict[str, str] = {}

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        headers = {"Cookie": self.cookie_header} if self.cookies else {}
        response = self.http.request(method, url, headers=headers, **kwargs)  # type: ignore[arg-type]
        for raw in response.headers.get_list("set-cookie"):
            name, _, rest = raw.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Max-Age=0" not in raw and "expires=Thu, 01 Jan 1970" not in raw:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response

    def csrf(self, page: str) -> str:
        html = self.request("GET", page).text
        match = CSRF_RE.search(html)
        if match is None:
            raise RuntimeError(f"no CSRF token on {page}")
        return match.group(1)

    def login(self, email: str, password: str = PASSWORD) -> None:
        token = self.csrf("/login")
        data = {"csrf_token": token, "email": email, "password": password}
        response = self.request("POST", "/login", data=data)
        if response.status_code != 302:
            raise RuntimeError(f"login of {email} failed: {response.status_code}")


def login_all(base_url: str, emails: Sequence[str], form_page: str) -> list[tuple[str, str]]:
    """Log every trainee in (a few at a time); returns (cookie header, CSRF token) pairs taken
    after opening `form_page`, so the session already holds its CSRF secret."""
    from concurrent.futures import ThreadPoolExecutor

    def one(email: str) -> tuple[str, str]:
        browser = Browser(base_url)
        browser.login(email)
        token = browser.csrf(form_page)
        return browser.cookie_header, token

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, emails))


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    socket_errors: int
    unexpected: int  # responses with another status than the script expects
    extra: dict[str, int]
    server_cpu_s: float = 0.0  # CPU time the server used during the run

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms(self) -> float:
        """Server CPU per answered request: what the machine's load does not change much."""
        return self.server_cpu_s * 1000 / max(1, self.requests)

    @property
    def errors(self) -> int:
        return self.socket_errors + self.unexpected


# Appended to every script: wrk's summary and each thread's counters on one line.
LUA_DONE = """
function done(summary, latency, requests)
  local extra = ""
  for _, name in ipairs(counters or {}) do
    local total = 0
    for _, t in ipairs(threads) do total = total + (t:get(name) or 0) end
    extra = extra .. string.format(" %s=%d", name, total)
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d socket_errors=%d%s\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, extra))
end
"""


def run_wrk(
    url: str,
    script: str,
    work: Path,
    *,
    connections: int,
    threads: int,
    seconds: float,
    server: Server | None = None,
) -> WrkResult:
    lua = work / "wrk.lua"
    lua.write_text(script + LUA_DONE)
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
    cpu_before = server.cpu_seconds() if server else 0.0
    done = subprocess.run([*args, "-s", str(lua), url], capture_output=True, text=True)
    cpu = server.cpu_seconds() - cpu_before if server else 0.0
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
    out = done.stdout
    line = next((x for x in out.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    fields = {k: int(v) for k, v in (pair.split("=") for pair in line.split()[1:])}
    known = {"requests", "duration_us", "p50_us", "p99_us", "socket_errors", "unexpected"}
    return WrkResult(
        requests=fields["requests"],
        seconds=fields["duration_us"] / 1e6,
        p50_ms=fields["p50_us"] / 1000,
        p99_ms=fields["p99_us"] / 1000,
        socket_errors=fields["socket_errors"],
        unexpected=fields.get("unexpected", 0),
        extra={k: v for k, v in fields.items() if k not in known},
        server_cpu_s=cpu,
    )


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def get_script(path: str, cookies: Sequence[str], expect: int = 200) -> str:
    """GET `path`, each request with the next cookie of the list (many trainees at once)."""
    table = ", ".join(lua_string(c) for c in cookies) or '""'
    return f"""
local cookies = {{{table}}}
threads = {{}}
counters = {{"unexpected"}}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; unexpected = 0 end
function request()
  n = n + 1
  return wrk.format("GET", {lua_string(path)}, {{["Cookie"] = cookies[n % #cookies + 1]}})
end
function response(status, headers, body)
  if status ~= {expect} then unexpected = unexpected + 1 end
end
"""


def scenario_paths() -> list[tuple[str, list[tuple[str, str]], str]]:
    """For each shipped role-play, its longest path as (node shown, choice taken) pairs, and
    the tagging form a trainee sends at its ending (every uncovered expectation tagged right;
    empty when nothing was uncovered)."""
    from urllib.parse import urlencode

    from coursekit.domain.content import load_course
    from coursekit.domain.roleplay import advance, start
    from coursekit.domain.roleplay.validate import all_paths
    from coursekit.paths import content_dir

    plays = []
    for scenario_id, scenario in load_course(content_dir()).roleplays.items():
        choices = max(all_paths(scenario.spec), key=len)
        play, steps = start(scenario), []
        for choice in choices:
            steps.append((play.node_id, choice))
            play = advance(play, choice)
        assert play.finished
        tags = [
            (f"kind-{e.id}", kind)
            for e in scenario.spec.expectations
            if e.id in play.state.revealed
            for kind in e.kinds
        ]
        plays.append((scenario_id, steps, urlencode(tags)))
    return plays


def machine_load() -> str:
    """The 1-minute load average and the cores: others' work on a shared machine shows here."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
