"""Slots and what is booked in them: appointments with their events, the citizen's booking standing and
waivers, the waitlist (DOMAIN.md §3, DESIGN.md §6)."""

from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.shared.catalog.models import Matter
from govservice.lib.lifecycle import allows

from .halls import Hall, WindowGroup


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
                condition=models.Q(booked__gte=0) & models.Q(booked__lte=models.F("capacity")),
                name="slot_booked_within_capacity",
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
    # A citizen who checked in came: never a no-show (only one called and never at the window is).
    AppointmentStatus.CHECKED_IN: frozenset({AppointmentStatus.CALLED}),
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
    # The applicant: a person, or a company's account (accounts.Role.COMPANY).
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    # Who booked it for the applicant (DOMAIN.md §9: both identities on every act): a person's agent, or a
    # company's representative or 经办人 (apps/front/mandates checked their authority). Empty: the applicant.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments_acted",
        verbose_name=_("代办人"),
    )
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
            models.CheckConstraint(
                condition=models.Q(status__in=AppointmentStatus.values), name="appointment_status_valid"
            ),
            # DOMAIN.md §3: one active appointment per citizen per matter.
            models.UniqueConstraint(
                fields=["citizen", "matter_code"],
                condition=models.Q(status__in=ACTIVE_APPOINTMENT_STATUSES),
                name="appointment_one_active_per_matter",
            ),
            models.UniqueConstraint(
                fields=["citizen", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="appointment_idempotency",
            ),
        ]
        indexes = [
            models.Index(
                fields=["citizen", "strike_at"], condition=~models.Q(strike=""), name="appointment_strikes_idx"
            ),
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


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("候补中")
    OFFERED = "offered", _("已为您保留名额")
    ACCEPTED = "accepted", _("已预约")
    EXPIRED = "expired", _("保留已过期")
    CANCELLED = "cancelled", _("已退出候补")
    UNFILLED = "unfilled", _("候补未成功")


W = WaitlistStatus
# The whole lifecycle in one place; services refuse anything not listed. An offer holds a place: accepting
# books it, declining or letting it expire gives it back; a waiting entry whose day comes ends unfilled. A
# closure of the offered slot gives the offer back to waiting, its turn kept (booking/services/closures.py).
WAITLIST_TRANSITIONS: dict[str, frozenset[str]] = {
    W.WAITING: frozenset({W.OFFERED, W.CANCELLED, W.UNFILLED}),
    W.OFFERED: frozenset({W.ACCEPTED, W.EXPIRED, W.CANCELLED, W.WAITING}),
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
