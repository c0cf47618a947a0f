"""A request id on every request (taken from X-Request-ID when it looks safe, else new),
echoed in the response and stamped on every log line; JSON log lines for production."""

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, current_app, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
ACCESS = logging.getLogger("coursekit.access")


def request_id() -> str | None:
    return g.get("coursekit_request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Adds request_id (or None outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


def start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.coursekit_request_id = incoming if SAFE_ID.match(incoming) else uuid.uuid4().hex
    g.coursekit_started = time.perf_counter()


def finish_request(response: Response) -> Response:
    response.headers.setdefault("X-Request-ID", g.get("coursekit_request_id", ""))
    if current_app.config["COURSEKIT_ACCESS_LOG"] and "coursekit_started" in g:
        ACCESS.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "endpoint": request.endpoint,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.coursekit_started) * 1000, 2),
            },
        )
    return response


def init_logging(app: Flask) -> None:
    """Standalone app only (a host owns its logging): when COURSEKIT_LOG_FORMAT is set, one
    stderr handler, JSON or text, in place of any earlier one of ours."""
    app.config.setdefault("COURSEKIT_LOG_FORMAT", None)
    log_format = app.config["COURSEKIT_LOG_FORMAT"]
    if log_format is None:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.set_name("coursekit")
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "coursekit"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(app.config.get("COURSEKIT_LOG_LEVEL", "INFO"))
