"""govservice.lib.ratelimit on the real Redis: the counters, their expiry, and the one round trip per request."""

import redis
from django.core.cache import cache

from govservice.lib import ratelimit


def test_a_requests_counters_go_to_redis_in_one_round_trip_each_with_the_window_as_expiry(monkeypatch):
    client = ratelimit._redis_client()
    assert client is not None  # the scripted Redis path, not the add + incr fallback for other caches
    assert ratelimit._redis_client() is client  # one client per process, not one per request
    ratelimit.hit_many([("warm:up", "0", 5)], window_seconds=3600)  # the script loaded once per server
    sent = []
    send = redis.connection.Connection.send_packed_command
    monkeypatch.setattr(
        redis.connection.Connection, "send_packed_command", lambda self, *a, **k: sent.append(1) or send(self, *a, **k)
    )

    assert ratelimit.hit_many([("ttl:ip", "10.0.0.1", 5), ("ttl:user", "9", 5)], window_seconds=3600)[0] is True
    assert ratelimit.hit_many([("ttl:ip", "10.0.0.1", 5), ("ttl:user", "9", 5)], window_seconds=3600)[0] is True

    assert len(sent) == 2
    keys = sorted(client.keys(cache.make_key("rl:ttl:*")))
    assert len(keys) == 2
    for key in keys:
        assert int(client.get(key)) == 2
        assert 0 < client.ttl(key) <= 3601
