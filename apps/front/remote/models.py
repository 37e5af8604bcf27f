"""The hall's record of a remote session (the session itself is central's, DESIGN.md §10): which device or
clerk asked, for whom and which matter, with the applicant's consent; what the hall uploaded; how it ended, and
the case or the consultation ticket it led to. The session log at the hall (DOMAIN.md §9)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.front.booking.models import Hall
from apps.front.consult.models import ConsultTicket
from apps.front.floor.models import Terminal, Ticket
from apps.front.intake.models import Case
from apps.shared.catalog.models import Material, Matter
from apps.shared.exchange.remote import SESSION_TRANSITIONS, SessionOutcome, SessionStatus
from govservice.lib.fieldcrypto import EncryptedCharField


class HallSession(models.Model):
    TRANSITIONS = SESSION_TRANSITIONS

    # Central's session id: one id for the session at both sites.
    id = models.UUIDField(primary_key=True, editable=False)
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+", verbose_name=_("大厅"))
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+", verbose_name=_("事项"))
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    # Who asked: a clerk at a window (with the ticket served) or a kiosk. The join ticket is bound to it.
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    terminal = models.ForeignKey(Terminal, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    device = models.CharField(_("大厅设备"), max_length=64)
    device_label = models.CharField(_("设备名称"), max_length=100)
    status = models.CharField(max_length=16, choices=SessionStatus.choices, default=SessionStatus.RINGING)
    outcome = models.CharField(_("结果"), max_length=16, choices=SessionOutcome.choices, blank=True, default="")
    consent_at = models.DateTimeField(_("同意记录时间"))
    started_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    answered_at = models.DateTimeField(_("应答时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    staff_label = models.CharField(_("远程工作人员"), max_length=100, blank=True)
    end_note = models.CharField(_("结束说明"), max_length=300, blank=True)
    # The shared form as the hall last saved it (central keeps the session's copy).
    form = models.JSONField(default=dict, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("办件")
    )
    consult_ticket = models.ForeignKey(
        ConsultTicket, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("回电咨询工单")
    )
    # The case's query password, kept (encrypted) until the hall's page has shown it once.
    query_password = EncryptedCharField(max_length=16, blank=True, null=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("远程会话")
        verbose_name_plural = _("远程会话")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SessionStatus.values), name="hall_session_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=SessionOutcome.values), name="hall_session_outcome_valid"
            ),
            # Exactly one of a clerk or a kiosk asked.
            models.CheckConstraint(
                condition=models.Q(clerk__isnull=True) ^ models.Q(terminal__isnull=True), name="hall_session_one_device"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hall} {self.matter} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration_seconds(self) -> int | None:
        """How long the call lasted (from the answer to the end, or until now); None if nobody answered."""
        if self.answered_at is None:
            return None
        return int(((self.ended_at or timezone.now()) - self.answered_at).total_seconds())

    @property
    def live(self) -> bool:
        return self.status != SessionStatus.ENDED

    def transition_event(self, *, from_status: str, to_status: str, **details: Any) -> HallSessionEvent:
        return HallSessionEvent(session=self, **details)


class HallSessionEvent(models.Model):
    session = models.ForeignKey(HallSession, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=500)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.note}"


class HallScan(models.Model):
    """A scan the hall uploaded during the session (checked as every upload); the case's materials when central
    accepts."""

    session = models.ForeignKey(HallSession, on_delete=models.CASCADE, related_name="scans")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="remote/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.original_name}"
