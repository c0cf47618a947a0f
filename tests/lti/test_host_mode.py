"""In host mode the host app signs people in: an LTI launch cannot, and is refused."""

import logging

from flask import Flask
from flask_login import LoginManager, UserMixin

from coursekit import CourseKit
from tests.conftest import MINI_CONTENT, SECRET
from tests.lti.flow import register
from tests.lti.platform import TestPlatform


def test_launches_are_refused_when_the_host_signs_people_in(
    database_url: str, platform: TestPlatform, caplog
) -> None:
    host = Flask("host")
    host.config.update(
        SECRET_KEY=SECRET,
        COURSEKIT_DATABASE_URL=database_url,
        COURSEKIT_CONTENT_DIR=str(MINI_CONTENT),
        RATELIMIT_STORAGE_URI="memory://",
    )
    LoginManager(host).user_loader(lambda user_id: UserMixin())
    CourseKit(host)
    try:
        register(host, platform)
        client = host.test_client()
        with caplog.at_level(logging.INFO, logger="coursekit.lti"):
            login = client.get("/training/lti/login", query_string=platform.login_params())
            launch = client.post("/training/lti/launch", data={"id_token": "x", "state": "y"})
        for response in (login, launch):
            assert response.status_code == 403
            assert "signs people in through its host application" in response.get_data(as_text=True)
        assert (
            "LTI login refused (403)" in caplog.text and "LTI launch refused (403)" in caplog.text
        )
        assert client.get("/training/lti/jwks").status_code == 200  # the rest still works
    finally:
        host.extensions["coursekit"].db.dispose()
