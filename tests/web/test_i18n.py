"""Two languages: Accept-Language, the switcher on every page, the saved choice, the catalogue."""

import re

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from coursekit import paths
from tests.conftest import ROOT, csrf_from, login, post_form


def test_browser_language_picks_chinese(client: FlaskClient) -> None:
    html = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).get_data(
        as_text=True
    )
    assert '<html lang="zh-Hans">' in html
    assert "客户期望管理" in html and "登录" in html and "Log in" not in html


def test_default_is_english(client: FlaskClient) -> None:
    html = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "Managing Customer Expectations" in html


def test_switcher_is_on_every_page_and_remembers(client: FlaskClient, make_user) -> None:
    for url in ["/", "/login", "/register"]:
        html = client.get(url).get_data(as_text=True)
        assert 'name="lang" value="zh"' in html and 'name="lang" value="en"' in html, url
    response = post_form(client, "/login", url="/language", data={"lang": "zh", "next": "/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "登录" in client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_unknown_language_is_refused(client: FlaskClient) -> None:
    response = post_form(client, "/", url="/language", data={"lang": "xx"})
    assert response.status_code == 400


def test_a_users_choice_follows_them_to_other_devices(app, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(email="li@example.com")
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "li@example.com")
    html = phone.get("/").get_data(as_text=True)
    phone.post("/language", data={"csrf_token": csrf_from(html), "lang": "zh"})
    login(laptop, "li@example.com")
    lesson = laptop.get("/modules/m03-kinds-of-expectations", headers={"Accept-Language": "en"})
    html = lesson.get_data(as_text=True)
    assert "期望的四种类型" in html and "思考题" in html and "Reflection" not in html


def _forms(value: object) -> tuple[str, ...]:
    """A message id or string as a tuple: plural entries come as tuples or lists."""
    return tuple(value) if isinstance(value, (list, tuple)) else (str(value),)


def test_the_chinese_catalogue_is_complete() -> None:
    with open(paths.translations_dir() / "zh" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f)
    untranslated = [m.id for m in catalog if m.id and not all(_forms(m.string))]
    assert untranslated == []
    placeholder = re.compile(r"%\(\w+\)\w")
    for message in catalog:
        if message.id:
            wanted = {p for text in _forms(message.id) for p in placeholder.findall(text)}
            for text in _forms(message.string):
                assert set(placeholder.findall(text)) == wanted, message.id
    in_source = {
        _forms(message)[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT,
            method_map=[("coursekit/**.py", "python"), ("templates/**.html", "jinja2")],
            keywords={**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None},
        )
    }
    missing = in_source - {_forms(m.id)[0] for m in catalog}
    assert not missing, f"run `make translations` and translate: {sorted(missing)}"
    with open(paths.translations_dir() / "zh" / "LC_MESSAGES" / "messages.mo", "rb") as f:
        compiled = read_mo(f)
    assert {_forms(m.id): _forms(m.string) for m in compiled if m.id} == {
        _forms(m.id): _forms(m.string) for m in catalog if m.id
    }, "messages.mo is older than messages.po: run `make translations`"
