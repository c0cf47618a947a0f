"""Six personas and a small world for them to act on, for the authorisation matrix and the
fuzz tests: accounts, cohorts, progress and the rest built through the services, a private
Redis server on 127.0.0.1, signed-in clients with their CSRF tokens, and a snapshot of every
table to prove that a refused request changed nothing."""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coursekit.auth import services as accounts
from coursekit.auth.models import Role
from coursekit.certificates import batches
from coursekit.certificates import services as certificates
from coursekit.cohorts import services as cohorts
from coursekit.learn import services as learning
from coursekit.lti import registrations
from coursekit.models import Base
from coursekit.orgs.models import DEFAULT_ORGANISATION_ID
from coursekit.outbox import services as outbox
from coursekit.outbox.models import FAILED, OutboxMessage
from coursekit.roleplay import services as roleplays
from tests.conftest import MINI_CONTENT, PASSWORD, csrf_from, login
from tests.web.test_certificates import finish

ANONYMOUS, TRAINEE_A, TRAINEE_B = "anonymous", "trainee A", "trainee B"
INSTRUCTOR_A, INSTRUCTOR_B, ADMIN = "instructor A", "instructor B", "admin"
PERSONAS = (ANONYMOUS, TRAINEE_A, TRAINEE_B, INSTRUCTOR_A, INSTRUCTOR_B, ADMIN)
SIGNED_IN = frozenset(PERSONAS) - {ANONYMOUS}
ACCOUNTS = {  # persona: (email, name, role)
    TRAINEE_A: ("ana@example.com", "安娜", "trainee"),
    TRAINEE_B: ("ben@example.com", "Ben", "trainee"),
    INSTRUCTOR_A: ("wang@example.com", "王老师", "instructor"),
    INSTRUCTOR_B: ("lee@example.com", "Lee", "instructor"),
    ADMIN: ("root@example.com", "Root", "admin"),
}
VICTIM = ("vic@example.com", "Vic", "trainee")  # a spare account, for destructive fuzzing
METRICS_TOKEN = "matrix-scraper-token-0123456789"
LMS_ISSUER = "https://lms.example.com"


def settings(redis_url: str | None = None) -> dict[str, object]:
    """The app both modules test: the mini course, no rate limits (a refusal must come from
    authorisation, not from a limit), deliveries kept in the outbox, a metrics token."""
    return {
        "COURSEKIT_CONTENT_DIR": str(MINI_CONTENT),
        "COURSEKIT_REDIS_URL": redis_url,
        "COURSEKIT_OUTBOX_INLINE": False,
        "COURSEKIT_METRICS_TOKEN": METRICS_TOKEN,
        "RATELIMIT_ENABLED": False,
    }


@dataclass(frozen=True)
class World:
    """Trainee A's and cohort A's objects, which fill every URL parameter."""

    users: dict[str, int]  # persona: user id
    cohort_a: int
    cohort_b: int
    join_code: str
    certificate: str
    check_attempt: int
    finished_play: int
    active_play: int
    platform: int
    spare_platform: int  # an LMS nobody relies on, for destructive fuzzing
    victim: int
    message: int
    organisation: int
    job: str | None  # a certificate batch job of cohort A, when there is a Redis


def build_world(app: Flask, redis_url: str | None = None) -> World:
    state = app.extensions["coursekit"]
    session = state.db.sessionmaker()
    try:
        users = {
            persona: accounts.register(
                session, email=email, name=name, password=PASSWORD, role=Role(role)
            )
            for persona, (email, name, role) in ACCOUNTS.items()
        }
        cohort_a = cohorts.create(session, users[INSTRUCTOR_A], name="Cohort A", course_id="mini")
        cohort_b = cohorts.create(session, users[INSTRUCTOR_B], name="Cohort B", course_id="mini")
        trainee = users[TRAINEE_A].id
        cohorts.join(session, trainee, cohort_a.join_code)
        cohorts.join(session, users[TRAINEE_B].id, cohort_b.join_code)
        finish(app, trainee)  # every requirement met: a certificate
        cert = certificates.of_trainee(session, trainee, "mini")
        assert cert is not None
        finished = roleplays.attempts(session, trainee, "mini", "mini-call")[0]
        active = roleplays.start(session, trainee, state.course, "mini-call")
        platform = registrations.add_platform(
            session,
            name="Moodle",
            issuer=LMS_ISSUER,
            client_id="coursekit-tool",
            auth_login_url=f"{LMS_ISSUER}/auth",
            token_url=f"{LMS_ISSUER}/token",
            jwks_url=f"{LMS_ISSUER}/jwks",
            deployment_ids=["deployment-1"],
        )
        spare = registrations.add_platform(
            session,
            name="Spare",
            issuer="https://spare.example.com",
            client_id="spare-tool",
            auth_login_url="https://spare.example.com/auth",
            token_url="https://spare.example.com/token",
            jwks_url="https://spare.example.com/jwks",
        )
        victim = accounts.register(
            session, email=VICTIM[0], name=VICTIM[1], password=PASSWORD, role=Role(VICTIM[2])
        )
        message = _failed_delivery(session, trainee)
        world = World(
            users={persona: user.id for persona, user in users.items()},
            cohort_a=cohort_a.id,
            cohort_b=cohort_b.id,
            join_code=cohort_a.join_code,
            certificate=cert.code,
            check_attempt=learning.attempts(session, trainee, "mini", "one")[0].id,
            finished_play=finished.id,
            active_play=active.id,
            platform=platform.id,
            spare_platform=spare.id,
            victim=victim.id,
            message=message,
            organisation=DEFAULT_ORGANISATION_ID,
            job=_batch_job(redis_url, cohort_a.id) if redis_url else None,
        )
    finally:
        session.close()
    return world


def _failed_delivery(session, user_id: int) -> int:  # type: ignore[no-untyped-def]
    """A grade for trainee A that the LMS refused: the deliveries page offers a retry."""
    outbox.enqueue(
        session,
        [
            outbox.NewMessage(
                kind="ags-score",
                ordering_key=f"ags:{LMS_ISSUER}/lineitems/1:{user_id}",
                payload={
                    "lineitem": f"{LMS_ISSUER}/lineitems/1",
                    "score": {"scoreGiven": 80, "scoreMaximum": 100, "userId": "lms-1"},
                },
                idempotency_key="matrix-grade-1",
                user_id=user_id,
            )
        ],
    )
    message = session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    message.status, message.attempts, message.last_error = FAILED, 10, "400 line item closed"
    session.commit()
    return message.id


def _batch_job(redis_url: str, cohort_id: int) -> str:
    """A certificate batch job of cohort A, queued as start_batch queues one (no worker runs
    it here: its status page says it is waiting)."""
    from redis import Redis
    from rq import Queue

    queue = Queue(batches.QUEUE, connection=Redis.from_url(redis_url))
    job = queue.enqueue(
        batches.run_batch,
        cohort_id,
        "http://localhost/verify",
        meta={"cohort_id": cohort_id, "done": 0, "total": 1},
    )
    return job.id


def client_for(app: Flask, persona: str) -> FlaskClient:
    client = app.test_client()
    if persona != ANONYMOUS:
        login(client, ACCOUNTS[persona][0])
    return client


def csrf_token(client: FlaskClient) -> str:
    """The CSRF token of this client's session, from the language switcher on every page."""
    return csrf_from(client.get("/").get_data(as_text=True))


def snapshot(app: Flask) -> dict[str, list[str]]:
    """Every row of every CourseKit table, comparable before and after a request."""
    engine = app.extensions["coursekit"].db.engine
    with engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            for table in Base.metadata.sorted_tables
        }


def changed_tables(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def private_redis() -> Iterator[str | None]:
    """A Redis server of our own on 127.0.0.1 (nobody else's data to clash with); None when
    redis-server is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)
