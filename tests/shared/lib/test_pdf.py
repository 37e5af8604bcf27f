"""Documents load nothing but data URIs and the project's own static files (issue 12): no request leaves
the server on a document's behalf, and no other file of the machine is read into a PDF."""

from __future__ import annotations

import http.server
import subprocess
import threading

import pytest

from govservice.lib.pdf import FetchRefused, qr_data_uri, render_pdf, url_fetcher


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_it_refuses_the_network_and_other_files_but_loads_data_uris():
    fetcher = url_fetcher()
    assert fetcher.fetch(qr_data_uri("https://example.invalid/verify/X")).content_type == "image/svg+xml"
    for url in ("http://127.0.0.1:9/x.png", "https://example.invalid/", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)


def test_a_document_asking_for_a_url_makes_no_request_and_still_renders(tmp_path, settings):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/tracker.png"
        template = tmp_path / "doc.html"
        template.write_text(
            f'<html><body><p>办件</p><img src="{url}"><img src="/etc/hostname"></body></html>', encoding="utf-8"
        )
        settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
        pdf = render_pdf("doc.html", {})
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF-") and _Recorder.hits == []
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "办件" in text
