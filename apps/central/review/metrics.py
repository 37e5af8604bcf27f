"""Open cases against their limits, per department (apps/shared/observability): near the promised limit
(yellow), past it (red), and past the legal limit with any extension.

The colours need the working-day calendar for each open case (selectors.open_case_clocks: one query, then
arithmetic per case), more than a scrape every few seconds should pay on every node; the figures change by
the day, so they are computed at most once a minute for the whole site and kept in the cache."""

from __future__ import annotations

from django.core.cache import cache

from apps.shared.observability.registry import gauge
from govservice.lib.clocks import Sla

from .selectors import open_case_clocks

_CACHE_KEY = "metrics:review-sla"
_CACHE_SECONDS = 60
STATES = ("near_limit", "overdue", "beyond_legal", "open")


def _by_department() -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = {}
    for item in open_case_clocks():
        row = rows.setdefault(item.case.department.code, dict.fromkeys(STATES, 0))
        row["open"] += 1
        if item.sla == Sla.YELLOW:
            row["near_limit"] += 1
        elif item.sla == Sla.RED:
            row["overdue"] += 1
        if item.legal_sla == Sla.RED:
            row["beyond_legal"] += 1
    return rows


@gauge(
    "review_cases",
    "Open cases per department: near the promised limit, overdue, beyond the legal limit, and all open ones.",
    ["department", "state"],
)
def review_cases():
    rows = cache.get_or_set(_CACHE_KEY, _by_department, _CACHE_SECONDS)
    return [((department, state), counts[state]) for department, counts in sorted(rows.items()) for state in STATES]
