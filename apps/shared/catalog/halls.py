"""Which halls exist, for the "at my hall" filter, without importing the front site.

Halls belong to apps.front.booking (front only) and the catalog is shared by both sites, so it may not import
them (import-linter). It asks Django's app registry for the model by name when that app is installed;
on the central site, which has no halls, it offers the codes the catalog itself names.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps

from .models import Matter

# A name, not an import (and not a literal a type checker would try to resolve on the central site).
HALL_MODEL = ("booking", "Hall")


def hall_choices() -> list[tuple[str, str]]:
    """(code, name) of every hall a citizen may pick, by code."""
    if apps.is_installed("apps.front.booking"):
        hall_model: Any = apps.get_model(*HALL_MODEL)
        return list(hall_model.objects.order_by("code").values_list("code", "name"))
    codes: set[str] = set()
    for halls in Matter.objects.filter(is_current=True).exclude(receiving_halls=[]).values_list("receiving_halls", flat=True):
        codes.update(halls)
    return [(code, code) for code in sorted(codes)]


def unknown_hall_codes(codes: list[str]) -> list[str]:
    """Codes that name no hall of this site (only checked where halls live, on the front)."""
    if not codes or not apps.is_installed("apps.front.booking"):
        return []
    hall_model: Any = apps.get_model(*HALL_MODEL)
    known = set(hall_model.objects.filter(code__in=codes).values_list("code", flat=True))
    return [code for code in codes if code not in known]
