"""Smart terminals, queue tickets and calling (DOMAIN.md §3)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.booking.models import Appointment, Hall, Window, WindowGroup
from apps.catalog.models import Matter


class Terminal(models.Model):
    """A smart terminal (kiosk) registered to a hall. Only the SHA-256 of its device token is stored."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="terminals")
    name = models.CharField(_("终端名称"), max_length=100)
    token_sha256 = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVING = "serving", _("办理中")
    DONE = "done", _("已办结")
    MISSED = "missed", _("过号")


TICKET_TRANSITIONS: dict[str, frozenset[str]] = {
    TicketStatus.WAITING: frozenset({TicketStatus.CALLED}),
    TicketStatus.CALLED: frozenset({TicketStatus.SERVING, TicketStatus.MISSED, TicketStatus.WAITING}),
    TicketStatus.SERVING: frozenset({TicketStatus.DONE}),
    TicketStatus.DONE: frozenset(),
    TicketStatus.MISSED: frozenset(),
}


class Priority(models.IntegerChoices):
    # Lower calls first: green channel, then booked citizens, then walk-ins (DOMAIN.md §3).
    GREEN_CHANNEL = 0, _("绿色通道")
    BOOKED = 1, _("预约")
    WALK_IN = 2, _("现场取号")


class DailyCounter(models.Model):
    """Numbers that restart each day: ticket numbers per window group, case numbers per hall."""

    scope = models.CharField(max_length=64)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "day"], name="daily_counter_unique")]

    def __str__(self) -> str:
        return f"{self.scope} {self.day} {self.last}"


@pghistory.track(model_name="TicketAudit")
class Ticket(models.Model):
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="tickets")
    group = models.ForeignKey(WindowGroup, on_delete=models.PROTECT, related_name="tickets")
    service_date = models.DateField()
    number = models.PositiveIntegerField()
    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="ticket")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT)
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    display_name = models.CharField(max_length=32, blank=True)  # already masked (张*)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.WALK_IN)
    booked_start = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    checked_in_at = models.DateTimeField(default=timezone.now)
    called_at = models.DateTimeField(null=True, blank=True)
    window = models.ForeignKey(Window, on_delete=models.SET_NULL, null=True, blank=True)
    served_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["priority", "booked_start", "checked_in_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "service_date", "number"], name="ticket_number_unique"),
            models.CheckConstraint(condition=models.Q(status__in=TicketStatus.values), name="ticket_status_valid"),
        ]
        indexes = [
            models.Index(
                fields=["group", "priority", "booked_start", "checked_in_at"],
                condition=models.Q(status="waiting"),
                name="ticket_waiting_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_date} {self.label}"

    @property
    def label(self) -> str:
        return f"{self.group.letter}{self.number:03d}"
