"""CourseKit as an extension inside a host app, configuration, and refusing to start."""

import shutil
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask_login import LoginManager, UserMixin, login_user

from coursekit import CourseKit, create_app
from coursekit.auth.services import ExternalPerson
from coursekit.config import DEV_SECRET_KEY, from_environment
from coursekit.domain.content import ContentError
from tests.conftest import MINI_CONTENT, SECRET

HOSTS: list[Flask] = []


@pytest.fixture(autouse=True)
def _dispose_hosts():  # type: ignore[no-untyped-def]
    yield
    while HOSTS:
        state = HOSTS.pop().extensions.get("coursekit")
        if state is not None:
            state.db.dispose()


def make_host(tmp_path: Path, database_url: str, **settings: object) -> Flask:
    """A host app with its own route and its own template folder overriding base.html."""
    templates = tmp_path / "host_templates" / "coursekit"
    templates.mkdir(parents=True)
    (templates / "base.html").write_text(
        '{% extends "coursekit-original/coursekit/base.html" %}'
        '{% block head %}<meta name="host-brand" content="acme">{% endblock %}',
        encoding="utf-8",
    )
    host = Flask("host", template_folder=str(tmp_path / "host_templates"))
    host.config.update(
        SECRET_KEY=SECRET,
        COURSEKIT_DATABASE_URL=database_url,
        COURSEKIT_URL_PREFIX="/training",
        COURSEKIT_ORGANISATION_NAME="Acme Training",
        COURSEKIT_ORGANISATION_LOGO="https://acme.example/logo.png",
        RATELIMIT_STORAGE_URI="memory://",
        **settings,
    )

    @host.get("/")
    def home() -> str:
        return render_template_string("host home")

    HOSTS.append(host)
    return host


def test_host_mounts_the_course_under_a_prefix(tmp_path: Path, database_url: str) -> None:
    host = make_host(tmp_path, database_url)
    CourseKit(host)
    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "host home"
    page = client.get("/training/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'content="acme"' in html  # the host's template override is used
    assert "Acme Training" in html and "https://acme.example/logo.png" in html
    assert 'href="/training/login"' in html  # links follow the prefix
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "Content-Security-Policy" not in client.get("/").headers  # host pages untouched
    with client.get("/training/static/coursekit.css") as css:
        assert css.status_code == 200


def test_init_app_style_and_second_registration_refused(tmp_path: Path, database_url: str) -> None:
    host = make_host(tmp_path, database_url)
    extension = CourseKit()
    extension.init_app(host)
    assert "coursekit" in host.extensions
    with pytest.raises(RuntimeError, match="already set up"):
        extension.init_app(host)


def test_host_login_is_mapped_to_a_learner(tmp_path: Path, database_url: str) -> None:
    class HostUser(UserMixin):
        def __init__(self, user_id: str):
            self.id = user_id

    def identity(user: HostUser) -> ExternalPerson:
        return ExternalPerson("host", user.id, f"{user.id}@acme.example", f"Host {user.id}")

    host = make_host(tmp_path, database_url, COURSEKIT_HOST_IDENTITY=identity)
    manager = LoginManager(host)
    manager.login_view = "host_login"
    manager.user_loader(HostUser)

    @host.get("/host-login/")
    @host.get("/host-login/<name>")
    def host_login(name: str = "nobody") -> str:
        login_user(HostUser(name))
        return "ok"

    CourseKit(host)
    client = host.test_client()
    assert client.get("/training/login").status_code == 404  # the host signs people in
    assert client.get("/training/modules/m01-what-are-expectations").status_code == 302
    client.get("/host-login/kim")
    page = client.get("/training/modules/m01-what-are-expectations")
    assert page.status_code == 200
    assert client.get("/training/").get_data(as_text=True).count("Log out") == 0
    session = host.extensions["coursekit"].db.sessionmaker()
    from coursekit.auth.services import find_by_email

    assert find_by_email(session, "kim@acme.example").name == "Host kim"
    session.close()


def test_standalone_app_serves_at_the_root(app: Flask) -> None:
    assert app.config["COURSEKIT_URL_PREFIX"] == ""
    assert app.test_client().get("/").status_code == 200


def test_environment_configures_the_standalone_app() -> None:
    settings = from_environment(
        {
            "COURSEKIT_SECRET_KEY": "abc",
            "COURSEKIT_URL_PREFIX": "/learn",
            "COURSEKIT_REGISTRATION_OPEN": "false",
            "COURSEKIT_MIN_PASSWORD_LENGTH": "12",
            "OTHER": "ignored",
        }
    )
    assert settings == {
        "SECRET_KEY": "abc",
        "COURSEKIT_URL_PREFIX": "/learn",
        "COURSEKIT_REGISTRATION_OPEN": False,
        "COURSEKIT_MIN_PASSWORD_LENGTH": 12,
    }


@pytest.mark.parametrize("secret", [None, DEV_SECRET_KEY, "short"])
def test_production_refuses_a_default_or_weak_secret(database_url: str, secret: str | None) -> None:
    config = {"COURSEKIT_PRODUCTION": True, "COURSEKIT_DATABASE_URL": database_url}
    if secret:
        config["SECRET_KEY"] = secret
    with pytest.raises(RuntimeError, match="refuses to start in production"):
        create_app(config)


def test_production_refuses_to_start_without_a_key_encryption_key(make_app) -> None:
    with pytest.raises(RuntimeError, match="without COURSEKIT_KEY_ENCRYPTION_KEYS"):
        make_app(COURSEKIT_PRODUCTION=True, COURSEKIT_KEY_ENCRYPTION_KEYS=())


def test_production_with_a_real_secret_sets_secure_cookies(make_app) -> None:
    app = make_app(COURSEKIT_PRODUCTION=True)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = app.test_client().get("/")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_invalid_content_stops_the_app_with_the_problems(make_app, tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(MINI_CONTENT, root)
    (root / "checks" / "two.yaml").write_text("questions: []\n", encoding="utf-8")
    with pytest.raises(
        ContentError, match=r"content/checks/two.yaml: questions: .*at least 1 item"
    ):
        make_app(COURSEKIT_CONTENT_DIR=str(root))
