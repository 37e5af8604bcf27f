"""关怀模式 (适老化, the national elderly-friendly design rules for public service sites): larger text, higher
contrast and a simpler page, one tap away on every page of both sites. The choice is a cookie that the server
reads to render the page (``CARE_MODE`` in every template), so it holds without JavaScript and across visits;
it is a display preference, not personal data, and says nothing about who the reader is."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

CARE_COOKIE = "care_mode"
# Kept as long as the language choice (settings.LANGUAGE_COOKIE_AGE): both are the reader's display choices.
CARE_COOKIE_AGE = settings.LANGUAGE_COOKIE_AGE


def care_mode(request: HttpRequest) -> bool:
    return request.COOKIES.get(CARE_COOKIE) == "1"


def safe_next(request: HttpRequest) -> str:
    """The page to return to: this site's own, else the home page (never another site)."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else "/"


@require_POST
def care_mode_set(request: HttpRequest) -> HttpResponse:
    """Turn 关怀模式 on (``care=1``) or off, and go back to the page the reader was on."""
    response = redirect(safe_next(request))
    if request.POST.get("care") == "1":
        response.set_cookie(
            CARE_COOKIE,
            "1",
            max_age=CARE_COOKIE_AGE,
            samesite="Lax",
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(CARE_COOKIE, samesite="Lax")
    return response


def clear_reader_choices(response: HttpResponse) -> HttpResponse:
    """Back to the site's defaults (a shared device between two people): Chinese and the standard mode."""
    response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    response.delete_cookie(CARE_COOKIE, samesite="Lax")
    return response
