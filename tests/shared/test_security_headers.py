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
    assert (
        policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    )
    assert (
        "'unsafe-inline'" not in response["Content-Security-Policy"]
        and "'unsafe-eval'" not in response["Content-Security-Policy"]
    )
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
        str(p.relative_to(ROOT))
        for p in pages
        if INLINE_HANDLER.search(p.read_text(encoding="utf-8")) or INLINE_SCRIPT.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


class TestThePolicyBuiltOnce:
    """govservice.middleware.CSPMiddleware keeps the header django-csp would build, and leaves to django-csp
    every response a view varies and every request that asked for a nonce."""

    @staticmethod
    def _answer(request, response):
        from govservice.middleware import CSPMiddleware

        return CSPMiddleware(lambda r: response).process_response(request, response)

    def test_a_plain_response_gets_exactly_django_csps_header(self, rf):
        import csp.middleware
        from django.http import HttpResponse

        ours = self._answer(rf.get("/"), HttpResponse())
        theirs = HttpResponse()
        csp.middleware.CSPMiddleware(lambda r: theirs).process_response(rf.get("/"), theirs)
        assert ours["Content-Security-Policy"] == theirs["Content-Security-Policy"]
        assert "Content-Security-Policy-Report-Only" not in ours

    def test_a_changed_setting_is_not_served_from_the_old_header(self, rf, settings):
        from django.http import HttpResponse

        self._answer(rf.get("/"), HttpResponse())
        settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
        assert self._answer(rf.get("/"), HttpResponse())["Content-Security-Policy"] == "default-src 'none'"

    def test_a_varied_response_and_a_nonce_go_through_django_csp(self, rf, settings):
        from csp.constants import NONCE
        from django.http import HttpResponse

        from govservice.middleware import CSPMiddleware

        varied = HttpResponse()
        varied._csp_update = {"img-src": ["https://tiles.example"]}
        assert "https://tiles.example" in self._answer(rf.get("/"), varied)["Content-Security-Policy"]
        settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
        middleware = CSPMiddleware(lambda r: HttpResponse())
        request = rf.get("/")
        middleware.process_request(request)
        nonce = str(request.csp_nonce)
        assert (
            f"script-src 'self' 'nonce-{nonce}'"
            in middleware.process_response(request, HttpResponse())["Content-Security-Policy"]
        )

    def test_an_exempt_response_gets_no_header_and_a_late_nonce_is_an_error(self, rf):
        import pytest as _pytest
        from csp.exceptions import CSPNonceError
        from django.http import HttpResponse

        exempt = HttpResponse()
        exempt._csp_exempt = True
        request = rf.get("/")
        assert "Content-Security-Policy" not in self._answer(request, exempt)
        with _pytest.raises(CSPNonceError):
            str(request.csp_nonce)

    def test_an_excluded_prefix_gets_no_header(self, rf, settings):
        from django.http import HttpResponse

        settings.CONTENT_SECURITY_POLICY = {
            "EXCLUDE_URL_PREFIXES": ["/raw/"],
            "DIRECTIVES": {"default-src": ["'self'"]},
        }
        assert "Content-Security-Policy" not in self._answer(rf.get("/raw/file"), HttpResponse())
        assert self._answer(rf.get("/page/"), HttpResponse())["Content-Security-Policy"] == "default-src 'self'"
