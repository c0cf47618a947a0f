"""The certificate's page: plain values into two Jinja templates (the page and its stylesheet),
then into a PDF."""

from datetime import UTC, datetime

import segno
from flask import current_app, render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..domain.certificate_layout import name_size_pt
from ..domain.content import Course
from ..i18n import HTML_LANG
from ..ops.metrics import CERTIFICATES_RENDERED
from ..orgs.branding import Branding, for_organisation, from_config
from .models import Certificate
from .pdf import render_pdf


def _in(lang: str, make):  # type: ignore[no-untyped-def]
    with force_locale(lang):
        return make()


def certificate_html(cert: Certificate, course: Course, verify_url: str, branding: Branding) -> str:
    languages = cert.language.split("+")

    def words(lang: str) -> dict:
        return {
            "title": _("Certificate of Completion"),
            "lead": _("This certifies that"),
            "completed": _("has successfully completed the course"),
            "facts": _(
                "Completed on %(date)s · %(hours)s hours",
                date=format_date(cert.issued_at, "long"),
                hours=f"{cert.hours:g}",
            ),
            "number": _("Certificate no."),
            "verify": _("Verify at"),
            "course": course.title.get(lang),
        }

    texts = [_in(lang, lambda lang=lang: words(lang)) for lang in languages]
    first = texts[0]
    joined = lambda key: " · ".join(dict.fromkeys(t[key] for t in texts))  # noqa: E731
    return render_template(
        "coursekit/certificates/certificate.html",
        html_lang=HTML_LANG.get(languages[0], languages[0]),
        title=f"{first['title']}: {cert.name}",
        subject=f"{first['course']} · {cert.name} · {cert.code}",
        organisation=branding.issuer,
        logo=branding.logo_data_uri(),
        headings=[t["title"] for t in texts],
        lead=joined("lead"),
        name=cert.name,
        name_size=name_size_pt(cert.name),
        completed=joined("completed"),
        course_titles=[t["course"] for t in texts],
        facts=joined("facts"),
        signatory=branding.signatory,
        signatory_role=branding.signatory_role,
        number_label=joined("number"),
        verify_label=joined("verify"),
        verify_url=verify_url,
        code=cert.code,
        # A PNG is embedded as it is, where an SVG would be parsed and drawn path by path;
        # a fixed mask skips segno's scoring of all eight (any mask is a valid QR code).
        qr=segno.make(verify_url, error="m", mask=4).png_data_uri(scale=1, border=0),
    )


def certificate_css(branding: Branding) -> str:
    return render_template("coursekit/certificates/certificate.css", accent=branding.accent)


SAMPLE_CODE = "SAMP-LE23-4567-89AB"


def sample_certificate(
    course: Course, name: str, language: str, organisation_id: int | None = None
) -> Certificate:
    """A certificate that is never stored: for previews of the layout and branding."""
    return Certificate(
        code=SAMPLE_CODE,
        name=name,
        language=language,
        hours=course.hours,
        issued_at=datetime.now(UTC),
        course_id=course.id,
        organisation_id=organisation_id,
    )


def organisation_pdf(session: Session, cert: Certificate, course: Course, verify_url: str) -> bytes:
    """The certificate branded for the organisation that issued it."""
    branding = for_organisation(session, cert.organisation_id, current_app.config)
    return certificate_pdf(cert, course, verify_url, branding)


def certificate_pdf(
    cert: Certificate, course: Course, verify_url: str, branding: Branding | None = None
) -> bytes:
    """The certificate as a PDF, branded for its organisation (the app's settings if none
    is given)."""
    branding = branding or from_config(current_app.config)
    CERTIFICATES_RENDERED.inc()
    return render_pdf(
        certificate_html(cert, course, verify_url, branding), certificate_css(branding)
    )
