"""Fixed-window rate limits on atomic Redis counters (through Django's Redis cache).

``cache.add`` is SETNX and ``cache.incr`` is INCRBY, so the count holds under any concurrency and
across processes; the window is the key's expiry.
"""

from __future__ import annotations

import time

from django.core.cache import cache


def hit(scope: str, ident: str, *, limit: int, window_seconds: int) -> tuple[bool, int]:
    """Count one request; returns (allowed, seconds until the window ends)."""
    window = int(time.time() // window_seconds)
    key = f"rl:{scope}:{ident}:{window}"
    cache.add(key, 0, timeout=window_seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: start the window again
        cache.add(key, 1, timeout=window_seconds + 1)
        count = 1
    retry_after = window_seconds - int(time.time() % window_seconds)
    return count <= limit, retry_after
