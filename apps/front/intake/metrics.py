"""Received cases near their 5-working-day intake limit (行政许可法 Art. 32), per hall
(apps/shared/observability): one count grouped by hall, the rule as selectors.py writes it."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from apps.shared.observability.registry import gauge
from apps.shared.workcalendar.selectors import calendar_get

from .models import Case
from .selectors import awaiting_hall_q, intake_near_limit_q


@gauge(
    "intake_cases_near_limit", "Received cases the hall must decide on whose intake limit is near, per hall.", ["hall"]
)
def intake_cases_near_limit():
    near = intake_near_limit_q(today=timezone.localdate(), calendar=calendar_get())
    rows = (
        Case.objects.filter(near, awaiting_hall_q())
        .values_list("hall__code")
        .annotate(n=Count("id"))
        .order_by("hall__code")
    )
    return [((hall,), n) for hall, n in rows.values_list("hall__code", "n")]
