"""Gunicorn settings for `make serve` (read automatically from the working directory).

Every value can be overridden by the environment: COURSEKIT_BIND, COURSEKIT_WORKERS,
COURSEKIT_THREADS, COURSEKIT_TIMEOUT.
"""

import multiprocessing
import os
import shutil
import tempfile

bind = os.environ.get("COURSEKIT_BIND", "127.0.0.1:8000")
# Sync workers: CourseKit's requests are short and CPU-bound (templates, scoring, PDFs);
# two per core plus one keeps both cores busy while one worker waits on the database.
workers = int(os.environ.get("COURSEKIT_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("COURSEKIT_THREADS", 1))
timeout = int(os.environ.get("COURSEKIT_TIMEOUT", 30))  # a certificate batch runs as a job
graceful_timeout = 30
keepalive = 5
# Load the app once in the master: workers fork with the content parsed and templates warm.
preload_app = True
# A fresh worker now and then returns whatever memory a long-lived one has gathered.
max_requests = 5000
max_requests_jitter = 500
# CourseKit writes its own JSON access line with the request id (COURSEKIT_ACCESS_LOG).
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Prometheus multiprocess mode: each worker writes its samples to files in this folder and
# /metrics adds them up, so a scrape sees the whole server and not one worker.
# Emptied here, as this file is read: the preloaded app creates its metrics before any hook.
_metrics = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "coursekit-metrics")
)
shutil.rmtree(_metrics, ignore_errors=True)
os.makedirs(_metrics, exist_ok=True)


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    # Connections opened in the master before the fork must not be shared by the workers.
    app = server.app.wsgi()
    state = app.extensions.get("coursekit")
    if state is not None:
        state.db.engine.dispose(close=False)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
