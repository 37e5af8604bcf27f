"""Business counters for the operators' metrics (apps/shared/observability), kept in Redis.

A counter is counted where its event happens (a booking refused, a message that failed), in whatever
process that is: a gunicorn worker of any node, or a Celery worker on a machine no scraper reaches. So the
count lives in Redis, one hash per counter (``HINCRBY``, one round trip through the process's client,
govservice/lib/ratelimit.py), and every node's ``/metrics`` reads the site's whole count at scrape time.
prometheus-client's multiprocess mode was the other way: it keeps a file per process on one machine's disk,
needs every worker's directory cleaned and marked at exit, and cannot see a Celery worker on another
machine; with several nodes each would report only its own share. The price of the Redis way is that every
node reports the same site-wide value: dashboards take ``max`` over a site's instances, never ``sum``.

Counts are added up in the process and sent together, at most ``FLUSH_SECONDS`` after the first of them (a
timer; and at once before this process reads a counter, and at exit): a flash crowd's refusals cost one
pipelined round trip per worker per second instead of one per refused request (bench/stack_cost.py). A
process killed outright loses at most that second of counts.

Counting never fails the caller: with Redis away the event is not counted, and a warning says so."""

from __future__ import annotations

import atexit
import functools
import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

from .errors import DomainError
from .ratelimit import _redis_client

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def redis_client():
    """The process's Redis client (the default cache's), or None when the cache is not Redis."""
    return _redis_client()


def _key(name: str) -> str:
    return cache.make_key(f"metrics:{name}")


FLUSH_SECONDS = 1.0

_pending: Counter[tuple[str, str]] = Counter()  # (hash key, label field) -> amount not yet sent
_lock = threading.Lock()
_timer: threading.Timer | None = None


def count(name: str, amount: int = 1, **labels: str) -> None:
    """Add ``amount`` to counter ``name`` for these label values (sent within FLUSH_SECONDS; dropped then if the
    cache is not Redis)."""
    global _timer
    field = json.dumps(labels, sort_keys=True, ensure_ascii=False)
    with _lock:
        _pending[(_key(name), field)] += amount
        if _timer is None:
            _timer = threading.Timer(FLUSH_SECONDS, flush)
            _timer.daemon = True
            _timer.start()


def flush() -> None:
    """Send this process's pending counts to Redis in one pipelined round trip."""
    global _timer
    with _lock:
        pending = dict(_pending)
        _pending.clear()
        if _timer is not None:
            _timer.cancel()
            _timer = None
    if not pending:
        return
    client = _redis_client()
    if client is None:
        return
    try:
        pipeline = client.pipeline(transaction=False)
        for (key, field), amount in pending.items():
            pipeline.hincrby(key, field, amount)
        pipeline.execute()
    except Exception as exc:  # Redis away: the events happened, only their counts are lost
        logger.warning("metrics counters not counted (%s): %s", len(pending), type(exc).__name__)


def _forget_in_child() -> None:
    """A forked child (a Celery pool process) starts with no counts of its parent's and no timer."""
    global _timer, _lock
    _pending.clear()
    _timer = None
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_in_child)
atexit.register(flush)


def read(name: str) -> list[tuple[dict[str, str], int]]:
    """Every label set of counter ``name`` with its count (empty when Redis is away); this process's pending
    counts are sent first."""
    flush()
    client = _redis_client()
    if client is None:
        return []
    try:
        raw = client.hgetall(_key(name))
    except Exception as exc:
        logger.warning("metrics counter %s not read: %s", name, type(exc).__name__)
        return []
    rows = []
    for field, value in raw.items():
        field = field.decode() if isinstance(field, bytes) else field
        rows.append((json.loads(field), int(value)))
    return rows


def counts_refusals(name: str) -> Callable[[F], F]:
    """Decorate a service: each DomainError it raises is counted on ``name`` by its code, then re-raised."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except DomainError as exc:
                count(name, code=exc.code)
                raise

        return wrapper  # type: ignore[return-value]

    return decorate
