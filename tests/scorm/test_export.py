"""`flask coursekit export-scorm`: the zips and their manifests, read back with lxml."""

import re
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from lxml import etree

from coursekit.scorm.dispatch import read
from tests.conftest import SECRET

CP12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
CP2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
LMS = "https://lms.example.com"
SITE = ["--base-url", "https://training.example.com", "--lms-origin", LMS]


def export(app: Flask, out: Path, *args: str) -> str:
    result = app.test_cli_runner().invoke(
        args=["coursekit", "export-scorm", "--out", str(out), *args]
    )
    assert result.exit_code == 0, result.output
    return result.output


def manifest_of(package: Path) -> tuple[etree._Element, set[str]]:
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        root = etree.fromstring(archive.read("imsmanifest.xml"))
    return root, names


def check_package_structure(root: etree._Element, names: set[str], cp: str) -> etree._Element:
    """Organizations, item and resource link up; every listed file is in the zip."""
    ns = {"cp": cp}
    organizations = root.find("cp:organizations", ns)
    default = organizations.get("default")
    organization = organizations.find("cp:organization", ns)
    assert organization.get("identifier") == default
    item = organization.find("cp:item", ns)
    resource = root.find("cp:resources/cp:resource", ns)
    assert item.get("identifierref") == resource.get("identifier")
    assert resource.get("type") == "webcontent" and resource.get("href") == "index.html"
    files = {f.get("href") for f in resource.findall("cp:file", ns)}
    assert files == names - {"imsmanifest.xml"} and "index.html" in files
    identifiers = [e.get("identifier") for e in root.iter() if e.get("identifier")]
    assert len(identifiers) == len(set(identifiers))  # xsd:ID values are unique...
    assert all(re.fullmatch(r"[A-Za-z_][\w.-]*", i) for i in identifiers)  # ...and NCNames
    return item


def test_scorm_12_course_package(app: Flask, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"  # beside the test's database
    output = export(app, tmp_path, "--version", "1.2", *SITE)
    package = tmp_path / "coursekit-customer-expectations-scorm12.zip"
    assert f"wrote {package} (whole course" in output
    assert "learner namespace 'lms.example.com'" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == [package.name]  # no modules unasked
    root, names = manifest_of(package)
    assert root.tag == f"{{{CP12}}}manifest"
    assert root.nsmap == {None: CP12, "adlcp": ADLCP12, "xsi": XSI}
    assert "adlcp_rootv1p2.xsd" in root.get(f"{{{XSI}}}schemaLocation")
    ns = {"cp": CP12}
    assert root.findtext("cp:metadata/cp:schema", namespaces=ns) == "ADL SCORM"
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=ns) == "1.2"
    item = check_package_structure(root, names, CP12)
    assert item.findtext("cp:title", namespaces=ns) == "Managing Customer Expectations"
    resource = root.find("cp:resources/cp:resource", ns)
    assert resource.get(f"{{{ADLCP12}}}scormtype") == "sco"
    # No mastery score: CourseKit's own verdict is the one the LMS records.
    assert root.find(".//{*}masteryscore") is None


def test_scorm_2004_packages_per_module(app: Flask, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    export(app, tmp_path, "--version", "2004", "--per-module", "--language", "zh", *SITE)
    course = app.extensions["coursekit"].course
    zips = sorted(p.name for p in tmp_path.iterdir())
    assert len(zips) == 1 + len(course.modules)
    for module in (None, *course.modules):
        unit = course.id if module is None else f"{course.id}-{module.id}"
        root, names = manifest_of(tmp_path / f"coursekit-{unit}-scorm2004.zip")
        ns = {"cp": CP2004, "imsss": IMSSS}
        assert root.nsmap[None] == CP2004 and root.nsmap["adlcp"] == ADLCP2004
        assert root.nsmap["imsss"] == IMSSS
        assert root.findtext("cp:metadata/cp:schemaversion", namespaces=ns) == "2004 4th Edition"
        item = check_package_structure(root, names, CP2004)
        title = (module or course).title.zh
        assert item.findtext("cp:title", namespaces=ns) == title
        resource = root.find("cp:resources/cp:resource", ns)
        assert resource.get(f"{{{ADLCP2004}}}scormType") == "sco"
        objective = item.find("imsss:sequencing/imsss:objectives/imsss:primaryObjective", ns)
        assert objective.get("satisfiedByMeasure") == "true"
        measure = float(objective.findtext("imsss:minNormalizedMeasure", namespaces=ns))
        assert measure == (1.0 if module is None else module.check.pass_mark / 100)
        organization = root.find("cp:organizations/cp:organization", ns)
        control = organization.find("imsss:sequencing/imsss:controlMode", ns)
        assert control.get("flow") == "true"


def test_the_launch_page_carries_a_credential_for_its_unit(app: Flask, tmp_path: Path) -> None:
    cdn = "https://content.lms-cdn.example/"
    export(app, tmp_path, "--version", "2004", "--per-module", *SITE, "--lms-origin", cdn)
    export(app, tmp_path / "acme", "--version", "2004", *SITE, "--dispatch", "acme-moodle")
    module = app.extensions["coursekit"].course.modules[2]
    package = tmp_path / f"coursekit-customer-expectations-{module.id}-scorm2004.zip"
    with zipfile.ZipFile(package) as archive:
        page = archive.read("index.html").decode()
        script = archive.read("coursekit-scorm.js").decode()
    html = etree.HTML(page)
    assert not html.xpath("//script[not(@src)]") and not html.xpath("//*[@style]")  # no inline
    body = html.find("body")
    assert body.get("data-scorm-version") == "2004"
    assert body.get("data-coursekit-origin") == "https://training.example.com"
    form = html.find(".//form")
    assert form.get("action") == "https://training.example.com/scorm/launch"
    credential = form.find("input[@name='credential']").get("value")
    dispatch = read([SECRET], credential, now=0)
    assert (dispatch.course_id, dispatch.module_id) == ("customer-expectations", module.id)
    assert dispatch.origins == (LMS, "https://content.lms-cdn.example")
    assert dispatch.issuer == "scorm:1:lms.example.com" and dispatch.scorm_version == "2004"
    with zipfile.ZipFile(tmp_path / "acme" / "coursekit-customer-expectations-scorm2004.zip") as z:
        named = etree.HTML(z.read("index.html").decode()).find(".//form/input[@name='credential']")
    assert read([SECRET], named.get("value"), now=0).issuer == "scorm:1:acme-moodle"
    assert "API_1484_11" in script and "event.origin !== coursekitOrigin" in script


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base-url", "http://training.example.com"], "must be https://"),
        (["--base-url", "training.example.com"], "give the site's address"),
        (["--lms-origin", "https://lms.example.com/course/view.php"], "is not an origin"),
        (["--organisation", "nobody"], "no organisation 'nobody'"),
        (["--dispatch", "Not A Name"], "lower-case letters"),
        (["--language", "fr"], "one of zh, en"),
    ],
)
def test_export_refuses_what_a_deployment_could_not_use(
    app: Flask, tmp_path: Path, args: list[str], message: str
) -> None:
    defaults = {"--base-url": "https://training.example.com", "--lms-origin": LMS}
    for key, value in defaults.items():
        if key not in args:
            args = [*args, key, value]
    out = tmp_path / "out"
    result = app.test_cli_runner().invoke(
        args=["coursekit", "export-scorm", "--version", "1.2", "--out", str(out), *args]
    )
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()


def test_export_refuses_the_development_secret_for_a_real_site(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from coursekit.config import DEV_SECRET_KEY

    app = make_app(SECRET_KEY=DEV_SECRET_KEY)
    result = app.test_cli_runner().invoke(
        args=["coursekit", "export-scorm", "--version", "1.2", "--out", str(tmp_path), *SITE]
    )
    assert result.exit_code == 1 and "set COURSEKIT_SECRET_KEY first" in result.output
