"""Health, readiness, Prometheus metrics, request ids and JSON logs."""

import json
import logging
import re

import pytest
from flask import Flask
from sqlalchemy import create_engine

from coursekit.ops.logs import init_logging
from tests.conftest import login


def test_healthz_answers_while_the_process_is_up(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_checks_the_database_and_content(client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "ready"
    assert set(response.json["checks"]) == {"database", "content"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_naming_a_database_that_does_not_answer(app: Flask, tmp_path) -> None:
    state = app.extensions["coursekit"]
    state.db.engine = create_engine(f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"]["ok"] is False
    assert "OperationalError" in response.json["checks"]["database"]["error"]


def test_readyz_checks_redis_when_configured(make_app) -> None:
    down = make_app(COURSEKIT_REDIS_URL="redis://127.0.0.1:1/0", RATELIMIT_STORAGE_URI="memory://")
    response = down.test_client().get("/readyz")
    assert response.status_code == 503 and response.json["checks"]["redis"]["ok"] is False
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(socket_connect_timeout=0.5).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    up = make_app(COURSEKIT_REDIS_URL="redis://127.0.0.1:6379/0")
    assert up.test_client().get("/readyz").status_code == 200


def test_metrics_count_requests_by_endpoint(app: Flask, make_user) -> None:
    make_user(email="wei@example.com")
    client = app.test_client()
    login(client, "wei@example.com")
    client.get("/")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'coursekit_request_seconds_count{endpoint="coursekit.site.index",method="GET"' in text
    assert 'coursekit_outbox_backlog{status="pending"} 0.0' in text
    assert "coursekit_certificates_rendered_total" in text


def test_metrics_count_finished_attempts(mini_app: Flask, make_user) -> None:
    from coursekit.ops.metrics import ATTEMPTS
    from tests.web.test_certificates import finish

    before = {k: ATTEMPTS.labels(k)._value.get() for k in ("check", "roleplay")}
    finish(mini_app, make_user(email="wei@example.com", target=mini_app).id)
    text = mini_app.test_client().get("/metrics").get_data(as_text=True)
    checks = float(re.search(r'coursekit_attempts_total\{kind="check"\} ([0-9.]+)', text)[1])
    plays = float(re.search(r'coursekit_attempts_total\{kind="roleplay"\} ([0-9.]+)', text)[1])
    assert checks - before["check"] == 2 and plays - before["roleplay"] == 1


def test_metrics_are_for_the_scraper_only(make_app) -> None:
    open_app = make_app()
    outside = open_app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert outside.status_code == 403
    guarded = make_app(COURSEKIT_METRICS_TOKEN="s3cret-scrape-token").test_client()
    assert guarded.get("/metrics").status_code == 403
    ok = guarded.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"})
    assert ok.status_code == 200


def test_a_request_id_is_kept_when_safe_and_made_when_not(client) -> None:
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"})
    assert kept.headers["X-Request-ID"] == "lb-1234abcd"
    made = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert made.headers["X-Request-ID"] != "<script>" and len(made.headers["X-Request-ID"]) == 32


def test_json_logs_carry_the_request_id(make_app, capsys) -> None:
    app = make_app(COURSEKIT_LOG_FORMAT="json", COURSEKIT_ACCESS_LOG=True)
    init_logging(app)
    try:
        app.test_client().get("/healthz", headers={"X-Request-ID": "req-00000001"})
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if h.get_name() == "coursekit"]:
            root.removeHandler(handler)
    access = [line for line in lines if line["logger"] == "coursekit.access"]
    assert access, lines
    assert access[0]["request_id"] == "req-00000001"
    assert access[0]["status"] == 200 and access[0]["endpoint"] == "coursekit.ops.healthz"
    assert {"time", "level", "message", "duration_ms"} <= set(access[0])


def test_static_files_have_hashed_names_cached_for_a_year(client) -> None:
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'href="(/static/coursekit\.([0-9a-f]{10})\.css)"', page)
    assert match, "the stylesheet link has no content hash"
    with client.get(match.group(1)) as css:
        assert css.status_code == 200 and b"--ck-accent" in css.data
        assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get("/static/coursekit.0000000000.css") as stale:
        assert stale.status_code == 200 and "no-cache" in stale.headers["Cache-Control"]
    with client.get("/static/nothing.0123456789.css") as missing:
        assert missing.status_code == 404


def test_html_is_compressed_when_the_browser_accepts_it(make_app) -> None:
    from coursekit import create_app

    app = create_app(make_app().config)
    page = app.test_client().get("/", headers={"Accept-Encoding": "br, gzip"})
    assert page.headers["Content-Encoding"] in ("br", "gzip")
    assert "Accept-Encoding" in page.headers["Vary"]


def test_a_request_over_the_size_limit_gets_a_clear_413(make_app) -> None:
    app = make_app(COURSEKIT_MAX_REQUEST_BYTES=10_000)
    response = app.test_client().post("/login", data={"email": "x" * 20_000, "password": "y"})
    assert response.status_code == 413
    assert "Send at most 0.01 MB at a time." in response.get_data(as_text=True)


def test_security_headers_on_every_page(client) -> None:
    plain = client.get("/")
    assert "script-src 'self'" in plain.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in plain.headers["Content-Security-Policy"]
    assert plain.headers["X-Content-Type-Options"] == "nosniff"
    assert plain.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in plain.headers  # plain http: no HSTS
    secure = client.get("/", base_url="https://training.example.com")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
