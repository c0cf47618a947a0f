"""CourseKit's RQ queue on Redis (COURSEKIT_REDIS_URL): certificate batches and outbox
deliveries go through it, and `flask coursekit worker` runs them."""

from typing import Any

from flask import current_app

from .certificates.batches import QUEUE
from .state import get_state


def job_queue() -> Any:
    """The app's queue, made on first use and kept: its Redis client's connection pool is
    then reused by every request that queues a job, instead of a new connection each time
    (redis-py gives a forked worker process a fresh pool of its own)."""
    state = get_state()
    if state.job_queue is None:
        from redis import Redis
        from rq import Queue

        redis = Redis.from_url(current_app.config["COURSEKIT_REDIS_URL"])
        state.job_queue = Queue(QUEUE, connection=redis)
    return state.job_queue
