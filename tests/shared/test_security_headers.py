"""Every page of both sites carries the security headers (issue 12): a Content-Security-Policy that allows
scripts and styles from the site's own files only, a Permissions-Policy, nosniff, a referrer policy and
framing by the site itself only; and no template holds an inline script or event handler the policy would
refuse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def _policy(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("path", ["/", "/find/", "/accounts/login/", "/api/docs/", "/api/v1/nothing-here/"])
def test_every_page_carries_the_security_headers(client, path):
    response = client.get(path)
    policy = _policy(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"] and "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == ["'self'"] and policy["default-src"] == ["'self'"]
    permissions = response["Permissions-Policy"]
    assert "geolocation=()" in permissions and "camera=(self)" in permissions and "payment=()" in permissions
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] in {"DENY", "SAMEORIGIN"}


def test_the_https_proxy_header_is_believed_only_behind_a_configured_proxy(client, settings):
    assert settings.SECURE_PROXY_SSL_HEADER is None or settings.REST_FRAMEWORK["NUM_PROXIES"] > 0
    response = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    assert response.wsgi_request.is_secure() is False


INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def test_no_template_holds_an_inline_script_or_handler():
    # Documents (PDF templates) and e-mails are not pages a browser runs under the policy.
    pages = [p for p in (ROOT / "templates").rglob("*.html") if "documents" not in p.parts and "email" not in p.parts]
    assert len(pages) > 50
    offenders = [
        str(p.relative_to(ROOT)) for p in pages if INLINE_HANDLER.search(p.read_text(encoding="utf-8")) or INLINE_SCRIPT.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
