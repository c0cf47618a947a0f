"""/healthz (the process answers) and /readyz (it can serve: database, Redis, content)."""

import time

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..state import get_state

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


def _check_database() -> None:
    with get_state().db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _check_redis() -> None:
    from redis import Redis

    Redis.from_url(
        current_app.config["COURSEKIT_REDIS_URL"], socket_connect_timeout=1, socket_timeout=1
    ).ping()


def _check_content() -> None:
    if not get_state().course.modules:
        raise RuntimeError("the course has no modules")


@bp.get("/readyz")
def readyz():
    """200 when every dependency answers, else 503 naming what failed (for load balancers)."""
    checks = {"database": _check_database, "content": _check_content}
    if current_app.config["COURSEKIT_REDIS_URL"]:
        checks["redis"] = _check_redis
    results: dict[str, dict] = {}
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as error:  # any failure at all means "not ready"
            current_app.logger.warning("readiness check %s failed: %s", name, error)
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:200]}
        else:
            results[name] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    ready = all(r["ok"] for r in results.values())
    response = jsonify(status="ready" if ready else "not ready", checks=results)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
