"""The remote session at central (DOMAIN.md §9, DESIGN.md §10): who asked from which hall device, the
department whose queue it rings in, who answered, the shared form, the scans, the outcome, and its log.

Media never reach the server: the two browsers exchange them directly (WebRTC). What passes here is the
signalling (offers, answers, ICE candidates: ``SessionSignal``, a mailbox each side reads after a cursor)
and the state both sides must agree on."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.shared.catalog.models import Department, Matter
from apps.shared.exchange.models import Peer
from apps.shared.exchange.remote import SESSION_TRANSITIONS, SessionOutcome, SessionStatus
from govservice.lib.fieldcrypto import EncryptedCharField


class Side(models.TextChoices):
    HALL = "hall", _("大厅")
    CENTRAL = "central", _("审批总后台")
    SYSTEM = "system", _("系统")


class RemoteSession(models.Model):
    TRANSITIONS = SESSION_TRANSITIONS

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="+", verbose_name=_("前台平台"))
    hall_code = models.CharField(_("大厅编码"), max_length=16)
    hall_name = models.CharField(_("大厅"), max_length=100)
    # The hall device or clerk the join ticket is bound to ("terminal:3", "clerk:12"), as the front names it.
    device = models.CharField(_("大厅设备"), max_length=64)
    device_label = models.CharField(_("设备名称"), max_length=100)
    ticket_label = models.CharField(_("排队号"), max_length=16, blank=True)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+", verbose_name=_("事项"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="remote_sessions", verbose_name=_("部门")
    )
    applicant_name = EncryptedCharField(_("申请人"), max_length=64)
    applicant_id_number = EncryptedCharField(_("身份证号码"), max_length=18)
    # The applicant agreed at the hall to the session being recorded (its log; media are not stored).
    consent_at = models.DateTimeField(_("同意记录时间"))
    # The applicant also agreed to the call's media being recorded (asked when the recording setting is on).
    recording_consent = models.BooleanField(_("同意录像"), default=False)
    status = models.CharField(max_length=16, choices=SessionStatus.choices, default=SessionStatus.RINGING)
    outcome = models.CharField(_("结果"), max_length=16, choices=SessionOutcome.choices, blank=True, default="")
    requested_at = models.DateTimeField(_("请求时间"), default=timezone.now)
    ring_deadline = models.DateTimeField(_("应答期限"))
    answered_at = models.DateTimeField(_("应答时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("应答人员"),
    )
    # How the hall names who answered (department and name, never the account), fixed when answered: every poll
    # reads it.
    answered_label = models.CharField(_("应答人员"), max_length=100, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # What the hall is told about the end (never central's internal note).
    end_note = models.CharField(_("结束说明"), max_length=300, blank=True)
    # The shared application form, merged field by field from both sides; the sequence tells a poller whether
    # it has the latest.
    form = models.JSONField(default=dict, blank=True)
    form_seq = models.PositiveIntegerField(default=0)
    # What central points the hall at: {"target": "field:phone" | "material:<key>", "note": …}.
    pointer = models.JSONField(default=dict, blank=True)
    pointer_seq = models.PositiveIntegerField(default=0)
    # The population registry's answer for the applicant's name and ID number, asked when answering.
    registry_match = models.BooleanField(_("人口库比对一致"), null=True, blank=True)
    identity_confirmed_at = models.DateTimeField(_("远程核验身份时间"), null=True, blank=True)
    identity_reason = models.CharField(_("核验依据"), max_length=300, blank=True)
    # Central's own note on the session: never relayed to the hall.
    internal_note = models.TextField(_("内部备注"), blank=True)
    # The case the front made of a concluded session (told by remote.case_opened).
    case_number = models.CharField(_("办件编号"), max_length=32, blank=True)
    # Last request from each side, written at most every few seconds (services.SEEN_EVERY).
    hall_seen_at = models.DateTimeField(null=True, blank=True)
    central_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]
        verbose_name = _("远程会话")
        verbose_name_plural = _("远程会话")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SessionStatus.values), name="remote_session_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=SessionOutcome.values), name="remote_session_outcome_valid"
            ),
            # A session ends with an outcome, and only an ended one has one.
            models.CheckConstraint(
                condition=models.Q(status=SessionStatus.ENDED) ^ models.Q(outcome=""),
                name="remote_session_outcome_when_ended",
            ),
        ]
        indexes = [models.Index(fields=["department", "status"], name="remote_session_queue")]

    def __str__(self) -> str:
        return f"{self.hall_name} {self.matter.name} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def live(self) -> bool:
        return self.status != SessionStatus.ENDED

    @property
    def duration_seconds(self) -> int | None:
        if self.answered_at is None:
            return None
        return int(((self.ended_at or timezone.now()) - self.answered_at).total_seconds())

    @property
    def wait_seconds(self) -> int:
        return int(((self.answered_at or self.ended_at or timezone.now()) - self.requested_at).total_seconds())

    def transition_event(self, *, from_status: str, to_status: str, **details: Any) -> SessionEvent:
        action = EventAction.ANSWERED if to_status == SessionStatus.ACTIVE else EventAction.ENDED
        return SessionEvent(session=self, action=details.pop("action", action), **details)


class EventAction(models.TextChoices):
    REQUESTED = "requested", _("发起请求")
    ANSWERED = "answered", _("应答")
    REGISTRY = "registry", _("人口库比对")
    IDENTITY = "identity", _("远程核验身份")
    POINTED = "pointed", _("提示填写")
    SCAN_REQUESTED = "scan_requested", _("请求扫描")
    SCAN_UPLOADED = "scan_uploaded", _("上传扫描件")
    RECONNECTED = "reconnected", _("重新连接")
    JOIN_REFUSED = "join_refused", _("拒绝入会凭证")
    ACCEPTED = "accepted", _("远程受理")
    ONE_TIME_NOTICE = "one_time_notice", _("一次性告知")
    REFUSED = "refused", _("不予受理")
    ENDED = "ended", _("结束")
    CASE_OPENED = "case_opened", _("前台生成办件")
    RECORDED = "recorded", _("保存录像")


class SessionEvent(models.Model):
    """The session log: who did what, when, from which side (DOMAIN.md §9: sessions are logged)."""

    session = models.ForeignKey(RemoteSession, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    side = models.CharField(max_length=8, choices=Side.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=24, choices=EventAction.choices)
    # One line for the case's timeline at the front (never the internal note, never an ID number).
    note = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.action} {self.at:%H:%M:%S}"


class SessionSignal(models.Model):
    """One signalling message (offer, answer, ICE candidate, ready/hello) from one side to the other; the other
    side reads the ones after its cursor. Deleted when the session ends."""

    id = models.BigAutoField(primary_key=True)
    session = models.ForeignKey(RemoteSession, on_delete=models.CASCADE, related_name="signals")
    sender = models.CharField(max_length=8, choices=Side.choices)
    kind = models.CharField(max_length=16)
    body = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["session", "sender", "id"], name="remote_signal_mailbox")]

    def __str__(self) -> str:
        return f"{self.session_id} {self.sender} {self.kind}"


class SessionScan(models.Model):
    """A material central asked the hall to scan, and the scan the hall uploaded (checked at both sites)."""

    session = models.ForeignKey(RemoteSession, on_delete=models.CASCADE, related_name="scans")
    material_key = models.CharField(_("材料标识"), max_length=64, blank=True)
    name = models.CharField(_("材料名称"), max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="remote/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.name}"

    @property
    def uploaded(self) -> bool:
        return self.uploaded_at is not None


class SessionRecording(models.Model):
    """A recording of the call's media (REMOTE_RECORDING on): the staff member's browser records each connection
    of the call and uploads it when it ends (WebM, checked here). Kept and deleted with the session's record."""

    session = models.ForeignKey(RemoteSession, on_delete=models.CASCADE, related_name="recordings")
    file = models.FileField(upload_to="remote/recordings/%Y/%m/")
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("通话录像")
        verbose_name_plural = _("通话录像")

    def __str__(self) -> str:
        return f"{self.session_id} {self.uploaded_at:%Y-%m-%d %H:%M:%S}"
