"""Each organisation brands its own certificates: the admin page, its refusals, and the
branding read back from the rendered PDF (text, images and the frame's colour)."""

import io
import subprocess

import pytest
import segno
from flask import Flask
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import insert

from coursekit.orgs.branding import MAX_LOGO_BYTES, BrandingError, logo_type_of
from coursekit.orgs.models import Organisation
from tests.conftest import login, post_form
from tests.web.test_certificates import certificate_of, download, finish

PAGE = "/admin/organisations/1/branding"


@pytest.fixture
def admin(mini_app: Flask, make_user):  # type: ignore[no-untyped-def]
    return make_user(email="ada@example.com", name="Ada", role="admin", target=mini_app)


def png_logo() -> bytes:
    buffer = io.BytesIO()
    segno.make("Acme").save(buffer, kind="png", scale=4)
    return buffer.getvalue()


def organisation(app: Flask, org_id: int = 1) -> Organisation:
    session = app.extensions["coursekit"].db.sessionmaker()
    try:
        org = session.get(Organisation, org_id)
        assert org is not None
        _ = org.logo  # load the deferred column before the session closes
        return org
    finally:
        session.close()


def save(client, data: dict):  # type: ignore[no-untyped-def]
    return post_form(client, PAGE, data=data, content_type="multipart/form-data")


def frame_colour(pdf: bytes) -> tuple[int, int, int]:
    """The colour of the certificate's outer frame, from page 1 rasterised by pdftoppm."""
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-singlefile", "-f", "1", "-l", "1"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    image = Image.open(io.BytesIO(png)).convert("RGB")
    # 14 mm margin, then a 2.2 mm frame: at 50 dpi the frame runs from x = 27.5 to 32 px.
    return image.getpixel((30, image.height // 2))  # type: ignore[return-value]


def test_an_admin_brands_the_organisation_and_certificates_carry_it(
    mini_app: Flask, mini_client, admin, make_user
) -> None:
    login(mini_client, "ada@example.com")
    response = save(
        mini_client,
        {
            "certificate_issuer": "Acme Retail Academy",
            "certificate_accent": "#B01020",
            "certificate_signatory": "Chen Jing",
            "certificate_signatory_role": "Director of Service",
            "logo_file": (io.BytesIO(png_logo()), "logo.png"),
        },
    )
    assert response.status_code == 303
    org = organisation(mini_app)
    assert (org.certificate_issuer, org.certificate_accent) == ("Acme Retail Academy", "#b01020")
    assert org.logo_type == "image/png" and org.logo == png_logo()

    trainee = make_user(email="wei@example.com", name="张伟", target=mini_app)
    finish(mini_app, trainee.id)
    cert = certificate_of(mini_app, trainee.id)
    trainee_client = mini_app.test_client()
    login(trainee_client, "wei@example.com")
    pdf = download(trainee_client, cert.code).data
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    for expected in ("ACME RETAIL ACADEMY", "Chen Jing", "Director of Service", "张伟"):
        assert expected in text, expected
    assert reader.metadata.author == "Acme Retail Academy"
    assert len(reader.pages[0].images) == 2  # the logo and the QR code
    red, green, blue = frame_colour(pdf)
    assert red > 150 and green < 60 and blue < 70, (red, green, blue)


def test_empty_fields_fall_back_to_the_site_settings(
    mini_app: Flask, mini_client, admin, make_user
) -> None:
    login(mini_client, "ada@example.com")
    assert save(mini_client, {"certificate_signatory": "Chen Jing"}).status_code == 303
    trainee = make_user(email="wei@example.com", name="张伟", target=mini_app)
    finish(mini_app, trainee.id)
    pdf = download(mini_client, certificate_of(mini_app, trainee.id).code).data
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.author == mini_app.config["COURSEKIT_ORGANISATION_NAME"]
    assert "Chen Jing" in reader.pages[0].extract_text()
    assert len(reader.pages[0].images) == 1  # no logo anywhere: the QR code only
    red, green, blue = frame_colour(pdf)  # the default accent, #0b5cad
    assert blue > 140 and red < 60, (red, green, blue)


def test_another_organisations_branding_stays_its_own(
    mini_app: Flask, mini_client, admin, make_user
) -> None:
    session = mini_app.extensions["coursekit"].db.sessionmaker()
    session.execute(
        insert(Organisation).values(
            id=2, slug="globex", name="Globex", certificate_issuer="Globex University"
        )
    )
    session.commit()
    session.close()
    trainee = make_user(email="wei@example.com", name="张伟", target=mini_app)
    finish(mini_app, trainee.id)
    login(mini_client, "ada@example.com")
    reader = PdfReader(
        io.BytesIO(download(mini_client, certificate_of(mini_app, trainee.id).code).data)
    )
    assert "GLOBEX" not in reader.pages[0].extract_text()
    index = mini_client.get("/admin/organisations").get_data(as_text=True)
    assert "Globex University" in index and "/admin/organisations/2/branding" in index


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"certificate_accent": "red"}, "six hex digits"),
        ({"logo_file": (io.BytesIO(b"<svg onload=alert(1)></svg>"), "logo.png")}, "PNG or JPEG"),
        ({"certificate_signatory": "x" * 201}, "200"),
    ],
)
def test_bad_branding_is_refused_and_nothing_is_saved(
    mini_app: Flask, mini_client, admin, data: dict, field_error: str
) -> None:
    login(mini_client, "ada@example.com")
    response = save(mini_client, {"certificate_issuer": "Should not be saved", **data})
    assert response.status_code == 422
    assert field_error in response.get_data(as_text=True)
    org = organisation(mini_app)
    assert org.certificate_issuer is None and org.logo is None


def test_a_logo_over_1_mb_is_refused() -> None:
    # Through the service: the test client leaves a large upload's temporary file open.
    with pytest.raises(BrandingError, match="1 MB"):
        logo_type_of(b"\x89PNG\r\n\x1a\n" + b"0" * MAX_LOGO_BYTES)
    assert logo_type_of(b"\xff\xd8\xff\xe0" + b"0" * 100) == "image/jpeg"


def test_a_logo_can_be_removed(mini_app: Flask, mini_client, admin) -> None:
    login(mini_client, "ada@example.com")
    save(mini_client, {"logo_file": (io.BytesIO(png_logo()), "logo.png")})
    assert organisation(mini_app).logo_type == "image/png"
    assert save(mini_client, {"remove_logo": "y"}).status_code == 303
    org = organisation(mini_app)
    assert org.logo is None and org.logo_type is None


def test_the_sample_certificate_shows_the_branding(mini_app: Flask, mini_client, admin) -> None:
    login(mini_client, "ada@example.com")
    save(mini_client, {"certificate_issuer": "Acme Retail Academy"})
    response = mini_client.get(PAGE + "/sample.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "ACME RETAIL ACADEMY" in PdfReader(io.BytesIO(response.data)).pages[0].extract_text()


def test_only_admins_reach_the_branding_pages(mini_app: Flask, make_user) -> None:
    make_user(email="teacher@example.com", role="instructor", target=mini_app)
    make_user(email="wei@example.com", target=mini_app)
    anonymous = mini_app.test_client()
    assert anonymous.get(PAGE).status_code == 302  # to the login page
    for email in ("teacher@example.com", "wei@example.com"):
        client = mini_app.test_client()
        login(client, email)
        for url in (PAGE, PAGE + "/sample.pdf", "/admin/organisations"):
            assert client.get(url).status_code == 403, (email, url)
        assert client.post(PAGE, data={"certificate_issuer": "x"}).status_code in (400, 403)
    assert organisation(mini_app).certificate_issuer is None


def test_a_branding_form_without_its_csrf_token_is_refused(
    mini_app: Flask, mini_client, admin
) -> None:
    login(mini_client, "ada@example.com")
    response = mini_client.post(PAGE, data={"certificate_issuer": "Forged"})
    assert response.status_code == 400
    assert organisation(mini_app).certificate_issuer is None
