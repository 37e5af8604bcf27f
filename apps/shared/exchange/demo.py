"""The demo's network of platforms (``seed_demo`` on each site; ``make run NETWORK=1``, bin/platform): who talks
to whom, at which address, with which key. One table, so that both ends of every link register the same key.

Development only: the secrets below are public. A real platform joins with its own keys (README, "A network of
platforms": ``manage.py exchange_key`` on both ends).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .conf import exchange_conf
from .models import Peer, PeerKey


@dataclass(frozen=True)
class DemoPlatform:
    code: str
    name: str
    role: str  # "front" or "central"
    base_url: str
    postal_address: str = ""  # a central's office, where halls post originals (材料寄递)


@dataclass(frozen=True)
class DemoLink:
    """Two platforms that talk, by code (a front and a central, or two fronts), and the key of that link."""

    a: str
    b: str
    key_id: str
    secret: str


# The platform a site seeds when DEMO_PLATFORM (bin/platform) names none.
DEFAULT_FRONT = "BJ-TZ"
DEFAULT_CENTRAL = exchange_conf.EXCHANGE_CENTRAL_PEER
# The partner region's central and the region (division-code prefix of the implementation codes, GB/T 2260)
# of the matters it decides.
PARTNER_CENTRAL = "TJ"
PARTNER_REGION = "12"

PLATFORMS = {
    p.code: p
    for p in (
        DemoPlatform("BJ-TZ", "北京城市副中心前台", "front", "http://127.0.0.1:8000"),
        DemoPlatform("BJ-SZ", "北京市政务服务中心前台", "front", "http://127.0.0.1:8001"),
        DemoPlatform(DEFAULT_CENTRAL, "审批总后台", "central", "http://127.0.0.1:8100"),
        DemoPlatform(
            PARTNER_CENTRAL,
            "天津市政务服务审批后台",
            "central",
            "http://127.0.0.1:8101",
            postal_address="天津市河西区友谊路30号 天津市政务服务中心材料接收室",
        ),
    )
}

LINKS = (
    # The first link's key is the one the demo has always had ("k1").
    DemoLink("BJ-TZ", DEFAULT_CENTRAL, "k1", "dev-exchange-secret"),
    DemoLink("BJ-SZ", DEFAULT_CENTRAL, "k-sz", "dev-exchange-secret-sz"),
    # 京津冀通办: the Sub-center's hall receives the partner region's matters on its behalf (异地代收代办).
    DemoLink("BJ-TZ", PARTNER_CENTRAL, "k-tz-tj", "dev-exchange-secret-tz-tj"),
    # One person across platforms: the two fronts ask each other for a person's cases (EXCHANGE_PLATFORM_PEERS,
    # set by bin/platform for `make run NETWORK=1` to demo_platform_peers of each).
    DemoLink("BJ-TZ", "BJ-SZ", "k-tz-sz", "dev-exchange-secret-tz-sz"),
)


def demo_platform(code: str, *, role: str) -> DemoPlatform:
    """The demo platform named ``code`` (or the default of the role); ValueError for an unknown one."""
    code = code or (DEFAULT_FRONT if role == "front" else DEFAULT_CENTRAL)
    platform = PLATFORMS.get(code)
    if platform is None or platform.role != role:
        known = ", ".join(p.code for p in PLATFORMS.values() if p.role == role)
        raise ValueError(f"no demo {role} platform {code!r} (known: {known})")
    return platform


def demo_links(code: str) -> list[tuple[DemoPlatform, DemoLink]]:
    """The links of platform ``code``, each with the platform at the other end."""
    return [(PLATFORMS[link.b if link.a == code else link.a], link) for link in LINKS if code in (link.a, link.b)]


def demo_platform_peers(code: str) -> list[str]:
    """The other front platforms linked to front ``code``: its EXCHANGE_PLATFORM_PEERS in the demo's network."""
    return [other.code for other, _link in demo_links(code) if other.role == "front"]


def demo_peers_seed(code: str, *, base_urls: dict[str, str] | None = None) -> Counter[str]:
    """Register the other end of each of ``code``'s links as a peer with the link's key (idempotent: rows found
    by their code and key id are left as they are). ``base_urls`` overrides a peer's demo address."""
    created: Counter[str] = Counter()
    for other, link in demo_links(code):
        url = (base_urls or {}).get(other.code) or other.base_url
        peer, new = Peer.objects.get_or_create(
            code=other.code, defaults={"name": other.name, "base_url": url, "postal_address": other.postal_address}
        )
        created["peers"] += int(new)
        _key, new = PeerKey.objects.get_or_create(key_id=link.key_id, defaults={"peer": peer, "secret": link.secret})
        created["peer keys"] += int(new)
    return created


def demo_peers_describe(code: str) -> list[str]:
    return [
        f"Peer {other.code} ({other.name}): key id {link.key_id}, secret {link.secret}"
        for other, link in demo_links(code)
    ]
