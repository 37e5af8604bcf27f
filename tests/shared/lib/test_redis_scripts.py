"""govservice/lib/ratelimit.redis_script: one Script per Lua source, registered once per process and client
(the rate limit's and the token cache's scripts share the helper and must never be mistaken for each other)."""

from __future__ import annotations

from govservice.lib.ratelimit import _redis_client, redis_script


def test_each_source_has_its_own_script_registered_once():
    client = _redis_client()
    one, two = "return 1", "return 2"
    assert redis_script(client, one) is redis_script(client, one)
    assert redis_script(client, two) is not redis_script(client, one)
    assert (redis_script(client, one)(), redis_script(client, two)()) == (1, 2)
