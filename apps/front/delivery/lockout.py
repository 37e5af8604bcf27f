"""Lockout after repeated failures, on atomic Redis counters (through Django's Redis cache).

A failure counter lives ``window`` seconds from the first failure (``cache.add`` is SETNX, ``cache.incr``
is INCRBY: the count holds across processes and under concurrency). Reaching the limit sets a lock whose
value is the Unix time it ends: the check compares that with the clock rather than trusting the key's
expiry alone, so the lock ends exactly when it says (and frozen-time tests can step past it).
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache


def _fail_key(scope: str, ident: str) -> str:
    return f"lockout:fail:{scope}:{ident}"


def _lock_key(scope: str, ident: str) -> str:
    return f"lockout:lock:{scope}:{ident}"


def locked_seconds(scope: str, ident: str) -> int:
    """Seconds until ``ident`` may try again; 0 when it is not locked."""
    until = cache.get(_lock_key(scope, ident))
    if until is None:
        return 0
    return max(math.ceil(float(until) - time.time()), 0)


def failure(scope: str, ident: str, *, limit: int, window_seconds: int, lock_seconds: int) -> int:
    """Count one failure; returns the lock's length in seconds if this failure set it, else 0."""
    key = _fail_key(scope, ident)
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this is the first failure of a new window
        cache.add(key, 1, timeout=window_seconds)
        count = 1
    if count < limit:
        return 0
    # Only the request that reached the limit sets the lock; the next window starts from nothing.
    cache.set(_lock_key(scope, ident), time.time() + lock_seconds, timeout=lock_seconds + 60)
    cache.delete(key)
    return lock_seconds


def forget_failures(scope: str, ident: str) -> None:
    cache.delete(_fail_key(scope, ident))
