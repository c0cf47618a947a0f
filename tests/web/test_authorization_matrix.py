"""Every route of the app, every method, as six personas, against an explicit policy table:
the allowed get through, the refused are refused (a visitor sent to sign in, anyone else a
403 or a 404) and leave every table exactly as it was. A route the table does not classify
fails the suite, so no new route ships unreviewed."""

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from coursekit.cohorts import services as cohorts
from tests.web import personas as p
from tests.web.personas import ADMIN, INSTRUCTOR_A, INSTRUCTOR_B, PERSONAS, TRAINEE_A
from tests.web.route_requests import FORMS, QUERIES, pending_deep_link, restore, url_values

LOGIN, SIGN_UP, REFUSED = "the login page", "the sign-up page", "a 4xx"


@dataclass(frozen=True)
class Policy:
    who: str  # in words
    allowed: frozenset[str]
    anonymous: str = LOGIN  # what a refused visitor gets
    refusals: frozenset[int] = frozenset({403, 404})  # what a refused persona gets


def _policy(who: str, *allowed: str, **extra: object) -> Policy:
    return Policy(who, frozenset(allowed), **extra)  # type: ignore[arg-type]


PUBLIC = _policy("anyone", *PERSONAS)
SIGNED_IN = _policy("any signed-in user", *p.SIGNED_IN)
JOINING = _policy("any signed-in user; a visitor signs up first", *p.SIGNED_IN, anonymous=SIGN_UP)
OWNER = _policy("the trainee whose work it is", TRAINEE_A)
WORK = _policy("the trainee, their cohort's instructors, admins", TRAINEE_A, INSTRUCTOR_A, ADMIN)
COHORT = _policy("the cohort's instructors, admins", INSTRUCTOR_A, ADMIN)
INSTRUCTORS = _policy("instructors, admins", INSTRUCTOR_A, INSTRUCTOR_B, ADMIN)
ADMINS = _policy("admins", ADMIN)
# The LMS's own requests, proven by what it signed (an id_token, a SCORM credential, a
# one-time link or registration token) and never by a session: refused to all six here.
LMS = _policy("an LMS, with its signed message", anonymous=REFUSED, refusals={400, 401, 403, 404})
SCORM_LAUNCHED = _policy("a browser a SCORM package launched", anonymous=REFUSED, refusals={403})
SCRAPER = _policy("the metrics scraper's bearer token", anonymous=REFUSED, refusals={403})
# Every signed-in persona has a pending deep-linking request in its session here (as if its
# LMS had launched it): only instructors may answer one.
DEEP_LINKING = _policy(
    "an instructor answering their LMS's deep-linking request",
    INSTRUCTOR_A,
    INSTRUCTOR_B,
    ADMIN,
    refusals={400},
)

POLICY: dict[str, Policy] = {
    "coursekit.auth.change_password": SIGNED_IN,
    # Only the person a roster invited may answer (nobody in this world has an invitation).
    "coursekit.cohorts.answer_invitation": _policy("the person the roster invited"),
    "coursekit.auth.sign_out_everywhere": SIGNED_IN,
    "coursekit.auth.login": PUBLIC,
    "coursekit.auth.logout": PUBLIC,
    "coursekit.auth.register": PUBLIC,
    "coursekit.certificates.batch": COHORT,
    "coursekit.certificates.batch_download": COHORT,
    "coursekit.certificates.batch_status": COHORT,
    "coursekit.certificates.download": WORK,
    "coursekit.certificates.reissue": COHORT,
    "coursekit.certificates.revoke": COHORT,
    "coursekit.certificates.start_batch": COHORT,
    "coursekit.certificates.verify": PUBLIC,
    "coursekit.certificates.verify_form": PUBLIC,
    "coursekit.cohorts.archive": COHORT,
    "coursekit.cohorts.code": COHORT,
    "coursekit.cohorts.create": INSTRUCTORS,
    "coursekit.cohorts.dashboard": COHORT,
    "coursekit.cohorts.edit": COHORT,
    "coursekit.cohorts.export_csv": COHORT,
    "coursekit.cohorts.index": INSTRUCTORS,
    "coursekit.cohorts.join": SIGNED_IN,
    "coursekit.cohorts.join_with_code": JOINING,
    "coursekit.cohorts.projector": COHORT,
    "coursekit.cohorts.roster": COHORT,
    "coursekit.cohorts.trainee": COHORT,
    "coursekit.learn.attempt": WORK,
    "coursekit.learn.check": SIGNED_IN,
    "coursekit.learn.lesson": SIGNED_IN,
    "coursekit.learn.lesson_done": SIGNED_IN,
    "coursekit.learn.resume": SIGNED_IN,
    "coursekit.learn.submit_check": SIGNED_IN,
    "coursekit.lti.jwks": PUBLIC,
    "coursekit.lti.launch": LMS,
    "coursekit.lti.login": PUBLIC,  # starts a sign-in at a registered LMS, nothing more
    "coursekit.lti.open_window": LMS,
    "coursekit.lti.session_check": PUBLIC,
    "coursekit.lti_admin.add_deployment": ADMINS,
    "coursekit.lti_admin.add_platform": ADMINS,
    "coursekit.lti_admin.index": ADMINS,
    "coursekit.lti_admin.new_registration_url": ADMINS,
    "coursekit.lti_admin.remove_platform": ADMINS,
    "coursekit.lti_admin.rotate_key": ADMINS,
    "coursekit.lti_dynamic.canvas_configuration": PUBLIC,
    "coursekit.lti_dynamic.register": LMS,
    "coursekit.lti_picker.pick": DEEP_LINKING,
    "coursekit.lti_roster.sync": COHORT,
    "coursekit.metrics.metrics": SCRAPER,
    "coursekit.ops.healthz": PUBLIC,
    "coursekit.ops.readyz": PUBLIC,
    "coursekit.orgs.edit_branding": ADMINS,
    "coursekit.orgs.index": ADMINS,
    "coursekit.orgs.sample": ADMINS,
    "coursekit.outbox.index": INSTRUCTORS,
    "coursekit.outbox.retry": COHORT,
    "coursekit.privacy.erase": ADMINS,
    "coursekit.privacy.my_data": SIGNED_IN,
    "coursekit.privacy.people": ADMINS,
    "coursekit.privacy.person": ADMINS,
    "coursekit.privacy.person_data": ADMINS,
    "coursekit.roleplay.begin": SIGNED_IN,
    "coursekit.roleplay.classify": OWNER,
    "coursekit.roleplay.intro": SIGNED_IN,
    "coursekit.roleplay.play": OWNER,  # an instructor reviews a conversation, never plays it
    "coursekit.roleplay.review": WORK,
    "coursekit.roleplay.step": OWNER,
    "coursekit.scorm.launch": LMS,
    "coursekit.scorm.player": SCORM_LAUNCHED,
    "coursekit.scorm.status": SCORM_LAUNCHED,
    "coursekit.site.index": PUBLIC,
    "coursekit.site.language": PUBLIC,
    "coursekit.static": PUBLIC,
}

# Destructive for the data the other routes need: tried last (the admin, last of all).
LAST = ("coursekit.lti_admin.remove_platform", "coursekit.privacy.erase")
# These sign the client in or out: the persona signs in afresh afterwards.
RESETS_SESSION = {
    "auth.login",
    "auth.logout",
    "auth.register",
    "auth.change_password",
    "auth.sign_out_everywhere",
}
NEEDS_REDIS = {"coursekit.certificates.batch_status", "coursekit.certificates.batch_download"}


def routes(app: Flask) -> list[tuple[str, str]]:
    """(endpoint, method) for every rule, minus HEAD and OPTIONS."""
    found = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }
    return sorted(found, key=lambda r: (r[0] in LAST and LAST.index(r[0]) + 1, r[0], r[1]))


# --- the expectations ------------------------------------------------------------------


def _redirect_path(response) -> str | None:  # type: ignore[no-untyped-def]
    if response.status_code not in (301, 302, 303, 307, 308):
        return None
    return urlsplit(response.headers["Location"]).path


def verdict(policy: Policy, persona: str, response) -> str | None:  # type: ignore[no-untyped-def]
    """None when the response is what the policy expects, else what is wrong."""
    status, target = response.status_code, _redirect_path(response)
    if status >= 500:
        return f"server error {status}"
    if persona in policy.allowed:
        if status in (401, 403, 404) or target in ("/login", "/register"):
            return f"refused ({status} {target or ''}) but the policy allows it"
        return None
    if persona == p.ANONYMOUS and policy.anonymous != REFUSED:
        wanted = "/login" if policy.anonymous == LOGIN else "/register"
        return None if target == wanted else f"expected a redirect to {wanted}, got {status}"
    refusals = policy.refusals | ({401} if persona == p.ANONYMOUS else set())
    return None if status in refusals else f"expected one of {sorted(refusals)}, got {status}"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str | None]:
    yield from p.private_redis()


def test_every_route_is_classified(mini_app: Flask) -> None:
    endpoints = {rule.endpoint for rule in mini_app.url_map.iter_rules()}
    assert sorted(endpoints - POLICY.keys()) == [], "routes missing from the policy table"
    assert sorted(POLICY.keys() - endpoints) == [], "policy entries for routes that are gone"


def test_the_scraper_token_opens_the_metrics(make_app) -> None:  # type: ignore[no-untyped-def]
    client = make_app(**p.settings()).test_client()
    assert client.get("/metrics").status_code == 403
    bearer = {"Authorization": f"Bearer {p.METRICS_TOKEN}"}
    assert client.get("/metrics", headers=bearer).status_code == 200


def test_pages_open_to_others_show_nothing_of_trainee_a(make_app) -> None:  # type: ignore[no-untyped-def]
    """Lists and public pages that several personas may open: only what each may see."""
    app = make_app(**p.settings())
    world = p.build_world(app)
    email, name = p.ACCOUNTS[TRAINEE_A][:2]

    def page(persona: str, url: str) -> str:
        response = p.client_for(app, persona).get(url)
        assert response.status_code == 200, url
        return response.get_data(as_text=True)

    assert "Cohort A" not in page(INSTRUCTOR_B, "/cohorts")
    assert "Cohort A" in page(INSTRUCTOR_A, "/cohorts")
    assert name not in page(INSTRUCTOR_B, "/deliveries")
    assert name in page(INSTRUCTOR_A, "/deliveries")
    public = page(p.ANONYMOUS, f"/verify/{world.certificate}")
    assert name in public and email not in public  # name, course and date only
    assert world.certificate not in page(p.TRAINEE_B, "/")
    mine = page(p.TRAINEE_B, "/account/data.json")
    assert email not in mine and name not in mine


def test_batch_pages_without_a_job_queue_are_not_found(make_app, make_user) -> None:  # type: ignore[no-untyped-def]
    """Without Redis every batch is built inline, so no job id exists: a clear 404 page
    (this used to crash on a Redis connection to nowhere)."""
    app = make_app(**p.settings())
    wang = make_user(email="wang@example.com", role="instructor", target=app)
    session = app.extensions["coursekit"].db.sessionmaker()
    cohort = cohorts.create(session, wang, name="Workshop", course_id="mini").id
    session.close()
    client = p.client_for(app, INSTRUCTOR_A)
    for suffix in ("", ".zip"):
        response = client.get(f"/cohorts/{cohort}/certificates/batch/0123abcd{suffix}")
        assert response.status_code == 404
        assert "certificates are prepared at once here" in response.get_data(as_text=True)


def send(
    app: Flask, world: p.World, client: FlaskClient, route: tuple[str, str], url: str, token: str
):  # type: ignore[no-untyped-def]
    """The request an authorised user would make (see route_requests), read and closed."""
    endpoint, method = route
    if endpoint == "coursekit.lti_picker.pick":
        pending_deep_link(client, world)
    if method == "GET":
        response = client.get(url, query_string=QUERIES.get(endpoint, {}))
    else:
        form = FORMS.get(endpoint, lambda a, w, c: {})(app, world, client)
        response = client.post(url, data={"csrf_token": token, **form})
    response.get_data()
    response.close()  # a streamed response keeps its request context (and `g`) until closed
    return response


def test_every_route_as_every_persona(make_app, redis_url) -> None:  # type: ignore[no-untyped-def]
    app = make_app(**p.settings(redis_url))
    world = p.build_world(app, redis_url)
    clients = {persona: p.client_for(app, persona) for persona in PERSONAS}
    tokens = {persona: p.csrf_token(client) for persona, client in clients.items()}
    failures, rows = [], []
    for endpoint, method in routes(app):
        policy = POLICY[endpoint]
        rule = next(app.url_map.iter_rules(endpoint))
        with app.test_request_context():
            values = url_values(world, endpoint)
            url = app.url_for(endpoint, **{k: values[k] for k in rule.arguments})
        seen = []
        for persona in PERSONAS:
            refused = persona not in policy.allowed
            before = p.snapshot(app) if refused else None
            response = send(app, world, clients[persona], (endpoint, method), url, tokens[persona])
            seen.append(f"{persona}={response.status_code}")
            problem = verdict(policy, persona, response)
            if endpoint in NEEDS_REDIS and redis_url is None and persona in policy.allowed:
                problem = None  # no job to show without a Redis: only the refusals are checked
            if problem:
                failures.append(f"{method} {endpoint} as {persona}: {problem}")
            if before is not None:
                if changed := p.changed_tables(before, p.snapshot(app)):
                    failures.append(f"{method} {endpoint} as {persona}: refused, changed {changed}")
            elif endpoint.removeprefix("coursekit.") in RESETS_SESSION:
                clients[persona] = p.client_for(app, persona)
                tokens[persona] = p.csrf_token(clients[persona])
            else:
                restore(app, world, endpoint)
        rows.append(f"{method:4} {endpoint:45} {policy.who:55} {' '.join(seen)}")
    print("\n".join(rows))  # the matrix, with -s
    assert not failures, "\n".join(failures)
