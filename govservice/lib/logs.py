"""Structured logs: one JSON object a line, with the site, the request id and no personal data.

``RequestIdFilter`` stamps every record with the current request id (govservice/lib/requestid.py) and the
site's role; ``JsonFormatter`` writes the record as JSON (python-json-logger) and then masks anything
that looks like a mainland ID number (18 or 15 digits) or a mobile number (11 digits from 13…19), wherever
it is in the line: the message, its arguments, an extra field or a traceback. The code logs ids and codes,
never people (DOMAIN.md §8); the mask is the net under that rule, and tests/shared/test_logs.py and the
end-to-end drill hold both to it."""

from __future__ import annotations

import logging
import re
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from . import requestid

# Not part of a longer run of letters or digits: a UUID's hex or a SHA-256 is left alone.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![0-9A-Za-z+])(?:\+?86[- ]?)?1[3-9]\d{9}(?![0-9A-Za-z])")


def redact(text: str) -> str:
    """``text`` with ID numbers and mobile numbers replaced by a placeholder."""
    return _PHONE.sub("[phone]", _ID_NUMBER.sub("[id-number]", text))


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` and ``site`` to every record (a filter on the handler, so third-party loggers too)."""

    def __init__(self, site: str = "") -> None:
        super().__init__()
        self.site = site

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = requestid.current()
        record.site = self.site
        return True


class JsonFormatter(_JsonFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("json_ensure_ascii", False)
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__(*args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class PlainFormatter(logging.Formatter):
    """The human format (LOG_FORMAT=plain), with the request id and the same masking."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
