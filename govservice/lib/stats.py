"""Statistics computed by PostgreSQL, for the supervisors' reports of both sites.

Percentiles are aggregates in SQL (``PERCENTILE_CONT … WITHIN GROUP``), so a report costs one query per
table whatever the number of rows; nothing loops over rows in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Aggregate, Expression, F, FloatField, Func
from django.utils import timezone
from django.utils.translation import gettext as _


class Percentile(Aggregate):
    """``PERCENTILE_CONT(fraction) WITHIN GROUP (ORDER BY expression)``: the continuous percentile, as
    PostgreSQL computes it (linear interpolation between the two nearest rows). NULLs are ignored; a group
    without any value gives NULL. Works with ``filter=Q(...)``."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        fraction = float(fraction)
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("percentile fraction must be between 0 and 1")
        # A validated float, never user text: safe to write into the SQL.
        super().__init__(expression, fraction=repr(fraction), **extra)


class Minutes(Func):
    """The length of an interval (``end - start`` of two timestamps) in minutes, as a float."""

    output_field = FloatField()
    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 60.0)"
    arg_joiner = " - "

    def __init__(self, end: str | Expression, start: str | Expression, **extra: Any) -> None:
        super().__init__(
            F(end) if isinstance(end, str) else end, F(start) if isinstance(start, str) else start, **extra
        )


def rate(part: int | None, whole: int | None) -> float | None:
    """A share in percent with one decimal (half up), or None when there is nothing to divide by."""
    if not whole:
        return None
    value = Decimal(part or 0) * 100 / Decimal(whole)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def one_decimal(value: float | None) -> float | None:
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# Reports cover at most a year: a longer span is a mistake more often than a wish, and costs the database.
MAX_PERIOD_DAYS = 366
DEFAULT_PERIOD_DAYS = 30
# Nothing happened before the platform or after this century; the bounds also keep date arithmetic
# (the day after the end) away from the calendar's limits.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)


class PeriodError(ValueError):
    """A period the user typed cannot be reported on. ``code``: ``invalid_date`` (not a date, or outside
    EARLIEST–LATEST) or ``invalid_period`` (backwards, or longer than MAX_PERIOD_DAYS), for API errors."""

    def __init__(self, message: str, *, code: str = "invalid_period") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Period:
    """Whole local days, both ends included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_before(self) -> dt.datetime:
        """The first moment after the period (exclusive upper bound for timestamps)."""
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))

    def as_query(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def period_from(params: Any, *, today: dt.date | None = None) -> Period:
    """The period asked for in ``start`` / ``end`` (YYYY-MM-DD), by default the last 30 days up to today.

    Raises PeriodError with a message for the user (Chinese first) on a bad date or span."""
    today = today or timezone.localdate()
    start_text = (params.get("start") or "").strip()
    end_text = (params.get("end") or "").strip()
    try:
        end = dt.date.fromisoformat(end_text) if end_text else today
        start = dt.date.fromisoformat(start_text) if start_text else None
    except ValueError:
        raise PeriodError(_("日期格式应为 YYYY-MM-DD。"), code="invalid_date") from None
    # The bounds before any arithmetic: the default start of an end in year 1 is before date.min.
    if start is None and EARLIEST <= end <= LATEST:
        start = end - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if start is None or start < EARLIEST or end < EARLIEST or end > LATEST or start > LATEST:
        raise PeriodError(
            _("日期应在%(first)s年至%(last)s年之间。") % {"first": f"{EARLIEST:%Y}", "last": f"{LATEST:%Y}"},
            code="invalid_date",
        )
    if start > end:
        raise PeriodError(_("开始日期不能晚于结束日期。"))
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise PeriodError(_("统计区间最长%(days)s天。") % {"days": MAX_PERIOD_DAYS})
    return Period(start=start, end=end)
