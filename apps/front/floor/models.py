"""Smart terminals, queue tickets and calling (DOMAIN.md §3)."""

from __future__ import annotations

import secrets
from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.front.booking.models import Appointment, Hall, Window, WindowGroup
from apps.shared.catalog.models import Matter
from govservice.lib.lifecycle import allows


class Terminal(models.Model):
    """A device registered to a hall: a smart terminal (kiosk), or, bound to a window, that window's rating
    tablet (评价器) facing the citizen. Only the SHA-256 of its device token is stored: the token is shown
    once, when the device is registered or its token renewed."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="terminals")
    name = models.CharField(_("终端名称"), max_length=100)
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    window = models.ForeignKey(
        Window,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("绑定窗口"),
        help_text=_("填写后，该设备为此窗口的评价器（面向市民，不登录工作人员账号）。"),
    )

    class Meta:
        verbose_name = _("终端设备")
        verbose_name_plural = _("终端设备")

    def __str__(self) -> str:
        return self.name


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVING = "serving", _("办理中")
    # Set aside at the window (the citizen went to fetch a document); the same window resumes it later.
    PARKED = "parked", _("已挂起")
    DONE = "done", _("已办结")
    MISSED = "missed", _("过号")


# The whole lifecycle in one place; services refuse anything not listed. A recall is no transition
# (CALLED stays CALLED); WAITING as a target is a transfer to another group's queue.
TICKET_TRANSITIONS: dict[str, frozenset[str]] = {
    TicketStatus.WAITING: frozenset({TicketStatus.CALLED}),
    TicketStatus.CALLED: frozenset(
        {TicketStatus.SERVING, TicketStatus.MISSED, TicketStatus.WAITING, TicketStatus.PARKED}
    ),
    TicketStatus.SERVING: frozenset({TicketStatus.DONE, TicketStatus.WAITING, TicketStatus.PARKED}),
    TicketStatus.PARKED: frozenset({TicketStatus.CALLED, TicketStatus.WAITING}),
    TicketStatus.DONE: frozenset(),
    TicketStatus.MISSED: frozenset(),
}

# Tickets a window is dealing with (shown on the workbench; counted as "active" for a citizen).
ACTIVE_TICKET_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.PARKED)


class GreenReason(models.TextChoices):
    """Green channel (绿色通道, DOMAIN.md §3): chosen at the kiosk and recorded; the window checks the
    certificate. Age is the one reason the kiosk can verify itself, from the ID number's birth date."""

    ELDERLY = "elderly", _("70岁以上老人")
    DISABLED = "disabled", _("残疾人")
    MILITARY = "military", _("军人")


class TicketAction(models.TextChoices):
    ISSUE = "issue", _("取号")
    CALL = "call", _("叫号")
    RECALL = "recall", _("重呼")
    MISS = "miss", _("过号")
    START = "start", _("开始办理")
    FINISH = "finish", _("办结")
    TRANSFER = "transfer", _("转移")
    PARK = "park", _("挂起")
    RESUME = "resume", _("恢复")
    # The window checked who came and for whom (an agent's authority, apps/front/mandates).
    APPLICANT = "applicant", _("核验办理人")


# Events that put a number on the display board and are announced aloud, each once.
CALL_ACTIONS = (TicketAction.CALL, TicketAction.RECALL, TicketAction.RESUME)


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


def new_rating_code() -> str:
    """Six random digits printed on the ticket: with its number, the proof of holding it when rating the
    service at the kiosk (the numbers themselves run A001, A002… and anyone could type another's)."""
    return f"{secrets.randbelow(10**6):06d}"


@pghistory.track(model_name="TicketAudit")
class Ticket(models.Model):
    TRANSITIONS = TICKET_TRANSITIONS

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="tickets")
    group = models.ForeignKey(WindowGroup, on_delete=models.PROTECT, related_name="tickets")
    service_date = models.DateField()
    number = models.PositiveIntegerField()
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="ticket"
    )
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT)
    # The applicant (a person or a company's account) and, when someone else came for them, that person:
    # from the appointment they booked, or checked at the window (apps/front/mandates).
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets_acted",
        verbose_name=_("代办人"),
    )
    display_name = models.CharField(max_length=32, blank=True)  # already masked (张*)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.WALK_IN)
    green_reason = models.CharField(_("绿色通道类别"), max_length=16, choices=GreenReason.choices, blank=True)
    booked_start = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    checked_in_at = models.DateTimeField(default=timezone.now)
    called_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(default=0)
    window = models.ForeignKey(Window, on_delete=models.SET_NULL, null=True, blank=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The letter printed on the paper ticket. It stays when the ticket is transferred to another group,
    # so the board calls the number the citizen holds.
    prefix = models.CharField(max_length=2, blank=True)
    terminal = models.ForeignKey(Terminal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # A kiosk that retries a walk-in request gets its first ticket back (DESIGN.md §6).
    idempotency_key = models.CharField(max_length=64, blank=True)
    rating_code = models.CharField(_("评价码"), max_length=6, default=new_rating_code, editable=False)
    # People ahead, once counted in a request (hall.api.TicketSerializer reads it rather than counting again).
    _ahead: int

    class Meta:
        ordering = ["priority", "booked_start", "checked_in_at", "id"]
        constraints = [
            # Numbers are counted per group and day; letters are unique in a hall.
            models.UniqueConstraint(fields=["hall", "service_date", "prefix", "number"], name="ticket_label_unique"),
            models.UniqueConstraint(
                fields=["terminal", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="ticket_idempotency",
            ),
            models.CheckConstraint(condition=models.Q(status__in=TicketStatus.values), name="ticket_status_valid"),
            models.CheckConstraint(
                condition=models.Q(priority=Priority.GREEN_CHANNEL) | models.Q(green_reason=""),
                name="ticket_green_reason_only_on_green_channel",
            ),
        ]
        indexes = [
            # The call-next claim: one group's waiting tickets of the day in calling order.
            models.Index(
                fields=["group", "service_date", "priority", "booked_start", "checked_in_at", "id"],
                condition=models.Q(status="waiting"),
                name="ticket_waiting_idx",
            ),
            models.Index(fields=["hall", "service_date", "status"], name="ticket_hall_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.service_date} {self.label}"

    @property
    def label(self) -> str:
        return f"{self.prefix or self.group.letter}{self.number:03d}"

    # Cheap predicates: the rule is written here once, for pages and services alike.
    @property
    def can_recall(self) -> bool:
        """A recall is no transition: only a called number is called again (the limit is the service's)."""
        return self.status == TicketStatus.CALLED

    @property
    def can_start(self) -> bool:
        return allows(self, TicketStatus.SERVING)

    @property
    def can_finish(self) -> bool:
        return allows(self, TicketStatus.DONE)

    def transition_event(self, *, from_status: str, to_status: str, **details: Any) -> TicketEvent:
        """The same row as services.events.ticket_event_record (the note is cut to the column)."""
        note = details.pop("note", "")[:200]
        return TicketEvent(
            ticket=self, hall_id=self.hall_id, from_status=from_status, to_status=to_status, note=note, **details
        )


class TicketEvent(models.Model):
    """One row per change of a ticket: who, when, from, to, why. The board reads the call events."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    # Denormalised so the board finds a hall's latest calls without scanning other halls' events.
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=16, choices=TicketAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    window = models.ForeignKey(Window, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["hall", "at"], name="ticketevent_hall_at_idx")]

    def __str__(self) -> str:
        return f"{self.ticket} {self.action} {self.from_status}→{self.to_status}"
