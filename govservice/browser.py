"""The middleware a browser's visit needs and a request with an API token does not.

Sessions, the session's user, flash messages, htmx and static files work on a browser's session and cookies. A
request to ``/api/`` that carries ``Authorization: Token …`` is authenticated by DRF from that token alone (knox:
a bad or missing token is 401 and the session is never consulted), so for it these layers only cost time:
a sixth of an API request's instructions before its view (``bench/stack_cost.py --instructions``). Each is
Django's or the library's own class with one change: a token API request passes it by. Every other request (a
browser's, a session's API call, a kiosk's ``Terminal`` token, an anonymous one) goes through it as before.
The site's own browser layers (the kiosk's step-up, the real-name gate) ask ``token_api`` themselves.

What every request keeps, token or not, stays in settings.MIDDLEWARE as it was: Django's CSRF middleware (its
deploy check asks for it by name; an API view is exempt, and DRF checks CSRF itself for a session's user), the
request id, the body and NUL guards, the security headers (HSTS, nosniff, referrer, CSP, Permissions-Policy, X-Frame-Options), the
reader's language, the slash rule, the audit context (pghistory) and the login lockout (django-axes).
"""

from __future__ import annotations

from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django_htmx import middleware as htmx
from whitenoise import middleware as whitenoise


def token_api(request) -> bool:
    """Whether ``request`` is an API request that authenticates with a token: ``Token …``, its scheme in any case,
    as knox reads it (``token …`` is the same token, and the same request)."""
    return request.path_info.startswith("/api/") and request.META.get("HTTP_AUTHORIZATION", "")[:6].lower() == "token "


class _PassedByTokenApi:
    def __call__(self, request):
        if token_api(request):
            return self.get_response(request)  # type: ignore[attr-defined]
        return super().__call__(request)  # type: ignore[misc]


class WhiteNoiseMiddleware(_PassedByTokenApi, whitenoise.WhiteNoiseMiddleware):
    pass


class SessionMiddleware(_PassedByTokenApi, sessions.SessionMiddleware):
    pass


class AuthenticationMiddleware(_PassedByTokenApi, auth.AuthenticationMiddleware):
    pass


class MessageMiddleware(_PassedByTokenApi, messages.MessageMiddleware):
    pass


class HtmxMiddleware(_PassedByTokenApi, htmx.HtmxMiddleware):
    pass
