"""Two app instances (separate gunicorn processes on different ports) on one database and
one Redis serve the same trainee as if they were one: nothing lives in a process's memory."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from coursekit.learn.models import CheckAttempt
from tests.conftest import MINI_CONTENT, PASSWORD
from tests.web.test_learn import RIGHT

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/3"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def instances(database_url: str, tmp_path: Path) -> Iterator[tuple[str, str, bool]]:
    shared = redis_up()
    processes, urls = [], []
    for n in range(2):
        port = free_port()
        env = {
            **os.environ,
            "COURSEKIT_DATABASE_URL": database_url,
            "COURSEKIT_CONTENT_DIR": str(MINI_CONTENT),
            "COURSEKIT_SECRET_KEY": "two-instances-share-this-secret-key-0123456789",
            "COURSEKIT_BIND": f"127.0.0.1:{port}",
            "COURSEKIT_WORKERS": "1",
            "COURSEKIT_LOGIN_ACCOUNT_LIMIT": "3 per minute",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / f"metrics-{n}"),
        }
        if shared:
            env["COURSEKIT_REDIS_URL"] = REDIS_URL
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, process in zip(urls, processes, strict=True):
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read().decode()[-2000:])
                time.sleep(0.2)
        if shared:
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
        yield urls[0], urls[1], shared
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
            process.stderr.close()


class Instance:
    """The shared browser, pointed at one instance."""

    def __init__(self, browser: httpx.Client, base: str):
        self.browser, self.base = browser, base

    def get(self, path: str) -> httpx.Response:
        return self.browser.get(self.base + path)

    def post(self, path: str, data: dict) -> httpx.Response:
        return self.browser.post(self.base + path, data=data)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_two_instances_serve_one_trainee_alike(instances, mini_app, make_user) -> None:
    a, b, shared = instances
    make_user(email="wei@example.com", name="张伟", target=mini_app)
    # One browser: one cookie jar, which sends 127.0.0.1's cookies to either port.
    with httpx.Client(timeout=10) as browser:
        on_a, on_b = Instance(browser, a), Instance(browser, b)
        # Signed in on A, known on B: the session is a signed cookie.
        token = csrf(on_a.get("/login").text)
        signed_in = on_a.post(
            "/login", data={"csrf_token": token, "email": "wei@example.com", "password": PASSWORD}
        )
        assert signed_in.status_code == 302
        assert "Log out" in on_b.get("/").text

        # A lesson finished on B shows on A.
        done = on_b.post(
            "/modules/one/done", data={"csrf_token": csrf(on_b.get("/modules/one").text)}
        )
        assert done.status_code == 303
        assert "Your progress: 20%" in on_a.get("/").text

        # A check opened on A and submitted on B is stored once; replaying it on A is refused.
        page = on_a.get("/modules/one/check").text
        form = {
            "csrf_token": csrf(page),
            "ticket": re.search(r'name="ticket" value="([^"]+)"', page).group(1),
            **RIGHT,
        }
        assert on_b.post("/modules/one/check", data=form).status_code == 303
        replay = on_a.post("/modules/one/check", data=form)
        assert replay.status_code in (400, 409)
        assert "Your progress: 40%" in on_b.get("/").text

    session = mini_app.extensions["coursekit"].db.sessionmaker()
    assert session.scalar(select(func.count()).select_from(CheckAttempt)) == 1
    session.close()

    if not shared:
        pytest.skip("no Redis on 127.0.0.1:6379: the shared rate limit is not checked")
    # Login attempts for one account count across both instances (limit: 3 a minute).
    codes = []
    for client_url in (a, b, a, b):
        with httpx.Client(base_url=client_url, timeout=10) as fresh:
            token = csrf(fresh.get("/login").text)
            codes.append(
                fresh.post(
                    "/login",
                    data={"csrf_token": token, "email": "wei@example.com", "password": "wrong!"},
                ).status_code
            )
    assert codes[:3] != [429] * 3 and codes[3] == 429, codes
