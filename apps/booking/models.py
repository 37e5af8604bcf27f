"""Halls, window groups, slots and appointments (DOMAIN.md §3, DESIGN.md §6)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Matter


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

    class Meta:
        ordering = ["hall", "letter"]
        constraints = [models.UniqueConstraint(fields=["hall", "letter"], name="group_letter_unique")]

    def __str__(self) -> str:
        return f"{self.hall.name} {self.letter} {self.name}"


class GroupMatter(models.Model):
    """A matter (by implementation code, so every version) handled by a window group."""

    group = models.ForeignKey(WindowGroup, on_delete=models.CASCADE, related_name="matter_links")
    matter_code = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "matter_code"], name="group_matter_unique")]

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
    capacity = models.PositiveIntegerField()
    booked = models.PositiveIntegerField(default=0)
    # Places open for booking from this moment (compared against database time).
    release_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["group", "start"], name="slot_group_start_unique"),
            # The backstop under the conditional update: a slot is never oversold.
            models.CheckConstraint(
                condition=models.Q(booked__gte=0) & models.Q(booked__lte=models.F("capacity")), name="slot_booked_within_capacity"
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
    AppointmentStatus.CALLED: frozenset({AppointmentStatus.IN_SERVICE, AppointmentStatus.CHECKED_IN}),
    AppointmentStatus.IN_SERVICE: frozenset({AppointmentStatus.COMPLETED}),
    AppointmentStatus.COMPLETED: frozenset(),
    AppointmentStatus.CANCELLED_BY_CITIZEN: frozenset(),
    AppointmentStatus.CANCELLED_BY_HALL: frozenset(),
    AppointmentStatus.NO_SHOW: frozenset(),
}


@pghistory.track(model_name="AppointmentAudit")
class Appointment(models.Model):
    code = models.CharField(_("预约码"), max_length=12, unique=True)
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="appointments")
    # Denormalised so the one-active-per-matter rule holds across matter versions.
    matter_code = models.CharField(max_length=64)
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="appointments")
    status = models.CharField(max_length=24, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    idempotency_key = models.CharField(max_length=64, blank=True)
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

    def __str__(self) -> str:
        return self.code

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_APPOINTMENT_STATUSES


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
