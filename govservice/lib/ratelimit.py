"""Fixed-window rate limits on atomic Redis counters (through Django's Redis cache).

Each counter is ``SET key 0 EX window NX`` then ``INCR key``, both inside one Lua script (Redis runs a
script atomically): the count holds under any concurrency and across processes, the window is the key's
expiry, and a key can never lose its expiry between the two commands. Several counters of one request (per
citizen and per IP) go in the same script call: one round trip and one command to pack and parse (a
MULTI/EXEC pipeline was six), through one Redis client per process and its connection pool (not a new client
object per command). Keys are made by the cache (its prefix and version), so a test's own prefix isolates its counts.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache

_clients: dict[int, object] = {}
_scripts: dict[tuple[int, str], Any] = {}  # redis-py's Script objects, by client and source

# KEYS: the counters; ARGV[1]: the window's expiry in seconds. Returns each counter's count.
_HIT = """
local counts = {}
for i, key in ipairs(KEYS) do
    redis.call('SET', key, 0, 'EX', ARGV[1], 'NX')
    counts[i] = redis.call('INCR', key)
end
return counts
"""


def _redis_client():
    """The default cache's Redis client, one per process and connection pool; None for another backend."""
    backend = getattr(cache, "_cache", None)  # django.core.cache.backends.redis.RedisCacheClient
    get_pool = getattr(backend, "_get_connection_pool", None)
    if get_pool is None:
        return None
    pool = get_pool(True)
    client = _clients.get(id(pool))
    if client is None:
        client = backend._client(connection_pool=pool)
        _clients.clear()  # settings changed (tests): the old pool is gone
        _clients[id(pool)] = client
    return client


def redis_script(client: Any, source: str) -> Any:
    """redis-py's Script for this Lua ``source`` on ``client`` (from ``_redis_client``), registered once per
    process: called, it sends EVALSHA (EVAL only the first time Redis does not know it)."""
    script = _scripts.get((id(client), source))
    if script is None:
        if any(key[0] != id(client) for key in _scripts):
            _scripts.clear()  # settings changed (tests): the old client is gone
        script = _scripts[(id(client), source)] = client.register_script(source)
    return script


def hit_many(counters: Sequence[tuple[str, str, int]], *, window_seconds: int) -> tuple[bool, int]:
    """Count one request on each (scope, ident, limit) counter at once; returns (allowed by every one of
    them, seconds until the window ends). Every counter is counted, also when an earlier one refuses."""
    now = time.time()
    window = int(now // window_seconds)
    keys = [f"rl:{scope}:{ident}:{window}" for scope, ident, _ in counters]
    client = _redis_client()
    if client is None:
        counts = [_count_by_cache(key, window_seconds) for key in keys]
    else:
        counts = redis_script(client, _HIT)(keys=[cache.make_key(key) for key in keys], args=[window_seconds + 1])
    retry_after = window_seconds - int(now % window_seconds)
    allowed = all(count <= limit for count, (_, _, limit) in zip(counts, counters, strict=True))
    return allowed, retry_after


def _count_by_cache(key: str, window_seconds: int) -> int:
    cache.add(key, 0, timeout=window_seconds + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: start the window again
        cache.add(key, 1, timeout=window_seconds + 1)
        return 1


def hit(scope: str, ident: str, *, limit: int, window_seconds: int) -> tuple[bool, int]:
    """Count one request; returns (allowed, seconds until the window ends)."""
    return hit_many([(scope, ident, limit)], window_seconds=window_seconds)
