"""Reads for booking."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, ExpressionWrapper, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Now
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext as _

from apps.front.booking.conf import booking_conf
from apps.shared.accounts.models import Role, User
from apps.shared.catalog.models import Matter

from .models import Appointment, BookingStanding, GroupMatter, Hall, Slot, StaffPost, WaitlistEntry, WaitlistStatus

# Ids are bigint: a request value that is not decimal or above this is no id (never a 500 from the database).
MAX_ID = 2**63 - 1


def halls_for_matter(matter_code: str) -> QuerySet[Hall]:
    return Hall.objects.filter(groups__matter_links__matter_code=matter_code).distinct().order_by("code")


@dataclass(frozen=True)
class SlotPicker:
    """A booking page's time picker: the halls handling the matter and the one chosen, then a day picker
    (each day with open times and how many) and the chosen day's times only, so that a phone shows one day's
    times at a time rather than every slot of the horizon in one list."""

    halls: list[Hall] = field(default_factory=list)
    hall: Hall | None = None
    days: list[tuple[dt.date, int]] = field(default_factory=list)
    day: dt.date | None = None
    times: list[Slot] = field(default_factory=list)


def day_choice(slots: Iterable[Slot], day_param: str) -> tuple[list[tuple[dt.date, int]], dt.date | None, list[Slot]]:
    """Open slots (in time order) as a day picker: the days with their counts, the day chosen by
    ``YYYY-MM-DD`` (else the first), and that day's slots. A day that is not offered is no choice."""
    by_day = {day: list(items) for day, items in itertools.groupby(slots, key=lambda s: s.date)}
    days = [(day, len(items)) for day, items in by_day.items()]
    try:
        chosen = parse_date(day_param)
    except ValueError:  # well formed, but no date (2026-02-30)
        chosen = None
    if chosen not in by_day:
        chosen = days[0][0] if days else None
    return days, chosen, by_day.get(chosen, []) if chosen else []


def slot_picker(*, matter: Matter, hall_param: str, day_param: str = "") -> SlotPicker:
    """The time picker of a booking page (the matter's own, and a checklist's): the halls handling the
    matter, the one chosen by ``?hall=<id>`` (or the only one), its days with open slots and the times of the
    day chosen by ``?day=YYYY-MM-DD`` (or the first)."""
    halls = list(halls_for_matter(matter.code))
    hall = None
    if hall_param.isdecimal() and int(hall_param) <= MAX_ID:
        hall = next((h for h in halls if h.id == int(hall_param)), None)
    elif len(halls) == 1:
        hall = halls[0]
    if hall is None or not matter.bookable:
        return SlotPicker(halls=halls, hall=hall)
    days, day, times = day_choice(slots_open_for(hall_id=hall.id, matter_code=matter.code), day_param)
    return SlotPicker(halls=halls, hall=hall, days=days, day=day, times=times)


def resale_held_now():
    """Places of a slot still held back after a cancellation (anti-resale), by database time."""
    return Case(When(resale_until__gt=Now(), then=F("resale_held")), default=Value(0))


def online_free_q() -> Q:
    """A slot with an online place free now: not closed, released (database time), and places left after
    those held for a waitlist offer and those freed too recently to be sold again."""
    return Q(closed=False, release_at__lte=Now(), capacity__gt=F("booked") + F("waitlist_held") + resale_held_now())


def notice_from(moment, *, matter_code: str) -> ExpressionWrapper:
    """For a slot queryset: ``moment`` (a datetime or Now()) plus the matter's minimum notice at the slot's
    group, else the group's, else the site's; a slot can be booked at ``moment`` when it starts at or after."""
    notice = Coalesce(
        Subquery(
            GroupMatter.objects.filter(group_id=OuterRef("group_id"), matter_code=matter_code).values(
                "min_notice_hours"
            )[:1]
        ),
        F("group__min_notice_hours"),
        Value(booking_conf.BOOKING_MIN_NOTICE_HOURS),
        output_field=IntegerField(),
    )
    return ExpressionWrapper(moment + notice * Value(dt.timedelta(hours=1)), output_field=Slot._meta.get_field("start"))


def slots_open_for(*, hall_id: int, matter_code: str) -> QuerySet[Slot]:
    """Bookable slots from tomorrow on, of the hall's groups handling the matter: released, open, with an
    online place free, and far enough ahead for the matter's minimum notice. ``remaining`` is annotated."""
    return (
        Slot.objects.filter(
            hall_id=hall_id, group__matter_links__matter_code=matter_code, date__gt=timezone.localdate()
        )
        .filter(online_free_q())
        .filter(start__gte=notice_from(Now(), matter_code=matter_code))
        .annotate(free=F("capacity") - F("booked") - F("waitlist_held") - resale_held_now())
        .select_related("group")
        .order_by("start")
    )


def reserved_slots_for(*, hall_id: int, matter_code: str, limit: int = 200) -> QuerySet[Slot]:
    """Slots of the hall's groups handling the matter with a place of the share reserved for phone and
    on-site booking free (DOMAIN.md §3 quotas), not started, not closed: what a clerk books a caller into.
    ``reserved_free`` is annotated."""
    return (
        Slot.objects.filter(
            hall_id=hall_id, group__matter_links__matter_code=matter_code, closed=False, start__gt=Now()
        )
        .filter(reserved__gt=F("reserved_booked"))
        .annotate(reserved_free=F("reserved") - F("reserved_booked"))
        .select_related("group")
        .order_by("start")[:limit]
    )


def standings_blocked(*, now: dt.datetime | None = None) -> QuerySet[BookingStanding]:
    """Citizens whose online booking is blocked now (no-shows, late cancellations), the latest block first."""
    return (
        BookingStanding.objects.filter(blocked_until__gt=now or timezone.now())
        .select_related("citizen")
        .order_by("-blocked_until")
    )


SLOT_ROW_FIELDS = ("id", "date", "start", "end", "capacity", "free", "group__name")


def slot_rows_open_for(*, hall_id: int, matter_code: str, limit: int = 400) -> list[dict[str, object]]:
    """The open slots of ``slots_open_for`` as the API answers them, from one query of plain rows (no model
    instances): ``id``, ``date`` (ISO), ``start``/``end`` (ISO 8601 in the site's time zone, as DRF writes
    them), ``capacity``, ``remaining`` (online places left) and ``group`` (its name)."""
    rows = slots_open_for(hall_id=hall_id, matter_code=matter_code).values_list(*SLOT_ROW_FIELDS)[:limit]
    tz = timezone.get_current_timezone()
    return [
        {
            "id": slot_id,
            "date": date.isoformat(),
            "start": _iso(start.astimezone(tz)),
            "end": _iso(end.astimezone(tz)),
            "capacity": capacity,
            "remaining": free,
            "group": group,
        }
        for slot_id, date, start, end, capacity, free, group in rows
    ]


def _iso(moment: dt.datetime) -> str:
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def nearest_free_slots(*, hall_id: int, matter_code: str, limit: int = 3) -> list[Slot]:
    """The nearest bookable slots for the matter at the hall, else at the other halls handling it."""
    found = list(slots_open_for(hall_id=hall_id, matter_code=matter_code).select_related("hall")[:limit])
    if found:
        return found
    for hall in halls_for_matter(matter_code).exclude(id=hall_id):
        found = list(slots_open_for(hall_id=hall.id, matter_code=matter_code).select_related("hall")[:limit])
        if found:
            return found
    return []


def slots_text(slots: list[Slot]) -> str:
    """Free places offered in a message, in the language active when it is read (notify renders a lazy one in
    the recipient's: slots_text_lazy)."""
    if not slots:
        return gettext("近期暂无空余时段，可登记候补或稍后再试")
    chinese = (get_language() or "zh").startswith("zh")
    when = "%m月%d日 %H:%M" if chinese else "%Y-%m-%d %H:%M"
    return ("、" if chinese else ", ").join(
        f"{s.hall.name if s.hall_id else ''} {timezone.localtime(s.start).strftime(when)}".strip() for s in slots
    )


slots_text_lazy = lazy(slots_text, str)


def appointment_get_for_citizen(*, citizen: User, code: str) -> Appointment:
    """404 when the appointment is not this citizen's: nobody learns another's code exists."""
    return get_object_or_404(
        Appointment.objects.select_related("matter", "hall", "slot", "slot__group"), citizen=citizen, code=code
    )


def appointments_for_citizen(*, citizen: User) -> QuerySet[Appointment]:
    return Appointment.objects.filter(citizen=citizen).select_related("matter", "hall", "slot").order_by("-slot__start")


def waitlist_for_citizen(*, citizen: User) -> QuerySet[WaitlistEntry]:
    return (
        WaitlistEntry.objects.filter(citizen=citizen, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED])
        .select_related("hall", "offered_slot")
        .order_by("date")
    )


def calendar_warning(*, today: dt.date | None = None) -> str:
    """An admin warning when the booking horizon runs into a year whose holidays nobody has published:
    slots stop there (fail closed) until the year is entered in the calendar."""
    from apps.shared.workcalendar.selectors import calendar_get

    from .services.slots import calendar_horizon

    today = today or timezone.localdate()
    longest = max([booking_conf.BOOKING_HORIZON_WORKDAYS, *(h for h in _group_horizons() if h)])
    days, unknown_year = calendar_horizon(calendar_get(), today, longest)
    if unknown_year is None:
        return ""
    last = f"{days[-1]:%Y-%m-%d}" if days else f"{today:%Y-%m-%d}"
    return _("%(year)s年的节假日安排尚未发布：预约时段只生成到%(last)s。请在“工作日历”中录入%(year)s年的安排。") % {
        "year": unknown_year,
        "last": last,
    }


def _group_horizons() -> list[int]:
    from .models import WindowGroup

    return [h for h in WindowGroup.objects.values_list("horizon_workdays", flat=True) if h]


def full_days_for(*, hall_id: int, matter_code: str) -> list[dt.date]:
    """Released days from tomorrow on whose open slots for the matter are all taken: the days a citizen may
    join the waitlist for."""
    from django.db.models import Count

    rows = (
        Slot.objects.filter(
            hall_id=hall_id,
            group__matter_links__matter_code=matter_code,
            date__gt=timezone.localdate(),
            closed=False,
            release_at__lte=Now(),
        )
        .values("date")
        .annotate(free=Count("id", filter=online_free_q()))
        .filter(free=0)
        .order_by("date")
    )
    return [row["date"] for row in rows]


def booking_rules() -> dict[str, object]:
    """The rules as configured, for the pages that explain them."""
    return {
        "horizon": booking_conf.BOOKING_HORIZON_WORKDAYS,
        "release": booking_conf.BOOKING_RELEASE_TIME,
        "max_active": booking_conf.BOOKING_MAX_ACTIVE_PER_CITIZEN,
        "free_cancel_hours": booking_conf.BOOKING_FREE_CANCEL_HOURS,
        "grace": booking_conf.BOOKING_NO_SHOW_GRACE_MINUTES,
        "window": booking_conf.BOOKING_PENALTY_WINDOW_DAYS,
        "no_show_limit": booking_conf.BOOKING_NO_SHOW_LIMIT,
        "no_show_block": booking_conf.BOOKING_NO_SHOW_BLOCK_DAYS,
        "late_limit": booking_conf.BOOKING_LATE_CANCEL_LIMIT,
        "late_block": booking_conf.BOOKING_LATE_CANCEL_BLOCK_DAYS,
        "resale": booking_conf.BOOKING_RESALE_MINUTES,
    }


def hall_supervisors(hall_id: int) -> list[User]:
    """The active hall supervisors posted to a hall (who is warned, escalated to, asked to decide)."""
    return list(User.objects.filter(role=Role.HALL_SUPERVISOR, post__hall_id=hall_id, is_active=True).order_by("id"))


def staff_hall_name(user: User) -> str:
    """The name of the hall a staff member is posted to ("" for none): what accounts records of a window's act."""
    return StaffPost.objects.filter(user=user).values_list("hall__name", flat=True).first() or ""


# --- The catalog's hall directory (registered in apps.BookingConfig.ready: the shared catalog may not
# import booking) ---------------------------------------------------------------------------------------


def hall_choices_for_catalog() -> list[tuple[str, str]]:
    return list(Hall.objects.order_by("code").values_list("code", "name"))


def hall_codes_unknown(codes: list[str]) -> list[str]:
    known = set(Hall.objects.filter(code__in=codes).values_list("code", flat=True))
    return [code for code in codes if code not in known]
