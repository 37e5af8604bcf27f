"""The request id: one short token per request that every log line of it carries, on both sites.

It is taken from the incoming ``X-Request-Id`` when that is well formed (a load balancer's, or the other
site's: the wire sends the id of the request that caused a message, apps/shared/exchange), otherwise made
new. It lives in a context variable, so a log line anywhere below the view knows it without being passed
it; Celery tasks queued during a request carry it in their headers (govservice/celery.py), and the relay
sends each outbox message under the id stored with it."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator
from contextvars import ContextVar

HEADER = "X-Request-Id"
# What we accept from outside: letters, digits, dash, underscore, dot, at most 64. Anything else (a phone
# number smuggled in a header would be digits only, so the length and alphabet alone cannot stop it: the
# log formatter masks numbers that look like ID numbers and phones whatever their field).
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

_current: ContextVar[str] = ContextVar("request_id", default="")


def new() -> str:
    return uuid.uuid4().hex


def valid(value: str | None) -> str:
    """``value`` if it is acceptable as a request id, else ''."""
    return value if value and _VALID.match(value) else ""


def current() -> str:
    return _current.get()


@contextlib.contextmanager
def bound(request_id: str) -> Iterator[str]:
    """Run a block under ``request_id`` (a new one when empty)."""
    token = _current.set(request_id or new())
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def bind(request_id: str) -> None:
    """Set the id for the rest of this context (a Celery task's run: reset by the next ``bind``)."""
    _current.set(request_id)
