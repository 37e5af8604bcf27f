"""A hall's organisation, what slots are made from: halls, window groups and their opening sessions, the
matters a group handles, windows, staff posts, and closures (DOMAIN.md §3)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.front.booking.conf import booking_conf


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
        _("时段长度（分钟）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("留空使用全站默认值（30分钟）。"),
    )
    online_percent = models.PositiveSmallIntegerField(
        _("网上预约占比（%）"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("每个时段中开放网上预约的比例，其余留给电话/现场预约。留空使用全站默认值。"),
    )
    horizon_workdays = models.PositiveSmallIntegerField(
        _("可预约工作日数"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("从下一个工作日起可预约的工作日数。留空使用全站默认值（10）。"),
    )
    release_time = models.TimeField(
        _("放号时间"), null=True, blank=True, help_text=_("留空使用全站默认值（08:30，以数据库时间为准）。")
    )
    min_notice_hours = models.PositiveSmallIntegerField(
        _("最短提前预约小时数"),
        null=True,
        blank=True,
        help_text=_("在“不可预约当天”之外的额外提前量。留空使用全站默认值（0）。"),
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
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="opening_session_ends_after_start"
            ),
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
        return gettext("{n}号窗口").format(n=self.number)  # in the reader's language (the workbench, the tablet)


class StaffPost(models.Model):
    """Where a front-site staff member works: a clerk sees only their own hall's tickets and cases."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post")
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="staff")
    window = models.ForeignKey(Window, on_delete=models.SET_NULL, null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} @ {self.hall}"


class HallClosure(models.Model):
    """A hall, or one window group of it, closed for a day or part of one (outage, emergency, event).
    Its appointments are cancelled by the hall: never penalised, each citizen notified and offered the
    nearest free slots."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="closures")
    group = models.ForeignKey(
        WindowGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
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
