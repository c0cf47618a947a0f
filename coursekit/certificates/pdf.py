"""PDF rendering: the one module that imports WeasyPrint.

One font configuration is shared by every render in the process (building one per render is
slow and makes memory grow), and so is each parsed stylesheet: parsing the certificate's CSS
cost about 5 ms a render. The URL fetcher refuses the network and every file except the
system's installed fonts (which `@font-face { src: local(...) }` resolves to): a certificate
is rendered from plain values, with its images embedded as data: URIs.
"""

import base64
from functools import lru_cache
from pathlib import Path
from threading import Lock
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".woff", ".woff2"}

_font_config: FontConfiguration | None = None
_lock = Lock()


class EmbeddedAndFontsOnly(URLFetcher):
    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data", "file"}, fail_on_errors=True)

    def fetch(self, url: str, headers: object = None):  # type: ignore[no-untyped-def]
        if url.startswith("data:"):
            # Decoded here: the standard handler builds an e-mail message for each data: URI,
            # which cost about 5 ms per certificate.
            meta, _, payload = url[5:].partition(",")
            mime = meta.split(";")[0] or "text/plain"
            body = (
                base64.b64decode(payload) if meta.endswith(";base64") else unquote_to_bytes(payload)
            )
            return URLFetcherResponse(url, body, {"Content-Type": mime})
        if url.startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.suffix.lower() not in FONT_SUFFIXES or not any(
                path.is_relative_to(folder) for folder in FONT_DIRS
            ):
                raise ValueError(f"certificates read no files but installed fonts: {url[:80]!r}")
        return super().fetch(url, headers)


def font_config() -> FontConfiguration:
    global _font_config
    with _lock:
        if _font_config is None:
            _font_config = FontConfiguration()
        return _font_config


@lru_cache(maxsize=16)
def _stylesheet(css: str) -> CSS:
    # Keyed by the text itself, so a host's restyled template or a new accent colour simply
    # parses once more. Its @font-face rules register in the shared font configuration.
    return CSS(string=css, url_fetcher=EmbeddedAndFontsOnly(), font_config=font_config())


def render_pdf(html: str, css: str = "") -> bytes:
    """The PDF of `html` styled by `css` (parsed once per distinct text)."""
    document = HTML(string=html, url_fetcher=EmbeddedAndFontsOnly(), base_url=None)
    stylesheets = [_stylesheet(css)] if css else None
    return document.write_pdf(stylesheets=stylesheets, font_config=font_config())
