from __future__ import annotations

from govservice.lib.workdays import WorkCalendar

from .models import CalendarOverride, PublishedYear


def calendar_get() -> WorkCalendar:
    """The working-day calendar with this site's overrides (two small queries)."""
    overrides = dict(CalendarOverride.objects.values_list("date", "is_workday"))
    years = set(PublishedYear.objects.values_list("year", flat=True))
    return WorkCalendar(overrides, years)
