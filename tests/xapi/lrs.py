"""A real learning record store for the tests: Learning Locker's `xapi-statements` (npm, from
tests/js/package-lock.json), run by node in memory on a free port of 127.0.0.1. It validates
every statement it is sent (xapi-validation) and refuses the malformed."""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

JS = Path(__file__).resolve().parents[1] / "js"
SERVER = JS / "node_modules" / "xapi-statements" / "dist" / "index.js"
HEADERS = {"X-Experience-API-Version": "1.0.3"}
AUTH = ("lrs-key", "lrs-secret")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_lrs(folder: Path) -> Iterator[str]:
    """Start the LRS; yields its xAPI endpoint (http://127.0.0.1:<port>/xAPI)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the xAPI tests run a real LRS on node")
    if not SERVER.exists():
        pytest.skip("the LRS is not installed: run `make js-deps` (npm ci in tests/js)")
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "EXPRESS_PORT": str(port),
        "MODELS_REPO": "memory",  # statements in memory: no MongoDB
        "STORAGE_REPO": "local",
        "FS_LOCAL_STORAGE_DIR": str(folder / "storage"),
        "EXPRESS_MORGAN_DIRECTORY": str(folder / "logs"),
        "AUTH_REPO": "test",  # accepts any basic auth
        "EVENTS_REPO": "test",  # no Redis
        "SERVICE_AWAIT_UPDATES": "true",
        "WINSTON_CONSOLE_LEVEL": "warn",
    }
    log = (folder / "lrs.log").open("wb")
    process = subprocess.Popen([node, str(SERVER)], cwd=folder, env=env, stdout=log, stderr=log)
    endpoint = f"http://127.0.0.1:{port}/xAPI"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{endpoint}/about", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the LRS did not start: {(folder / 'lrs.log').read_text()}")
            time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def stored(endpoint: str, **params: str) -> dict:
    """GET /statements with these filters, as the LRS answers."""
    response = httpx.get(
        f"{endpoint}/statements", params=params, headers=HEADERS, auth=AUTH, timeout=10
    )
    response.raise_for_status()
    return response.json()
