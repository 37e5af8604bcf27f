"""Which halls exist, for the "at my hall" filter and the admin's check of a matter's receiving halls.

Halls belong to apps.front.booking (front only) and the catalog is shared by both sites, so it may not import
them (import-linter): booking registers its hall directory with the catalog (registry.py). On the central
site, which has no halls, the catalog offers the codes it names itself and checks none.
"""

from __future__ import annotations

from . import registry
from .models import Matter


def hall_choices() -> list[tuple[str, str]]:
    """(code, name) of every hall a citizen may pick, by code."""
    directory = registry.halls()
    if directory is not None:
        return directory.choices()
    codes: set[str] = set()
    for halls in (
        Matter.objects.filter(is_current=True).exclude(receiving_halls=[]).values_list("receiving_halls", flat=True)
    ):
        codes.update(halls)
    return [(code, code) for code in sorted(codes)]


def unknown_hall_codes(codes: list[str]) -> list[str]:
    """Codes that name no hall of this site (only checked where halls live, on the front)."""
    directory = registry.halls()
    if not codes or directory is None:
        return []
    return directory.unknown_codes(codes)
