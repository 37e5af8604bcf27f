"""API throttles on shared Redis counters: they hold across gunicorn workers and under concurrency
(DRF's own throttles read-then-write the cache, which over-admits when requests race)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

from govservice.lib.ratelimit import hit_many


def client_ip(request) -> str:
    """The caller's address as every per-address limit counts it (DRF's get_ident): REMOTE_ADDR, or
    X-Forwarded-For only behind REST_FRAMEWORK["NUM_PROXIES"] trusted proxies, so a forged header cannot
    pose as many callers, and behind a proxy the visitors are not all the proxy's one address."""
    return BaseThrottle().get_ident(request) or "unknown"


def client_ip_or_none(request) -> str | None:
    """The same address for the login lockout (django-axes stores it in an inet column): None when the request
    carries none (a login made in code, not over HTTP)."""
    return BaseThrottle().get_ident(request) or None


class RedisRateThrottle(BaseThrottle):
    """Per-citizen and per-IP limits for one scope. Limits come from settings.RATE_LIMITS[scope]:
    (per user per window, per IP per window, window seconds). Both counters are counted in one Redis
    round trip; a request over either limit is refused."""

    scope = ""

    def allow_request(self, request, view) -> bool:
        per_user, per_ip, window = settings.RATE_LIMITS[self.scope]
        counters = [(f"{self.scope}:ip", self.get_ident(request), per_ip)]
        if request.user and request.user.is_authenticated:
            counters.append((f"{self.scope}:user", str(request.user.pk), per_user))
        allowed, retry_after = hit_many(counters, window_seconds=window)
        if not allowed:
            raise Throttled(
                wait=retry_after,
                detail=_("操作过于频繁，请%(seconds)s秒后再试。") % {"seconds": retry_after},
            )
        return True


class BookingThrottle(RedisRateThrottle):
    scope = "booking"


class RegisterThrottle(RedisRateThrottle):
    scope = "register"
