"""Halls, window groups, slots and appointments (DOMAIN.md §3, DESIGN.md §6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.front.booking.conf import booking_conf
from apps.shared.catalog.models import Matter
from govservice.lib.lifecycle import allows


class Hall(models.Model):
    code = models.CharField(_("大厅编码"), max_length=16, unique=True)
    name = models.CharField(_("大厅名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    opening_hours = models.CharField(_("办公时间"), max_length=100, default="工作日 9:00-12:00, 13:30-17:00")
    case_prefix = models.CharField(_("办件编号前缀"), max_length=4, default="TZ")

    class Meta:
        ordering = ["code"]
        verbose_name = _("服务大厅")
        verbose_name_plural = _("服务大厅")

    def __str__(self) -> str:
        return self.name


class WindowGroup(models.Model):
    """Windows serving the same matters; one queue and one set of slots."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="groups")
    letter = models.CharField(_("叫号字母"), max_length=2)
    name = models.CharField(_("名称"), max_length=100)
    people_per_window = models.PositiveSmallIntegerField(_("每窗口每时段接待人数"), default=1)
    # Booking settings of the group (DOMAIN.md §3, each a *setting*): its slots are shared by every matter
    # it handles, so slot length, quota split, horizon and release time belong to the group. Empty means
    # the site default (apps/front/booking/conf.py).
    slot_minutes = models.PositiveSmallIntegerField(
        _("时段长度（分钟）"), null=True, blank=True, validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("留空使用全站默认值（30分钟）。"),
    )
    online_percent = models.PositiveSmallIntegerField(
        _("网上预约占比（%）"), null=True, blank=True, validators=[MaxValueValidator(100)],
        help_text=_("每个时段中开放网上预约的比例，其余留给电话/现场预约。留空使用全站默认值。"),
    )
    horizon_workdays = models.PositiveSmallIntegerField(
        _("可预约工作日数"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("从下一个工作日起可预约的工作日数。留空使用全站默认值（10）。"),
    )
    release_time = models.TimeField(_("放号时间"), null=True, blank=True, help_text=_("留空使用全站默认值（08:30，以数据库时间为准）。"))
    min_notice_hours = models.PositiveSmallIntegerField(
        _("最短提前预约小时数"), null=True, blank=True, help_text=_("在“不可预约当天”之外的额外提前量。留空使用全站默认值（0）。")
    )

    class Meta:
        ordering = ["hall", "letter"]
        constraints = [models.UniqueConstraint(fields=["hall", "letter"], name="group_letter_unique")]
        verbose_name = _("窗口组")
        verbose_name_plural = _("窗口组")

    def __str__(self) -> str:
        return f"{self.hall.name} {self.letter} {self.name}"

    # Effective settings: the group's own value, else the site default.
    @property
    def effective_slot_minutes(self) -> int:
        return self.slot_minutes or booking_conf.BOOKING_SLOT_MINUTES

    @property
    def effective_online_percent(self) -> int:
        return booking_conf.BOOKING_ONLINE_PERCENT if self.online_percent is None else self.online_percent

    @property
    def effective_horizon(self) -> int:
        return self.horizon_workdays or booking_conf.BOOKING_HORIZON_WORKDAYS

    @property
    def effective_release_time(self) -> dt.time:
        return self.release_time or dt.time.fromisoformat(booking_conf.BOOKING_RELEASE_TIME)

    @property
    def effective_min_notice_hours(self) -> int:
        return booking_conf.BOOKING_MIN_NOTICE_HOURS if self.min_notice_hours is None else self.min_notice_hours


class OpeningSession(models.Model):
    """One opening session of a hall on a weekday (a day may have several: morning and afternoon).

    A hall without any row opens at the site default (9:00–12:00, 13:30–17:00). Slots are only ever made
    on working days of the calendar; a make-up working day (调休) on a weekend uses that weekday's rows if
    the hall has any, otherwise Monday's."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("星期一")
        TUESDAY = 1, _("星期二")
        WEDNESDAY = 2, _("星期三")
        THURSDAY = 3, _("星期四")
        FRIDAY = 4, _("星期五")
        SATURDAY = 5, _("星期六")
        SUNDAY = 6, _("星期日")

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="sessions")
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))

    class Meta:
        ordering = ["hall", "weekday", "start"]
        verbose_name = _("办公时段")
        verbose_name_plural = _("办公时段")
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="opening_session_ends_after_start"),
            models.UniqueConstraint(fields=["hall", "weekday", "start"], name="opening_session_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class GroupMatter(models.Model):
    """A matter (by implementation code, so every version) handled by a window group."""

    group = models.ForeignKey(WindowGroup, on_delete=models.CASCADE, related_name="matter_links")
    matter_code = models.CharField(max_length=64, db_index=True)
    # Per-matter override of the group's minimum notice (e.g. a matter that needs a file prepared).
    min_notice_hours = models.PositiveSmallIntegerField(
        _("最短提前预约小时数"), null=True, blank=True, help_text=_("留空使用窗口组的设置。")
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "matter_code"], name="group_matter_unique")]
        verbose_name = _("窗口组办理事项")
        verbose_name_plural = _("窗口组办理事项")

    def __str__(self) -> str:
        return f"{self.group} · {self.matter_code}"


class Window(models.Model):
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="windows")
    group = models.ForeignKey(WindowGroup, on_delete=models.CASCADE, related_name="windows")
    number = models.PositiveSmallIntegerField(_("窗口号"))

    class Meta:
        ordering = ["hall", "number"]
        constraints = [models.UniqueConstraint(fields=["hall", "number"], name="window_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}号窗口"


class StaffPost(models.Model):
    """Where a front-site staff member works: a clerk sees only their own hall's tickets and cases."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post")
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="staff")
    window = models.ForeignKey(Window, on_delete=models.SET_NULL, null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} @ {self.hall}"


class Slot(models.Model):
    """A materialised time slot of a window group. ``booked`` only moves by conditional UPDATE."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="slots")
    group = models.ForeignKey(WindowGroup, on_delete=models.CASCADE, related_name="slots")
    date = models.DateField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    # Online quota: ``capacity`` places bookable online, ``booked`` of them taken.
    capacity = models.PositiveIntegerField()
    booked = models.PositiveIntegerField(default=0)
    # The share of the slot kept for phone / on-site booking by staff (DOMAIN.md §3 quotas).
    reserved = models.PositiveIntegerField(default=0)
    reserved_booked = models.PositiveIntegerField(default=0)
    # Places open for booking from this moment (compared against database time).
    release_at = models.DateTimeField(default=timezone.now)
    # Closed by the hall (HallClosure): nothing more is booked here.
    closed = models.BooleanField(default=False)
    # Anti-resale: places freed by a cancellation stay off the online market until ``resale_until``.
    resale_held = models.PositiveIntegerField(default=0)
    resale_until = models.DateTimeField(null=True, blank=True)
    # Places held for a waitlist offer that has not been answered yet.
    waitlist_held = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["group", "start"], name="slot_group_start_unique"),
            # The backstop under the conditional update: a slot is never oversold.
            models.CheckConstraint(
                condition=models.Q(booked__gte=0) & models.Q(booked__lte=models.F("capacity")), name="slot_booked_within_capacity"
            ),
            models.CheckConstraint(
                condition=models.Q(reserved_booked__lte=models.F("reserved")), name="slot_reserved_within_quota"
            ),
            models.CheckConstraint(
                condition=models.Q(waitlist_held__lte=models.F("capacity")), name="slot_waitlist_held_within_capacity"
            ),
        ]
        indexes = [models.Index(fields=["hall", "date"])]

    def __str__(self) -> str:
        return f"{self.group} {self.start:%Y-%m-%d %H:%M} {self.booked}/{self.capacity}"

    @property
    def remaining(self) -> int:
        return self.capacity - self.booked


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到")
    CALLED = "called", _("已叫号")
    IN_SERVICE = "in_service", _("办理中")
    COMPLETED = "completed", _("已完成")
    CANCELLED_BY_CITIZEN = "cancelled_by_citizen", _("已取消")
    CANCELLED_BY_HALL = "cancelled_by_hall", _("大厅取消")
    NO_SHOW = "no_show", _("爽约")


ACTIVE_APPOINTMENT_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.CALLED,
    AppointmentStatus.IN_SERVICE,
)

APPOINTMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    AppointmentStatus.BOOKED: frozenset(
        {
            AppointmentStatus.CHECKED_IN,
            AppointmentStatus.CANCELLED_BY_CITIZEN,
            AppointmentStatus.CANCELLED_BY_HALL,
            AppointmentStatus.NO_SHOW,
        }
    ),
    AppointmentStatus.CHECKED_IN: frozenset({AppointmentStatus.CALLED, AppointmentStatus.NO_SHOW}),
    # A called citizen who never came to the window (the ticket marked missed, 过号) ends as a no-show.
    AppointmentStatus.CALLED: frozenset(
        {AppointmentStatus.IN_SERVICE, AppointmentStatus.CHECKED_IN, AppointmentStatus.NO_SHOW}
    ),
    AppointmentStatus.IN_SERVICE: frozenset({AppointmentStatus.COMPLETED}),
    AppointmentStatus.COMPLETED: frozenset(),
    AppointmentStatus.CANCELLED_BY_CITIZEN: frozenset(),
    AppointmentStatus.CANCELLED_BY_HALL: frozenset(),
    AppointmentStatus.NO_SHOW: frozenset(),
}


class Quota(models.TextChoices):
    """Which share of the slot an appointment holds (DOMAIN.md §3 quotas)."""

    ONLINE = "online", _("网上预约名额")
    RESERVED = "reserved", _("预留名额（电话/现场/绿色通道）")


class GreenCategory(models.TextChoices):
    """Green channel (绿色通道): the same categories as at the hall's kiosk; the window checks the certificate."""

    ELDERLY = "elderly", _("70岁以上老人")
    DISABLED = "disabled", _("残疾人")
    MILITARY = "military", _("军人")


class Strike(models.TextChoices):
    """What an appointment counts against its citizen (DOMAIN.md §3 penalty); hall cancellations never do."""

    NONE = "", _("无")
    NO_SHOW = "no_show", _("爽约")
    LATE_CANCEL = "late_cancel", _("迟取消")


@pghistory.track(model_name="AppointmentAudit")
class Appointment(models.Model):
    TRANSITIONS = APPOINTMENT_TRANSITIONS

    code = models.CharField(_("预约码"), max_length=12, unique=True)
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="appointments")
    # Denormalised so the one-active-per-matter rule holds across matter versions.
    matter_code = models.CharField(max_length=64)
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="appointments")
    status = models.CharField(max_length=24, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    idempotency_key = models.CharField(max_length=64, blank=True)
    quota = models.CharField(_("名额类别"), max_length=8, choices=Quota.choices, default=Quota.ONLINE)
    green_category = models.CharField(_("绿色通道类别"), max_length=12, choices=GreenCategory.choices, blank=True)
    strike = models.CharField(_("计入违约"), max_length=12, choices=Strike.choices, blank=True, default="")
    strike_at = models.DateTimeField(null=True, blank=True)
    strike_waived = models.BooleanField(_("违约已豁免"), default=False)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    # Each message is sent once: a conditional UPDATE on these claims it.
    confirmed_sent_at = models.DateTimeField(null=True, blank=True)
    reminded_day_at = models.DateTimeField(null=True, blank=True)
    reminded_hour_at = models.DateTimeField(null=True, blank=True)
    # A reschedule cancels this appointment and books a new one pointing back here (history kept).
    rescheduled_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rescheduled_to"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=AppointmentStatus.values), name="appointment_status_valid"),
            # DOMAIN.md §3: one active appointment per citizen per matter.
            models.UniqueConstraint(
                fields=["citizen", "matter_code"],
                condition=models.Q(status__in=ACTIVE_APPOINTMENT_STATUSES),
                name="appointment_one_active_per_matter",
            ),
            models.UniqueConstraint(
                fields=["citizen", "idempotency_key"], condition=~models.Q(idempotency_key=""), name="appointment_idempotency"
            ),
        ]
        indexes = [
            models.Index(fields=["citizen", "strike_at"], condition=~models.Q(strike=""), name="appointment_strikes_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_APPOINTMENT_STATUSES

    # Cheap predicates: the rule is written here once, for pages and services alike.
    @property
    def can_cancel(self) -> bool:
        """The citizen may cancel (or reschedule, or pre-file) only what is booked and not yet at the hall."""
        return allows(self, AppointmentStatus.CANCELLED_BY_CITIZEN)

    @property
    def was_cancelled_by_hall(self) -> bool:
        return self.status == AppointmentStatus.CANCELLED_BY_HALL

    def transition_event(self, *, from_status: str, to_status: str, **details: Any) -> AppointmentEvent:
        return AppointmentEvent(appointment=self, from_status=from_status, to_status=to_status, **details)


class AppointmentEvent(models.Model):
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.appointment} {self.from_status}→{self.to_status}"


class BookingStanding(models.Model):
    """A citizen's standing for online booking: blocked until a moment after repeated no-shows or late
    cancellations (DOMAIN.md §3). Walk-in tickets at the hall are never affected."""

    citizen = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booking_standing")
    blocked_until = models.DateTimeField(_("暂停网上预约至"), null=True, blank=True)
    block_reason = models.CharField(_("暂停原因"), max_length=200, blank=True)
    warned_no_show_at = models.DateTimeField(null=True, blank=True)
    warned_late_cancel_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("网上预约信用")
        verbose_name_plural = _("网上预约信用")

    def __str__(self) -> str:
        return f"{self.citizen} {self.blocked_until or ''}"


class PenaltyWaiver(models.Model):
    """A staff member lifted a citizen's block and waived the strikes behind it, with a reason (audited)."""

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="penalty_waivers")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("豁免理由"), max_length=200)
    blocked_until = models.DateTimeField(_("原暂停至"), null=True, blank=True)
    appointments = models.ManyToManyField(Appointment, related_name="waivers", blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("违约豁免")
        verbose_name_plural = _("违约豁免")

    def __str__(self) -> str:
        return f"{self.citizen} {self.at:%Y-%m-%d}"


class HallClosure(models.Model):
    """A hall, or one window group of it, closed for a day or part of one (outage, emergency, event).
    Its appointments are cancelled by the hall: never penalised, each citizen notified and offered the
    nearest free slots."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="closures")
    group = models.ForeignKey(
        WindowGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="closures",
        help_text=_("留空表示整个大厅。"),
    )
    date = models.DateField(_("日期"))
    start = models.TimeField(_("开始"), null=True, blank=True, help_text=_("留空表示全天。"))
    end = models.TimeField(_("结束"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_count = models.PositiveIntegerField(_("取消预约数"), default=0)
    moved_count = models.PositiveIntegerField(_("改约预约数"), default=0)

    class Meta:
        ordering = ["-date", "start"]
        verbose_name = _("闭厅/暂停服务")
        verbose_name_plural = _("闭厅/暂停服务")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(start__isnull=True) & models.Q(end__isnull=True))
                | (models.Q(start__isnull=False) & models.Q(end__isnull=False) & models.Q(end__gt=models.F("start"))),
                name="closure_whole_day_or_a_period",
            ),
        ]

    def __str__(self) -> str:
        where = self.group.name if self.group is not None else self.hall.name
        when = f"{self.start:%H:%M}–{self.end:%H:%M}" if self.start else _("全天")
        return f"{where} {self.date} {when}"

    def covers(self, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether a slot from ``start`` to ``end`` (aware) overlaps the closure."""
        local_start, local_end = timezone.localtime(start), timezone.localtime(end)
        if local_start.date() != self.date:
            return False
        if self.start is None or self.end is None:
            return True
        return local_start.time() < self.end and local_end.time() > self.start


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("候补中")
    OFFERED = "offered", _("已为您保留名额")
    ACCEPTED = "accepted", _("已预约")
    EXPIRED = "expired", _("保留已过期")
    CANCELLED = "cancelled", _("已退出候补")
    UNFILLED = "unfilled", _("候补未成功")


W = WaitlistStatus
# The whole lifecycle in one place; services refuse anything not listed. An offer holds a place: accepting
# books it, declining or letting it expire gives it back; a waiting entry whose day comes ends unfilled.
WAITLIST_TRANSITIONS: dict[str, frozenset[str]] = {
    W.WAITING: frozenset({W.OFFERED, W.CANCELLED, W.UNFILLED}),
    W.OFFERED: frozenset({W.ACCEPTED, W.EXPIRED, W.CANCELLED}),
    W.ACCEPTED: frozenset(),
    W.EXPIRED: frozenset(),
    W.CANCELLED: frozenset(),
    W.UNFILLED: frozenset(),
}

class WaitlistEntry(models.Model):
    """A citizen waiting for a place on a full day (one matter, one hall). When a place frees up the first
    waiting citizen is offered it, held for a short time; an unanswered offer passes to the next."""

    # No event table: the entry's few moves are told to the citizen (notifications) and the appointment
    # it ends in has its own history.
    TRANSITIONS = WAITLIST_TRANSITIONS

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries")
    matter_code = models.CharField(max_length=64)
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="waitlist")
    date = models.DateField(_("候补日期"))
    status = models.CharField(max_length=12, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING)
    offered_slot = models.ForeignKey(Slot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    appointment = models.OneToOneField(Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("候补")
        verbose_name_plural = _("候补")
        constraints = [
            models.UniqueConstraint(
                fields=["citizen", "matter_code", "date"],
                condition=models.Q(status__in=["waiting", "offered"]),
                name="waitlist_one_per_citizen_matter_day",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="offered")
                | (models.Q(offered_slot__isnull=False) & models.Q(offer_expires_at__isnull=False)),
                name="waitlist_offer_has_slot_and_expiry",
            ),
            models.CheckConstraint(condition=models.Q(status__in=WaitlistStatus.values), name="waitlist_status_valid"),
        ]
        indexes = [models.Index(fields=["hall", "date", "status"])]

    def __str__(self) -> str:
        return f"{self.citizen} {self.matter_code} {self.date} {self.status}"

    @property
    def can_accept(self) -> bool:
        """An offer is open: the held place can be booked (until it expires)."""
        return allows(self, WaitlistStatus.ACCEPTED)

    @property
    def can_leave(self) -> bool:
        return allows(self, WaitlistStatus.CANCELLED)
