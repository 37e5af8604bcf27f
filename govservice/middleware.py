"""Requests refused at the door, before any view: bodies too large for their path, and NUL characters.

Bodies are bounded before anything reads them.

Django limits the form fields it reads into memory (DATA_UPLOAD_MAX_MEMORY_SIZE) but not uploaded files:
a multipart body is parsed in full (to memory or to temporary files) as soon as a view touches
``request.FILES`` or ``request.POST``, so one anonymous request could hold gigabytes. This middleware
refuses a body larger than its path allows from the Content-Length header alone, with 413, before the first
byte is read; a body without a length is read by Django as empty, so none can slip past.

A NUL character (``%00``) in the path or the query string is refused with 400: no name, code or search of
the product contains one, and PostgreSQL can neither store nor compare it (psycopg raises ValueError, which
was a 500 on every parameter that reaches a query)."""

from __future__ import annotations

import http.client

import csp.middleware
import django.middleware.common
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from govservice.api import error_body
from govservice.lib import requestid


def refusal(request, message: str, status: int, code: str) -> HttpResponse:
    """A refusal before the view: the API's error body under /api/, the error page elsewhere."""
    if request.path_info.startswith("/api/"):
        return error_body(code, message, status)
    return HttpResponse(render_to_string("error.html", {"message": message}, request=request), status=status)


def body_limit(path: str) -> int:
    """The largest body a request to ``path`` may carry."""
    for prefix, limit in settings.REQUEST_BODY_LIMITS:
        if path.startswith(prefix):
            return limit
    return settings.REQUEST_BODY_MAX_BYTES


class BodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        limit = body_limit(request.path_info)
        if length < 0 or length > limit:
            return self._refuse(request, limit, malformed=length < 0)
        return self.get_response(request)

    def _refuse(self, request, limit: int, *, malformed: bool) -> HttpResponse:
        # Before LocaleMiddleware: the reader's language is taken from the request here.
        with translation.override(translation.get_language_from_request(request)):
            return self._answer(request, limit, malformed=malformed)

    def _answer(self, request, limit: int, *, malformed: bool) -> HttpResponse:
        if malformed:
            return refusal(request, _("请求长度无效。"), 400, "invalid")
        return refusal(
            request, _("提交的内容过大（上限 %(mb)s MB）。") % {"mb": round(limit / (1024 * 1024), 1)}, 413, "too_large"
        )


class NulCharacterMiddleware:
    """400 for a NUL character in the path or in a name or value of the query string."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            with translation.override(translation.get_language_from_request(request)):
                return refusal(request, _("请求地址或参数中含有不允许的空字符（NUL）。"), 400, "invalid")
        return self.get_response(request)


class RequestIdMiddleware:
    """Binds the request id for the request (the caller's ``X-Request-Id`` when well formed, else a new one)
    and answers it in the same header, so a citizen's report or a proxy's log leads to the lines."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with requestid.bound(requestid.valid(request.headers.get(requestid.HEADER))) as request_id:
            request.request_id = request_id
            response = self.get_response(request)
            # The id the request ended under: a signed message from the other site names its own.
            response[requestid.HEADER] = requestid.current()
            return response


class CommonMiddleware(django.middleware.common.CommonMiddleware):
    """Django's, except that under /api/ only a GET or HEAD is redirected to the path with its slash: a client
    would follow a 301 for a POST, PUT or DELETE with a GET and lose its body, so those answer the API's 404
    naming the right path (govservice.api.page_not_found)."""

    def should_redirect_with_slash(self, request):
        if request.path_info.startswith("/api/") and request.method not in ("GET", "HEAD"):
            return False
        return super().should_redirect_with_slash(request)


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's, with the site's policy built once per process for the responses nothing varies.

    django-csp builds the header from the settings' dictionaries on every response (``build_policy`` of the
    response's ``csp_update``/``csp_replace``/config and the request's nonce, twice: enforced and report-only);
    no view of the product varies it, so that is the same string every time, and building it was an eighth of
    the instructions of an API request before any view ran (``bench/stack_cost.py --instructions``). A response
    a view did decorate, or a request that asked for a nonce, still goes through django-csp's own code."""

    _VARIED_BY = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
    _HEADERS = (
        (HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
        (HEADER_REPORT_ONLY, True, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
    )
    # Per header: its value and the path prefixes excluded from it, as the settings give them.
    _built: list[tuple[str, str, str, tuple[str, ...]]] = []

    @classmethod
    def forget(cls, **kwargs) -> None:
        cls._built.clear()

    @classmethod
    def plain_headers(cls) -> list[tuple[str, str, str, tuple[str, ...]]]:
        """(header, value, exempt attribute, excluded prefixes) of both policies, built on first use."""
        if not cls._built:
            cls._built.extend(
                (
                    header,
                    build_policy(report_only=report_only),
                    exempt,
                    tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()),
                )
                for header, report_only, exempt, setting in cls._HEADERS
            )
        return cls._built

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in self._VARIED_BY
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND):
            return response  # django-csp leaves Django's debug pages alone
        for header, value, exempt, excluded in self.plain_headers():
            if (
                value
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(excluded)
            ):
                response[header] = value
        # As django-csp: asking for a nonce after the header is written is an error, not a silent gap.
        request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


setting_changed.connect(CSPMiddleware.forget, dispatch_uid="govservice-csp-policy")
