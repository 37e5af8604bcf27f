"""The demo's network as `make run NETWORK=1` starts it (bin/platform, issue 16): each front lists a person's
cases at the other front (EXCHANGE_PLATFORM_PEERS), as the demo's table of links says; the plain `make run`
asks no other platform; a central has no platform peers."""

from __future__ import annotations

import os
import subprocess

import pytest

from apps.shared.exchange.demo import DEFAULT_FRONT, LINKS, PLATFORMS, demo_platform_peers
from tests.e2e.servers import ROOT


def platform_env(name: str, **extra: str) -> dict[str, str]:
    """The environment bin/platform gives a command of platform ``name``."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("EXCHANGE_PLATFORM_PEERS", "DEMO_NETWORK")},
        "FRONT_SZ_DATABASE_URL": "postgres://sz",
        "CENTRAL_TJ_DATABASE_URL": "postgres://tj",
        **extra,
    }
    out = subprocess.run(
        ["bin/platform", name, "env"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def test_every_link_joins_two_known_platforms_with_a_key_of_its_own():
    assert len({link.key_id for link in LINKS}) == len(LINKS)
    for link in LINKS:
        assert link.a in PLATFORMS and link.b in PLATFORMS and link.a != link.b
        assert "front" in (PLATFORMS[link.a].role, PLATFORMS[link.b].role)  # two centrals never talk


def test_the_fronts_of_the_demo_network_list_a_persons_cases_at_each_other():
    assert demo_platform_peers(DEFAULT_FRONT) == ["BJ-SZ"] and demo_platform_peers("BJ-SZ") == [DEFAULT_FRONT]
    front = platform_env("front", DEMO_NETWORK="1")
    assert front["SITE_ROLE"] == "front"
    assert front["EXCHANGE_PLATFORM_PEERS"] == ",".join(demo_platform_peers(DEFAULT_FRONT))
    sz = platform_env("sz", DEMO_NETWORK="1")
    assert (sz["DEMO_PLATFORM"], sz["EXCHANGE_PLATFORM_PEERS"]) == ("BJ-SZ", ",".join(demo_platform_peers("BJ-SZ")))
    assert platform_env("tj", DEMO_NETWORK="1")["EXCHANGE_PLATFORM_PEERS"] == ""


@pytest.mark.parametrize("network", ["0", ""])
def test_a_single_front_asks_no_other_platform(network):
    assert "EXCHANGE_PLATFORM_PEERS" not in platform_env("front", DEMO_NETWORK=network)


def test_a_value_of_the_operator_is_kept():
    assert (
        platform_env("front", DEMO_NETWORK="1", EXCHANGE_PLATFORM_PEERS="BJ-XC")["EXCHANGE_PLATFORM_PEERS"] == "BJ-XC"
    )
