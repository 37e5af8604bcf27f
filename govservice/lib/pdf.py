"""PDF documents from HTML templates (WeasyPrint, with a CJK font from Debian's fonts-wqy-microhei),
and the QR codes printed on them."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.template.loader import render_to_string


def qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=3)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # heavy import, only where PDFs are made

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
