"""Gunicorn's own log lines in the sites' form (``gunicorn -c python:govservice.gunicorn_conf``): JSON with
the site, ID numbers and phones masked (govservice/lib/logs.py), and an access line that names the path but
never the query string (a look-up by ID number or phone travels in one) with the request id the response
carries, so an access line leads to the application's lines."""

from __future__ import annotations

import os

_site = os.environ.get("SITE_ROLE", "front")
_format = os.environ.get("LOG_FORMAT", "json")

# Path without the query string (%(U)s), status, bytes, milliseconds, the request id answered.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "govservice.lib.logs.RequestIdFilter", "site": _site}},
    "formatters": {
        "json": {
            "()": "govservice.lib.logs.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(site)s %(request_id)s",
        },
        "plain": {
            "()": "govservice.lib.logs.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": _format,
            "filters": ["request_id"],
            "stream": "ext://sys.stderr",
        },
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
