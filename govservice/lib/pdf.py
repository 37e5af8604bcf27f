"""PDF documents from HTML templates (WeasyPrint, with a CJK font from Debian's fonts-wqy-microhei),
and the QR codes printed on them."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.template.loader import render_to_string


def qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=3)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


class FetchRefused(ValueError):
    """A document asked for a resource it may not load."""


def _static_roots() -> list[Path]:
    return [Path(d).resolve() for d in getattr(settings, "STATICFILES_DIRS", [])] + [
        (Path(settings.BASE_DIR) / "static").resolve()
    ]


def url_fetcher():
    """What a document may load: data URIs (QR codes) and the project's own static files — never the
    network (a server-side request on someone's behalf) nor any other file of the machine. WeasyPrint logs
    a refused resource and leaves it out of the document."""
    from weasyprint.urls import URLFetcher

    class ProjectOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if any(path.is_relative_to(root) for root in _static_roots()):
                    return super().fetch(url, headers)
            raise FetchRefused(f"documents may not load {url[:80]!r}")

    return ProjectOnlyFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # heavy import, only where PDFs are made

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=url_fetcher()).write_pdf()
