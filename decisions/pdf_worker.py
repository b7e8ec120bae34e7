"""Render one PDF with WeasyPrint, in its own process, with resource limits and a locked-down URL fetcher.

Run by `decisions.pdf` as ``python -m decisions.pdf_worker [--warm]``. It reads a JSON object
``{"html": str, "title": str}`` on stdin and writes the PDF bytes to stdout. With ``--warm`` it first imports
WeasyPrint and lays out a small page with the bundled stylesheet (fonts, fontconfig and the CSS are then
loaded), before it reads its request: `decisions.pdf` keeps one such worker ready, so a download does not wait
for the start-up. Each worker still renders exactly one document, under the same limits. The HTML is always the output
of Convene's own server templates (autoescaped); this process adds no stylesheet of its own and loads
nothing but bundled assets named ``convene-asset:<name>``.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path
from typing import Any

ASSET_SCHEME = "convene-asset"
ASSETS_DIR = Path(__file__).parent / "assets"
#: The only files the fetcher will serve, by name. Nothing else on disk or on the network is reachable.
BUNDLED_ASSETS: dict[str, tuple[str, str]] = {"print.css": ("print.css", "text/css")}

MEMORY_LIMIT_BYTES = 1536 * 1024 * 1024
CPU_LIMIT_SECONDS = 20
MAX_OPEN_FILES = 256


def limit_resources() -> None:
    """Cap address space, CPU time and open files for this process (the parent also enforces a timeout)."""
    for limit, value in (
        (resource.RLIMIT_AS, MEMORY_LIMIT_BYTES),
        (resource.RLIMIT_CPU, CPU_LIMIT_SECONDS),
        (resource.RLIMIT_NOFILE, MAX_OPEN_FILES),
    ):
        _soft, hard = resource.getrlimit(limit)
        capped = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(limit, (capped, capped))


def make_fetcher() -> Any:
    """A WeasyPrint 70 `URLFetcher` that serves bundled assets by name and refuses everything else.

    WeasyPrint 68+ routes every fetch, including redirects, through ``URLFetcher.fetch``; overriding it
    means no request is ever made by urllib. ``file:``, ``http(s):``, ``data:`` and any other scheme raise,
    which WeasyPrint reports as a failed resource and skips.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class BundledAssetFetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(timeout=1, allowed_protocols=(ASSET_SCHEME,), allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            prefix = f"{ASSET_SCHEME}:"
            name = url[len(prefix) :] if url.startswith(prefix) else None
            if name is None or name not in BUNDLED_ASSETS:
                self.refused.append(url[:200])
                raise ValueError("Only bundled assets can be loaded")
            filename, mime_type = BUNDLED_ASSETS[name]
            body = (ASSETS_DIR / filename).read_bytes()
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime_type}, status=200)

    return BundledAssetFetcher()


def render(html: str, title: str) -> bytes:
    """Render HTML to a tagged PDF (PDF/UA-1) whose metadata carries only ``title``."""
    from weasyprint import HTML

    fetcher = make_fetcher()
    document = HTML(string=html, url_fetcher=fetcher, base_url=None).render(
        pdf_variant="pdf/ua-1", presentational_hints=False, custom_metadata=False
    )
    metadata = document.metadata
    metadata.title = title
    metadata.authors = []
    metadata.description = None
    metadata.keywords = []
    metadata.generator = "Convene"
    metadata.attachments = []
    pdf = document.write_pdf(pdf_variant="pdf/ua-1", attachments=None, custom_metadata=False)
    assert isinstance(pdf, bytes)
    return pdf


WARM_UP_HTML = (
    '<!doctype html><html lang="en"><head><title>Warm</title><link rel="stylesheet" href="convene-asset:print.css">'
    "</head><body><h1>Warm up</h1><h2>Section</h2><p>Text <strong>bold</strong> <em>italic</em></p>"
    "<dl><dt>Term</dt><dd>Value</dd></dl><table><tr><th>A</th><td>B</td></tr></table></body></html>"
)


def warm_up() -> None:
    """Import WeasyPrint and render a small page: the first render pays for fonts and stylesheet parsing."""
    render(WARM_UP_HTML, "Warm up")


def main() -> int:
    limit_resources()
    if "--warm" in sys.argv[1:]:
        warm_up()
    raw = sys.stdin.buffer.read()
    if not raw:
        return 0  # a spare worker that was never used: its parent has gone
    request = json.loads(raw.decode("utf-8"))
    pdf = render(str(request["html"]), str(request["title"]))
    sys.stdout.buffer.write(pdf)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
