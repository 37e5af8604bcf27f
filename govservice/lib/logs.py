"""Structured logs: one JSON object a line, with the site, the request id and no personal data.

``RequestIdFilter`` stamps every record with the current request id (govservice/lib/requestid.py) and the
site's role; ``JsonFormatter`` writes the record as JSON (python-json-logger), having masked, field by field,
anything that looks like a mainland ID number (18 or 15 digits) or a mobile number (11 digits from 13…19),
wherever it is: the message, its arguments, an extra field or a traceback. The code logs ids and codes,
never people (DOMAIN.md §8); the mask is the net under that rule, and tests/shared/test_logs.py and the
end-to-end drill hold both to it."""

from __future__ import annotations

import logging
import re
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from . import requestid

# Not part of a longer run of letters or digits (a UUID's hex, a SHA-256) nor the digits of a decimal number.
_BEFORE, _AFTER = r"(?<![0-9A-Za-z])(?<!\d\.)", r"(?![0-9A-Za-z])(?!\.\d)"
_ID_NUMBER = re.compile(_BEFORE + r"(?:\d{17}[0-9Xx]|\d{15})" + _AFTER)
_PHONE = re.compile(r"(?<![0-9A-Za-z+])(?<!\d\.)(?:\+?86[- ]?)?1[3-9]\d{9}" + _AFTER)


def redact(text: str) -> str:
    """``text`` with ID numbers and mobile numbers replaced by a placeholder."""
    return _PHONE.sub("[phone]", _ID_NUMBER.sub("[id-number]", text))


def _redact_value(value: Any) -> Any:
    """A log record's field with every string masked; a whole number that is an ID or phone number becomes
    the placeholder string (so the line stays valid JSON)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        masked = redact(str(value))
        return value if masked == str(value) else masked
    if isinstance(value, dict):
        return {key: _redact_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_value(item) for item in value]
    return redact(str(value))


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

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # Masked field by field, before serialising: the line stays valid JSON whatever was masked.
        return {key: _redact_value(value) for key, value in super().process_log_record(log_data).items()}


class PlainFormatter(logging.Formatter):
    """The human format (LOG_FORMAT=plain), with the request id and the same masking."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
