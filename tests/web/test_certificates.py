"""Certificates: issued once on completion, the PDF read back, verification, access,
revocation and re-issue, the cohort zip and the doctor."""

import io
import logging
import re
import zipfile

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from coursekit.certificates import services as certificates
from coursekit.certificates.models import Certificate
from coursekit.cohorts import services as cohorts
from coursekit.domain.quiz import answers_to_form, correct_answers
from coursekit.learn import services as learning
from coursekit.learn.tickets import issue_ticket
from coursekit.roleplay import services as roleplays
from tests.conftest import login, post_form

LONG_NAME = (
    "Maximilian Alexander Konstantin von Hohenberg-Schwarzenfeld und Lichtenstein "
    "de la Vega y Montoya Fitzgerald-Oyelaran"
)[:120]


def finish(app: Flask, user_id: int, *, skip_last: bool = False) -> None:
    """Do everything the small course asks, through the services (as the web would)."""
    state = app.extensions["coursekit"]
    course = state.course
    with app.app_context():
        session = state.db.sessionmaker()
        try:
            for module in course.modules:
                learning.complete_lesson(session, user_id, course.id, module.id)
                if skip_last and module is course.modules[-1]:
                    continue
                _token, ticket = issue_ticket(app.secret_key, user_id, module.id, module.check.hash)
                learning.submit_check(
                    session,
                    user_id=user_id,
                    course=course,
                    module=module,
                    ticket=ticket,
                    form=answers_to_form(correct_answers(module.check)),
                )
            roleplays.play_path(session, user_id, course, "mini-call", ["check", "basics"])
        finally:
            session.close()


def certificate_of(app: Flask, user_id: int) -> Certificate | None:
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        return certificates.of_trainee(session, user_id, "mini")
    finally:
        session.close()


@pytest.fixture
def trainee(mini_app: Flask, make_user):  # type: ignore[no-untyped-def]
    return make_user(email="wei@example.com", name="张伟", target=mini_app)


def download(client: FlaskClient, code: str):  # type: ignore[no-untyped-def]
    return client.get(f"/certificates/{code}.pdf")


def test_issued_once_when_the_last_requirement_is_met(
    mini_app: Flask, mini_client, trainee
) -> None:
    login(mini_client, "wei@example.com")
    finish(mini_app, trainee.id, skip_last=True)
    assert certificate_of(mini_app, trainee.id) is None
    page = mini_client.get("/").get_data(as_text=True)
    assert "Complete these to receive your certificate:" in page
    assert "Pass the knowledge check: Module two" in page
    finish(mini_app, trainee.id)  # again, now with the last check: issued; then more work
    cert = certificate_of(mini_app, trainee.id)
    assert cert is not None and re.fullmatch(r"([A-HJ-NP-Z2-9]{4}-){3}[A-HJ-NP-Z2-9]{4}", cert.code)
    assert (cert.name, cert.hours, cert.language) == ("张伟", 1.5, "en")
    finish(mini_app, trainee.id)
    session = mini_app.extensions["coursekit"].db.sessionmaker()
    assert session.scalar(select(func.count()).select_from(Certificate)) == 1  # never twice
    session.close()
    page = mini_client.get("/").get_data(as_text=True)
    assert f"/certificates/{cert.code}.pdf" in page and f"/verify/{cert.code}" in page


@pytest.mark.parametrize(
    "name", ["张伟", "欧阳娜娜", "Zoë Ñúñez", "山田太郎", "김민준", "刘䶮", LONG_NAME]
)
def test_the_pdf_reads_back(mini_app: Flask, make_user, name: str, caplog) -> None:
    user = make_user(email="n@example.com", name=name, target=mini_app)
    finish(mini_app, user.id)
    client = mini_app.test_client()
    login(client, "n@example.com")
    code = certificate_of(mini_app, user.id).code
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        response = download(client, code)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", name) in flat  # the name, whole, in any script
    assert code in flat and "Mini course" in text and "Certificate of Completion" in text
    fonts = _embedded_fonts(reader)
    assert fonts and all(embedded for embedded in fonts.values()), fonts
    if any(ord(ch) > 0x2E80 for ch in name):
        assert any("CK-CJK" in font for font in fonts), fonts  # the CJK font face, embedded
    if "䶮" in name:  # CJK Extension A: the second CJK font, embedded only when needed
        assert any("CK-CJK-Extra" in font for font in fonts), fonts
    else:
        assert not any("CK-CJK-Extra" in font for font in fonts), fonts
    meta = reader.metadata
    assert name in meta.title and meta.author == "CourseKit" and code in meta.subject


def _embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    fonts = {}
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = (
            font.get("/FontDescriptor")
            or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        )
        descriptor = descriptor.get_object()
        fonts[str(font["/BaseFont"])] = any(
            k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
        )
    return fonts


def test_rendered_once_and_stored(mini_app: Flask, mini_client, trainee, monkeypatch) -> None:
    from coursekit.certificates import views

    renders = []
    real = views.organisation_pdf
    monkeypatch.setattr(views, "organisation_pdf", lambda *a: renders.append(1) or real(*a))
    finish(mini_app, trainee.id)
    login(mini_client, "wei@example.com")
    code = certificate_of(mini_app, trainee.id).code
    first, second = download(mini_client, code).data, download(mini_client, code).data
    assert first == second and len(renders) == 1


def test_verification_page(mini_app: Flask, trainee) -> None:
    finish(mini_app, trainee.id)
    code = certificate_of(mini_app, trainee.id).code
    anonymous = mini_app.test_client()
    page = anonymous.get(f"/verify/{code.lower().replace('-', '')}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "This certificate is valid" in html
    assert "张伟" in html and "Mini course" in html
    assert "wei@example.com" not in html and "Revoked" not in html
    assert anonymous.get(f"/verify?code={code}").headers["Location"] == f"/verify/{code}"
    unknown = anonymous.get("/verify/AAAA-BBBB-CCCC-DDDD")
    assert unknown.status_code == 404 and "No certificate has the number" in unknown.get_data(
        as_text=True
    )


def test_verification_is_rate_limited(mini_app: Flask) -> None:
    client = mini_app.test_client()
    codes = [client.get("/verify/AAAA-BBBB-CCCC-DDDD").status_code for _ in range(31)]
    assert codes[:30] == [404] * 30 and codes[30] == 429


@pytest.fixture
def cohort_people(mini_app: Flask, make_user, trainee):  # type: ignore[no-untyped-def]
    wang = make_user(email="wang@example.com", role="instructor", target=mini_app)
    make_user(email="lee@example.com", role="instructor", target=mini_app)
    make_user(email="admin@example.com", role="admin", target=mini_app)
    other = make_user(email="other@example.com", target=mini_app)
    session = mini_app.extensions["coursekit"].db.sessionmaker()
    cohort = cohorts.create(session, wang, name="C", course_id="mini")
    cohorts.join(session, trainee.id, cohort.join_code)
    session.close()
    finish(mini_app, trainee.id)
    clients = {}
    for key, email in [
        ("owner", "wei@example.com"),
        ("wang", "wang@example.com"),
        ("lee", "lee@example.com"),
        ("admin", "admin@example.com"),
        ("other", "other@example.com"),
    ]:
        clients[key] = mini_app.test_client()
        login(clients[key], email)
    return cohort, clients, certificate_of(mini_app, trainee.id).code, other


def test_who_may_download(mini_app: Flask, cohort_people) -> None:
    _cohort, clients, code, _ = cohort_people
    assert {k: download(c, code).status_code for k, c in clients.items()} == {
        "owner": 200,
        "wang": 200,
        "lee": 404,
        "admin": 200,
        "other": 404,
    }
    assert download(mini_app.test_client(), code).status_code == 302  # to the login page


def test_revoke_and_reissue(mini_app: Flask, cohort_people, trainee) -> None:
    cohort, clients, code, _ = cohort_people
    back = f"/cohorts/{cohort.id}/trainees/{trainee.id}"
    assert download(clients["owner"], code).status_code == 200
    refused = post_form(
        clients["lee"], "/", url=f"/certificates/{code}/revoke", data={"reason": "no"}
    )
    assert refused.status_code == 404
    no_reason = post_form(
        clients["wang"],
        back,
        url=f"/certificates/{code}/revoke",
        data={"reason": " ", "back": back},
    )
    assert no_reason.status_code == 303 and certificate_of(mini_app, trainee.id).revoked_at is None
    post_form(
        clients["wang"],
        back,
        url=f"/certificates/{code}/revoke",
        data={"reason": "Identity not confirmed", "back": back},
    )
    cert = certificate_of(mini_app, trainee.id)
    assert cert.revoked_at is not None and cert.revoke_reason == "Identity not confirmed"
    page = mini_app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    assert "This certificate was revoked" in page and "Identity not confirmed" in page
    assert download(clients["owner"], code).status_code == 410
    post_form(
        clients["wang"],
        back,
        url=f"/certificates/{code}/reissue",
        data={"reason": "Confirmed; name corrected", "name": "张 伟 (Zhang Wei)", "back": back},
    )
    cert = certificate_of(mini_app, trainee.id)
    assert (
        cert.revoked_at is None
        and cert.revision == 2
        and cert.reissue_reason == "Confirmed; name corrected"
    )
    pdf = download(clients["owner"], code)
    assert pdf.status_code == 200
    assert "(ZhangWei)" in re.sub(
        r"\s+", "", PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    )
    assert "This certificate is valid" in mini_app.test_client().get(f"/verify/{code}").get_data(
        as_text=True
    )


def test_cohort_zip(mini_app: Flask, cohort_people, make_user) -> None:
    cohort, clients, _code, _ = cohort_people
    second = make_user(email="zoe@example.com", name="Zoë Ñúñez", target=mini_app)
    session = mini_app.extensions["coursekit"].db.sessionmaker()
    cohorts.join(session, second.id, cohorts.find_by_code(session, cohort.join_code).join_code)
    session.close()
    finish(mini_app, second.id)
    response = clients["wang"].get(f"/cohorts/{cohort.id}/certificates.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = sorted(archive.namelist())
    assert len(names) == 2 and names[0].startswith("Zoë Ñúñez ") and names[1].startswith("张伟 ")
    for name in names:
        assert len(PdfReader(io.BytesIO(archive.read(name))).pages) == 1
    assert clients["lee"].get(f"/cohorts/{cohort.id}/certificates.zip").status_code == 404


def test_doctor_reports_what_is_there(mini_app: Flask) -> None:
    result = mini_app.test_cli_runner().invoke(args=["coursekit", "doctor"])
    assert "HarfBuzz subsetter" in result.output and "font WenQuanYi Zen Hei" in result.output
    assert "database" in result.output
    if result.exit_code == 0:
        assert "MISSING" not in result.output
    else:
        assert "fix: apt-get install" in result.output


def test_large_batches_run_as_a_background_job(make_app, make_user, tmp_path) -> None:
    """With Redis configured, a batch above the inline limit is a job on RQ; the status page
    shows its progress and then the zip."""
    redis = pytest.importorskip("redis")
    from rq import Queue, SimpleWorker

    url = "redis://127.0.0.1:6379/14"
    try:
        connection = redis.Redis.from_url(url)
        connection.flushdb()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    from tests.conftest import MINI_CONTENT

    app = make_app(
        COURSEKIT_CONTENT_DIR=str(MINI_CONTENT),
        COURSEKIT_REDIS_URL=url,
        COURSEKIT_CERTIFICATE_BATCH_INLINE_LIMIT=1,
    )
    app.instance_path = str(tmp_path / "instance")
    wang = make_user(email="wang@example.com", role="instructor", target=app)
    session = app.extensions["coursekit"].db.sessionmaker()
    cohort = cohorts.create(session, wang, name="Big", course_id="mini")
    for i in range(3):
        trainee = make_user(email=f"t{i}@example.com", name=f"学员{i}", target=app)
        cohorts.join(session, trainee.id, cohort.join_code)
        finish(app, trainee.id)
    session.close()
    client = app.test_client()
    login(client, "wang@example.com")
    started = post_form(
        client, f"/cohorts/{cohort.id}", url=f"/cohorts/{cohort.id}/certificates/batch"
    )
    assert started.status_code == 303 and "/certificates/batch/" in started.headers["Location"]
    waiting = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "Preparing 0 of 3 certificates" in waiting and 'http-equiv="refresh"' in waiting
    with app.app_context():  # the worker, in burst mode, in this process
        SimpleWorker([Queue("coursekit", connection=connection)], connection=connection).work(
            burst=True
        )
    done = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "Ready: 3 certificates." in done
    with client.get(started.headers["Location"] + ".zip") as response:
        archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(n.split(" ")[0] for n in archive.namelist()) == ["学员0", "学员1", "学员2"]
    make_user(email="lee@example.com", role="instructor", target=app)
    other = app.test_client()
    login(other, "lee@example.com")
    assert other.get(started.headers["Location"]).status_code == 404
    connection.flushdb()


def test_branding_and_a_bilingual_certificate(make_app, make_user, tmp_path) -> None:
    import segno

    from tests.conftest import MINI_CONTENT

    logo = tmp_path / "logo.png"
    segno.make("Acme").save(str(logo), kind="png", scale=4)  # any PNG will do
    app = make_app(
        COURSEKIT_CONTENT_DIR=str(MINI_CONTENT),
        COURSEKIT_CERTIFICATE_BILINGUAL=True,
        COURSEKIT_ORGANISATION_NAME="Acme Academy",
        COURSEKIT_CERTIFICATE_LOGO_FILE=str(logo),
        COURSEKIT_CERTIFICATE_SIGNATORY="Wang Li",
        COURSEKIT_CERTIFICATE_SIGNATORY_ROLE="Head of Training",
    )
    user = make_user(email="b@example.com", name="Zoë Ñúñez", target=app)
    finish(app, user.id)
    client = app.test_client()
    login(client, "b@example.com")
    cert = certificate_of(app, user.id)
    assert cert.language == "zh+en"
    reader = PdfReader(io.BytesIO(download(client, cert.code).data))
    text = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    for expected in (
        "Certificate of Completion",
        "结业证书",
        "Mini course",
        "迷你课程",
        "Zoë Ñúñez",
        "ACME ACADEMY",
        "Wang Li",
        "Head of Training",
    ):
        assert expected in text or expected.replace(" ", "") in text.replace(" ", ""), expected
    assert reader.metadata.author == "Acme Academy"
    assert len(reader.pages[0].images) >= 2  # the logo and the QR code, embedded
