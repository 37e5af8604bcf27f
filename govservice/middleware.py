"""Request bodies are bounded before anything reads them.

Django limits the form fields it reads into memory (DATA_UPLOAD_MAX_MEMORY_SIZE) but not uploaded files:
a multipart body is parsed in full (to memory or to temporary files) as soon as a view touches
``request.FILES`` or ``request.POST``, so one anonymous request could hold gigabytes. This middleware
refuses a body larger than its path allows from the Content-Length header alone, with 413, before the first
byte is read; a body without a length is read by Django as empty, so none can slip past."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _


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
            message, status = _("请求长度无效。"), 400
        else:
            message, status = _("提交的内容过大（上限 %(mb)s MB）。") % {"mb": round(limit / (1024 * 1024), 1)}, 413
        if request.path_info.startswith("/api/"):
            return JsonResponse({"code": "invalid" if malformed else "too_large", "detail": message}, status=status)
        return HttpResponse(render_to_string("error.html", {"message": message}, request=request), status=status)
