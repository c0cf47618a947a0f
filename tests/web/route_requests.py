"""What a request to each route carries when an authorised user makes it: URL parameters
filled with trainee A's and cohort A's objects, and the form that would make the action
succeed (so that a refusal can only come from authorisation, never from a missing field).
Shared by the authorisation matrix and the fuzz tests."""

import io
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from coursekit.auth.models import User
from coursekit.certificates import services as certificates
from coursekit.cohorts import services as cohorts
from coursekit.cohorts.models import Cohort
from coursekit.domain.quiz import answers_to_form, correct_answers
from coursekit.lti.picker import DEEP_LINK_KEY
from coursekit.outbox.models import FAILED, OutboxMessage
from coursekit.roleplay.models import RoleplayAttempt
from tests.conftest import PASSWORD
from tests.web.personas import ACCOUNTS, ADMIN, LMS_ISSUER, TRAINEE_A, World


def url_values(world: World, endpoint: str) -> dict[str, object]:
    """Every URL parameter, filled with trainee A's or cohort A's object."""
    attempt = {
        "coursekit.learn.attempt": world.check_attempt,
        "coursekit.roleplay.play": world.active_play,
        "coursekit.roleplay.step": world.active_play,
        "coursekit.roleplay.classify": world.active_play,
    }.get(endpoint, world.finished_play)
    code = world.join_code if endpoint.startswith("coursekit.cohorts.") else world.certificate
    return {
        "cohort_id": world.cohort_a,
        "user_id": world.users[TRAINEE_A],
        "module_id": "one",
        "scenario_id": "mini-call",
        "attempt_id": attempt,
        "code": code,
        "org_id": world.organisation,
        "platform_id": world.platform,
        "message_id": world.message,
        "job_id": world.job or "no-such-job",
        "kind": "matrix",
        "filename": "coursekit.css",
        "value": "not-a-one-time-link",
        "token": "not-a-registration-token",
    }


LMS_LOGIN = {
    "iss": LMS_ISSUER,
    "login_hint": "lms-user-1",
    "target_link_uri": "http://localhost/lti/launch",
    "client_id": "coursekit-tool",
}


def _ticket_and_answers(app: Flask, client: FlaskClient) -> dict[str, object]:
    """A complete, correct submission on a ticket issued to this client's persona."""
    page = client.get("/modules/one/check").get_data(as_text=True)
    found = re.search(r'name="ticket"[^>]*value="([^"]+)"', page)
    module = app.extensions["coursekit"].course.module("one")
    answers = answers_to_form(correct_answers(module.check))
    return {"ticket": found.group(1) if found else "", **answers}


def _next_step(app: Flask, world: World) -> dict[str, object]:
    """The move trainee A could make next in the conversation, as the page would post it."""
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        attempt = session.get(RoleplayAttempt, world.active_play)
        scenario = app.extensions["coursekit"].course.roleplays["mini-call"]
        choices = scenario.node(attempt.node_id).choices  # none once the conversation ended
        choice = choices[0].id if choices else "ask"
        return {"position": attempt.step_count, "node": attempt.node_id, "choice": choice}
    finally:
        session.close()


Form = Callable[[Flask, World, FlaskClient], dict[str, object]]
# What an authorised user would send to make each action succeed, so that a refusal can only
# come from authorisation, never from a missing field.
FORMS: dict[str, Form] = {
    "coursekit.auth.change_password": lambda a, w, c: {
        "current_password": PASSWORD,
        "password": PASSWORD,
        "confirm": PASSWORD,
    },
    "coursekit.auth.login": lambda a, w, c: {"email": "nobody@example.com", "password": "wrong"},
    "coursekit.certificates.reissue": lambda a, w, c: {"reason": "name corrected", "name": "安娜"},
    "coursekit.certificates.revoke": lambda a, w, c: {"reason": "issued in error"},
    "coursekit.cohorts.archive": lambda a, w, c: {"archived": "1"},
    "coursekit.cohorts.code": lambda a, w, c: {"action": "rotate"},
    "coursekit.cohorts.create": lambda a, w, c: {"name": "Another cohort"},
    "coursekit.cohorts.edit": lambda a, w, c: {"name": "Cohort A", "co_instructors": ""},
    "coursekit.cohorts.join": lambda a, w, c: {"code": w.join_code},
    "coursekit.cohorts.join_with_code": lambda a, w, c: {"code": w.join_code},
    "coursekit.cohorts.roster": lambda a, w, c: {
        "roster": (io.BytesIO("name,email\n赵六,zhao@example.com\n".encode()), "roster.csv")
    },
    "coursekit.learn.submit_check": lambda a, w, c: _ticket_and_answers(a, c),
    "coursekit.lti.launch": lambda a, w, c: {"id_token": "a.forged.token", "state": "forged"},
    "coursekit.lti.login": lambda a, w, c: LMS_LOGIN,
    "coursekit.lti_admin.add_deployment": lambda a, w, c: {"deployment_id": "deployment-2"},
    "coursekit.lti_admin.add_platform": lambda a, w, c: {
        "issuer": "https://canvas.example.com",
        "client_id": "client-2",
        "auth_login_url": "https://canvas.example.com/auth",
        "token_url": "https://canvas.example.com/token",
        "jwks_url": "https://canvas.example.com/jwks",
    },
    "coursekit.lti_picker.pick": lambda a, w, c: {"target": "module:one", "submit": "Add"},
    "coursekit.orgs.edit_branding": lambda a, w, c: {
        "certificate_issuer": "Acme Academy",
        "certificate_accent": "#0b5cad",
    },
    "coursekit.privacy.erase": lambda a, w, c: {"confirm_email": ACCOUNTS[TRAINEE_A][0]},
    "coursekit.roleplay.step": lambda a, w, c: _next_step(a, w),
    "coursekit.scorm.launch": lambda a, w, c: {"credential": "forged", "learner_id": "lms-1"},
    "coursekit.site.language": lambda a, w, c: {"lang": "en"},
}
QUERIES: dict[str, dict[str, str]] = {
    "coursekit.auth.login": {"next": "/modules/one"},
    "coursekit.auth.register": {"next": "/join/ABCDEF"},
    "coursekit.certificates.verify_form": {"code": "abcd efgh jkmn pqrs"},
    "coursekit.cohorts.dashboard": {"sort": "progress", "page": "1"},
    "coursekit.lti.login": LMS_LOGIN,
    "coursekit.lti_dynamic.register": {
        "openid_configuration": f"{LMS_ISSUER}/.well-known/openid-configuration",
        "registration_token": "registration-token",
    },
    "coursekit.privacy.people": {"q": "example", "page": "1"},
}


def pending_deep_link(client: FlaskClient, world: World) -> None:
    with client.session_transaction() as session:
        session[DEEP_LINK_KEY] = {
            "platform_id": world.platform,
            "deployment_id": "deployment-1",
            "return_url": f"{LMS_ISSUER}/deep-link-return",
            "data": None,
        }


def restore(app: Flask, world: World, endpoint: str) -> None:
    """After an allowed request that changed what the next ones rely on: put it back."""
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        admin = session.get(User, world.users[ADMIN])
        if endpoint == "coursekit.cohorts.archive":
            cohorts.set_archived(session, world.cohort_a, admin, False)
        elif endpoint == "coursekit.cohorts.code":  # the code on the projector, as before
            session.execute(
                update(Cohort).where(Cohort.id == world.cohort_a).values(join_code=world.join_code)
            )
        elif endpoint == "coursekit.certificates.revoke":
            certificates.reissue(session, world.certificate, admin, "revoked by the matrix test")
        elif endpoint == "coursekit.outbox.retry":
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id == world.message).values(status=FAILED)
            )
        session.commit()
    finally:
        session.close()
