"""The operator's endpoints of a node: ``/metrics`` (Prometheus), ``/healthz`` (liveness: the process
answers) and ``/readyz`` (readiness: the database and Redis answer; the peers are reported).

None of them answers 500: a failed check is a JSON answer with 503, a failed gauge is left out of the scrape
(collector.py)."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from govservice.throttling import client_ip_or_none

from .collector import scrape
from .registry import registry

logger = logging.getLogger(__name__)


def scraper_allowed(request) -> bool:
    """A scraper from a configured network (the address as the rate limits read it: X-Forwarded-For only
    behind NUM_PROXIES proxies), or one with the bearer token METRICS_TOKEN."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(client_ip_or_none(request) or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
@require_GET
def metrics(request) -> HttpResponse:
    # 404, not 403: from outside, the page does not exist.
    if not scraper_allowed(request):
        raise Http404
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)


@never_cache
def healthz(request) -> JsonResponse:
    """Liveness: this process answers requests. Touches nothing else, so a database outage never makes a
    balancer kill every node at once."""
    return JsonResponse({"status": "ok", "site": settings.SITE_ROLE})


@never_cache
def readyz(request) -> JsonResponse:
    """Readiness: 200 while every critical check holds (the database, Redis), else 503. The peers are
    reported and make the answer "degraded", not 503: the wire waits for them, the node still serves."""
    checks: dict[str, dict[str, Any]] = {}
    ready, degraded = True, False
    for check in registry.checks.values():
        started = time.monotonic()
        try:
            result = dict(check.run())
        except Exception as exc:
            result = {"ok": False, "error": type(exc).__name__}
        result["critical"] = check.critical
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        checks[check.name] = result
        if not result.get("ok"):
            ready = ready and not check.critical
            degraded = True
    status = "ok" if not degraded else ("degraded" if ready else "unavailable")
    if not ready:
        logger.warning("not ready: %s", ", ".join(name for name, r in checks.items() if not r.get("ok")))
    return JsonResponse({"status": status, "site": settings.SITE_ROLE, "checks": checks}, status=200 if ready else 503)
