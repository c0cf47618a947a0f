"""A test LMS on 127.0.0.1 (its own port, so its origin differs from CourseKit's): serves
its page with scorm-again as the SCORM runtime, the extracted package as an LMS serves
it, and records the commits the runtime sends."""

import json
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.exceptions import NotFound
from werkzeug.serving import make_server
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from tests.conftest import ROOT

SCORM_AGAIN = ROOT / "tests" / "js" / "node_modules" / "scorm-again" / "dist"
PAGES = Path(__file__).resolve().parent / "lms"


@dataclass
class LmsServer:
    origin: str
    package_dir: Path
    commits: list[dict] = field(default_factory=list)

    def install(self, package: Path) -> None:
        """Unpack a package where the LMS serves it (replacing the previous one)."""
        for old in self.package_dir.glob("*"):
            old.unlink()
        with zipfile.ZipFile(package) as archive:
            archive.extractall(self.package_dir)

    def page(self, version: str, learner: str, name: str, passing: str = "") -> str:
        from urllib.parse import urlencode

        query = {"version": version, "learner": learner, "name": name, "launch": "index.html"}
        if passing:
            query["passing"] = passing
        return f"{self.origin}/lms.html?{urlencode(query)}"


def _app(lms: LmsServer):  # type: ignore[no-untyped-def]
    @Request.application
    def application(request: Request) -> Response:
        path = request.path
        if path == "/commit" and request.method == "POST":
            lms.commits.append(json.loads(request.get_data(as_text=True)))
            return Response(
                json.dumps({"result": True, "errorCode": 0}), mimetype="application/json"
            )
        try:
            if path in ("/lms.html", "/lms.js"):
                return send_from_directory(PAGES, path.lstrip("/"), request.environ)
            if path.startswith("/scorm-again/"):
                return send_from_directory(
                    SCORM_AGAIN, path.removeprefix("/scorm-again/"), request.environ
                )
            if path.startswith("/package/"):
                return send_from_directory(
                    lms.package_dir, path.removeprefix("/package/"), request.environ
                )
        except NotFound:
            pass
        return Response("not found", status=404)

    return application


@contextmanager
def running_lms(package_dir: Path) -> Iterator[LmsServer]:
    package_dir.mkdir(parents=True, exist_ok=True)
    lms = LmsServer(origin="", package_dir=package_dir)
    server = make_server("127.0.0.1", 0, _app(lms), threaded=True)
    lms.origin = f"http://127.0.0.1:{server.port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield lms
    finally:
        server.shutdown()
        thread.join()
