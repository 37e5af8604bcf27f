"""When a message may go out: quiet hours for non-urgent messages, and the backoff between attempts."""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from apps.front.notifications.conf import notifications_conf


def _parse_quiet_hours(value: str) -> tuple[dt.time, dt.time] | None:
    """ "21:00-08:00" → (21:00, 08:00); "" → None (no quiet hours)."""
    value = value.strip()
    if not value:
        return None
    try:
        start, end = (dt.time.fromisoformat(part.strip()) for part in value.split("-", 1))
    except ValueError:
        raise ImproperlyConfigured(f"NOTIFY_QUIET_HOURS must look like 21:00-08:00, not {value!r}") from None
    return (start, end) if start != end else None


def quiet_hours_end(at: dt.datetime) -> dt.datetime | None:
    """If ``at`` falls in the quiet hours (local time, NOTIFY_QUIET_HOURS), the moment they end;
    otherwise None. The range may wrap midnight (21:00-08:00) or not (12:00-14:00)."""
    hours = _parse_quiet_hours(notifications_conf.NOTIFY_QUIET_HOURS)
    if hours is None:
        return None
    start, end = hours
    local = timezone.localtime(at)
    now = local.time()
    wraps = start > end
    inside = (now >= start or now < end) if wraps else (start <= now < end)
    if not inside:
        return None
    end_day = local.date()
    if wraps and now >= start:
        end_day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(end_day, end), timezone.get_current_timezone())


def not_before(at: dt.datetime, *, channel: str, urgent: bool) -> dt.datetime:
    """The earliest moment a message on ``channel`` may go out at or after ``at``: urgent messages and
    channels that disturb no one go at once, the others wait for the end of the quiet hours."""
    if urgent or channel not in notifications_conf.NOTIFY_QUIET_CHANNELS:
        return at
    return quiet_hours_end(at) or at


def backoff(attempt: int) -> dt.timedelta:
    """Delay after the ``attempt``-th failed try: exponential with full jitter, capped (as the relay)."""
    ceiling = min(
        notifications_conf.NOTIFY_BACKOFF_CAP_SECONDS,
        notifications_conf.NOTIFY_BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0),
    )
    # Full jitter, but never less than the base: a retry a few milliseconds later helps no one.
    return dt.timedelta(seconds=max(notifications_conf.NOTIFY_BACKOFF_BASE_SECONDS, random.uniform(0, ceiling)))  # noqa: S311 - jitter, not security
