"""Logs (JSON, masked, with the request id) and the metrics endpoint."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from govservice.lib.envvars import env_list, env_str

from .core import SITE_ROLE, env

# One JSON object a line (LOG_FORMAT=json, the default; "plain" for a human at a terminal), each with the
# site and the request id that crosses the wire; numbers that look like ID numbers or phones are masked
# (govservice/lib/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'plain'")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "govservice.lib.logs.RequestIdFilter", "site": SITE_ROLE}},
    "formatters": {
        "json": {
            "()": "govservice.lib.logs.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(site)s %(request_id)s",
        },
        "plain": {
            "()": "govservice.lib.logs.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
# Celery workers keep this configuration instead of installing their own handler on the root logger.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Operations: metrics and health (apps/shared/observability) ------------------------------------------
# /metrics answers only a scraper from these networks (CIDRs, comma-separated; the address as the rate
# limits read it, NUM_PROXIES) or one that presents "Authorization: Bearer METRICS_TOKEN"; anyone else
# gets 404. Empty token and no network: only loopback.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"])
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
