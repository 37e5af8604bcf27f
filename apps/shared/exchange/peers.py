"""Who is at the other end (DESIGN.md §10): a platform's peers and, at a front, which central decides a matter.

The small interface other apps use to pick a peer:

* ``peer(code)``: the registered peer with that code (Peer.DoesNotExist if none);
* ``default_central()``: at a front, the platform's own central (EXCHANGE_CENTRAL_PEER);
* ``central_for(matter_code)``: at a front, the central that decides the matter, by the routing table
  (models.Route: the matter's own route, else its region's, longest first, else the default central);
* ``centrals()``: at a front, every active central it knows — the default, those the routes name, and those of
  EXCHANGE_LICENCE_PEERS — the libraries a citizen's licences may be in (电子证照库, issue 16).

A case keeps the central it was handed to (intake's ``Case.central``): a route changed later moves new cases
only. ``route_errors`` is the one check of a route, for the admin and anything else that writes one.
"""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from apps.shared.catalog.models import Matter

from .conf import exchange_conf
from .models import Peer, Route
from .services import signing_key

# GB/T 2260: a province (2 digits), a city (4) or a county (6).
REGION_RE = re.compile(r"^(\d{2}|\d{4}|\d{6})$")


def peer(code: str) -> Peer:
    return Peer.objects.get(code=code)


def default_central() -> Peer:
    return peer(exchange_conf.EXCHANGE_CENTRAL_PEER)


def central_for(matter_code: str) -> Peer:
    """The central that decides the matter with this implementation code (one query)."""
    regions = [matter_code[:n] for n in (2, 4, 6) if len(matter_code) >= n]
    route = (
        Route.objects.select_related("peer")
        .filter(Q(matter_code=matter_code) | Q(matter_code="", region__in=regions))
        # The matter's own route first (its region is ""), then the longest region.
        .order_by("-matter_code", Length("region").desc())
        .first()
    )
    return route.peer if route is not None else default_central()


def centrals() -> list[Peer]:
    """Every active central this front knows, each once: its own central first, then the centrals the routes
    name (by code), then the others of EXCHANGE_LICENCE_PEERS in their order. Front platforms are never among
    them unless named there. One query."""
    extra = [code.strip() for code in exchange_conf.EXCHANGE_LICENCE_PEERS.split(",") if code.strip()]
    found = (
        Peer.objects.filter(active=True)
        .annotate(routed=Exists(Route.objects.filter(peer=OuterRef("pk"))))
        .filter(Q(code=exchange_conf.EXCHANGE_CENTRAL_PEER) | Q(routed=True) | Q(code__in=extra))
    )

    def rank(p: Peer) -> tuple[int, int, str]:
        if p.code == exchange_conf.EXCHANGE_CENTRAL_PEER:
            return (0, 0, "")
        return (1, 0, p.code) if getattr(p, "routed", False) else (2, extra.index(p.code), "")

    return sorted(found, key=rank)


def route_errors(*, matter_code: str, region: str, peer: Peer | None) -> dict[str, str]:
    """What is wrong with a route, by field ({} when nothing): exactly one of a current matter of the catalog
    or a region some current matter is in, to an active peer that holds a valid key. (A matter may be routed
    to the default central too: an exception to its region's route.)"""
    errors: dict[str, str] = {}
    matter_code, region = matter_code.strip(), region.strip()
    if bool(matter_code) == bool(region):
        errors["matter_code"] = _("路由须填写事项实施编码或区划代码之一，且只填一项。")
    elif matter_code and not Matter.objects.filter(code=matter_code, is_current=True).exists():
        errors["matter_code"] = _("目录中没有实施编码为 %(code)s 的现行事项。") % {"code": matter_code}
    elif region and not REGION_RE.match(region):
        errors["region"] = _("区划代码应为2、4或6位数字。")
    elif region and not Matter.objects.filter(code__startswith=region, is_current=True).exists():
        errors["region"] = _("目录中没有实施编码以 %(region)s 开头的现行事项。") % {"region": region}
    if peer is None:
        errors["peer"] = _("请选择审批后台。")
    elif not peer.active:
        errors["peer"] = _("审批后台“%(peer)s”已停用。") % {"peer": peer.code}
    elif not _has_valid_key(peer):
        errors["peer"] = _("审批后台“%(peer)s”没有有效的密钥，报文无法签名。") % {"peer": peer.code}
    return errors


def _has_valid_key(peer: Peer) -> bool:
    try:
        signing_key(peer)
    except RuntimeError:
        return False
    return True
