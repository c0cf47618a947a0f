"""The tool's LTI private keys are sealed at rest under COURSEKIT_KEY_ENCRYPTION_KEYS (a
setting apart from the secret key): a copy of the database alone holds no usable key; keys
stored in the clear before are read and can be sealed; the sealing key rotates."""

import jwt
import pytest
from cryptography.fernet import Fernet
from flask import Flask
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select

from coursekit.lti import keys
from coursekit.lti.models import ToolKey
from coursekit.lti.sealed import SealError
from coursekit.lti.tokens import sign
from tests.conftest import KEY_ENCRYPTION_KEY


def stored(app: Flask) -> list[str]:
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        return list(session.scalars(select(ToolKey.private_pem).order_by(ToolKey.id)))
    finally:
        session.close()


def signs_and_verifies(app: Flask) -> bool:
    session = app.extensions["coursekit"].db.sessionmaker()
    with app.app_context():
        try:
            current = keys.current_key(session)
            [public] = [k for k in keys.published_keys(session) if k["kid"] == current.kid]
        finally:
            session.close()
    token = sign({"iss": "coursekit", "aud": "lms"}, current)
    claims = jwt.decode(token, RSAAlgorithm.from_jwk(public), algorithms=["RS256"], audience="lms")
    return claims["iss"] == "coursekit"


def test_a_new_key_is_stored_sealed(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    assert app.test_client().get("/lti/jwks").status_code == 200  # makes the first key
    [pem] = stored(app)
    assert pem.startswith("fernet:") and "PRIVATE KEY" not in pem
    assert signs_and_verifies(app)


def test_keys_from_before_sealing_work_and_are_sealed_by_the_command(make_app) -> None:  # type: ignore[no-untyped-def]
    clear = make_app(COURSEKIT_KEY_ENCRYPTION_KEYS=())  # a development set-up: no sealing
    clear.test_client().get("/lti/jwks")
    [pem] = stored(clear)
    assert "PRIVATE KEY" in pem
    app = make_app()  # the same database, now with a sealing key
    assert signs_and_verifies(app)  # a key in the clear is still read
    result = app.test_cli_runner().invoke(args=["coursekit", "lti", "reseal-keys"])
    assert result.exit_code == 0 and "1 key(s) sealed" in result.output
    [sealed] = stored(app)
    assert sealed.startswith("fernet:") and signs_and_verifies(app)


def test_the_sealing_key_rotates(make_app) -> None:  # type: ignore[no-untyped-def]
    old = make_app()
    old.test_client().get("/lti/jwks")
    new_key = Fernet.generate_key().decode()
    both = make_app(COURSEKIT_KEY_ENCRYPTION_KEYS=[new_key, KEY_ENCRYPTION_KEY])
    assert signs_and_verifies(both)  # the old key still opens what it sealed
    assert both.test_cli_runner().invoke(args=["coursekit", "lti", "reseal-keys"]).exit_code == 0
    only_new = make_app(COURSEKIT_KEY_ENCRYPTION_KEYS=new_key)  # as the environment gives it
    assert signs_and_verifies(only_new)
    only_old = make_app()
    with pytest.raises(SealError, match="no key in COURSEKIT_KEY_ENCRYPTION_KEYS opens"):
        signs_and_verifies(only_old)


def test_a_sealed_key_without_the_setting_is_a_clear_error(make_app) -> None:  # type: ignore[no-untyped-def]
    make_app().test_client().get("/lti/jwks")
    bare = make_app(COURSEKIT_KEY_ENCRYPTION_KEYS=())
    with pytest.raises(SealError, match="set COURSEKIT_KEY_ENCRYPTION_KEYS"):
        signs_and_verifies(bare)
    result = bare.test_cli_runner().invoke(args=["coursekit", "lti", "reseal-keys"])
    assert result.exit_code != 0 and "set COURSEKIT_KEY_ENCRYPTION_KEYS first" in result.output
