"""Consultation tickets (咨询工单) after the 12345 hotline practice and GB/T 39046 Table 10 (DOMAIN.md §6).

A citizen asks about a matter on the portal, at a hall kiosk, or by phone (a clerk logs the call). The
first clerk who takes a ticket owns it until the citizen has an answer (首问负责); the owner may route it
to a department, whose liaison may answer. Every change writes a TicketEvent; the conversation itself
(question, replies, follow-ups) is the thread of TicketMessage rows.
"""

from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.front.booking.models import Hall
from apps.shared.catalog.models import Department, Matter
from govservice.lib.fieldcrypto import EncryptedCharField
from govservice.lib.lifecycle import allows
from govservice.lib.masking import mask_name, mask_phone

from .conf import consult_conf


class TicketKind(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")


class TicketChannel(models.TextChoices):
    WEB = "web", _("网上")
    TERMINAL = "terminal", _("自助终端")
    PHONE = "phone", _("电话")
    # A remote-window session nobody answered: the hall owes the citizen a call-back (apps/front/remote).
    REMOTE = "remote", _("远程虚拟窗口")


# Channels where the citizen asks in writing and is answered in writing: the 12345 standard's 3-minute
# target for written answers (GB/T 33358, CONSULT_WRITTEN_ANSWER_SECONDS) applies to these. A phone call is
# answered by voice; a remote session's ticket is a call-back.
WRITTEN_CHANNELS = (TicketChannel.WEB, TicketChannel.TERMINAL)


class TicketStatus(models.TextChoices):
    NEW = "new", _("待受理")
    CLAIMED = "claimed", _("处理中")
    ROUTED = "routed", _("已转办")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")


# The whole lifecycle in one place; services refuse anything not listed. ANSWERED → CLAIMED is the
# citizen's follow-up question reopening the thread with the same owner; ROUTED → ROUTED is a re-route.
TICKET_TRANSITIONS: dict[str, frozenset[str]] = {
    TicketStatus.NEW: frozenset({TicketStatus.CLAIMED, TicketStatus.CLOSED}),
    TicketStatus.CLAIMED: frozenset({TicketStatus.ROUTED, TicketStatus.ANSWERED, TicketStatus.CLOSED}),
    TicketStatus.ROUTED: frozenset({TicketStatus.ROUTED, TicketStatus.ANSWERED, TicketStatus.CLOSED}),
    TicketStatus.ANSWERED: frozenset({TicketStatus.CLAIMED, TicketStatus.CLOSED}),
    TicketStatus.CLOSED: frozenset(),
}

# Waiting for someone on the staff side: these count against the time limit.
OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.CLAIMED, TicketStatus.ROUTED)


class Rating(models.IntegerChoices):
    # The 好差评 scale of DOMAIN.md §7 (1 = best), so that both ratings read the same way.
    VERY_SATISFIED = 1, _("非常满意")
    SATISFIED = 2, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 4, _("不满意")
    VERY_DISSATISFIED = 5, _("非常不满意")


# 12345 practice: 满意率 counts 非常满意, 满意 and 基本满意.
SATISFIED_AT_MOST = Rating.BASICALLY_SATISFIED


class ConsultDesk(models.Model):
    """A front-site staff member who answers, for a department, the tickets routed to it (部门联络员)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consult_desk")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="consult_desks")

    class Meta:
        verbose_name = _("部门联络员")
        verbose_name_plural = _("部门联络员")

    def __str__(self) -> str:
        return f"{self.user} · {self.department}"


@pghistory.track(model_name="ConsultTicketAudit")
class ConsultTicket(models.Model):
    """One consultation, complaint or suggestion (GB/T 39046 Table 10: code, asker, title, content, time,
    handler, answer, time answered, extension and reason, days overdue)."""

    TRANSITIONS = TICKET_TRANSITIONS

    code = models.CharField(_("工单编号"), max_length=16, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=TicketKind.choices, default=TicketKind.CONSULTATION)
    channel = models.CharField(_("渠道"), max_length=16, choices=TicketChannel.choices, default=TicketChannel.WEB)
    status = models.CharField(_("状态"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.NEW)
    # The asker's account when there is one (portal, kiosk by ID card, or a caller found by phone or ID).
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="consult_tickets"
    )
    # A caller without an account: the reply goes back by phone. The number is encrypted at rest (§8).
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True, null=True)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="consult_tickets")
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="consult_tickets")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="consult_tickets")
    title = models.CharField(_("标题"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="owned_consult_tickets"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Deadlines are dates: the limit ends with the last working day. None while the calendar of the year
    # they fall in is unpublished (fails closed: the periodic job fills them in once it is published).
    response_due = models.DateField(_("响应期限"), null=True, blank=True)
    due_date = models.DateField(_("办理期限"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("延期工作日"), default=0)
    extension_reason = models.CharField(_("延期理由"), max_length=200, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    first_answered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评价"), choices=Rating.choices, null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=300, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("咨询工单")
        verbose_name_plural = _("咨询工单")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=TicketStatus.values), name="consult_ticket_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=TicketKind.values), name="consult_ticket_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="consult_ticket_rating_range",
            ),
            # 首问负责: past NEW a ticket always has its owner.
            models.CheckConstraint(
                condition=models.Q(status=TicketStatus.NEW)
                | models.Q(status=TicketStatus.CLOSED)
                | models.Q(owner__isnull=False),
                name="consult_ticket_owned_when_taken",
            ),
            # Someone must be reachable: an account or a contact phone.
            models.CheckConstraint(
                condition=models.Q(citizen__isnull=False) | ~models.Q(contact_name=""),
                name="consult_ticket_has_asker",
            ),
        ]
        indexes = [
            models.Index(fields=["hall", "status"], name="consult_ticket_hall_status"),
            models.Index(fields=["status", "due_date"], name="consult_ticket_status_due"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # Cheap predicates: the rule is written here once, for pages and services alike.
    @property
    def can_claim(self) -> bool:
        return self.status == TicketStatus.NEW

    @property
    def can_answer(self) -> bool:
        """Claimed or routed: someone on the staff side may answer (or route it on)."""
        return allows(self, TicketStatus.ANSWERED)

    @property
    def is_answered(self) -> bool:
        """Answered and not yet closed: the citizen may follow up or close, the owner may close."""
        return self.status == TicketStatus.ANSWERED

    @property
    def asker_masked_name(self) -> str:
        return mask_name(self.citizen.real_name if self.citizen else self.contact_name)

    @property
    def asker_phone(self) -> str:
        """In clear: only for services that log who looked (ticket_phone_reveal)."""
        return (self.citizen.phone if self.citizen else self.contact_phone) or ""

    @property
    def asker_masked_phone(self) -> str:
        return mask_phone(self.asker_phone) if self.asker_phone else ""

    @property
    def first_answer_seconds(self) -> int | None:
        """Whole seconds from the question to the first written answer; None before any answer."""
        if self.first_answered_at is None:
            return None
        return int((self.first_answered_at - self.created_at).total_seconds())

    @property
    def first_answer_time(self) -> tuple[int, int] | None:
        """(minutes, seconds) to the first answer, for the desk page."""
        seconds = self.first_answer_seconds
        return None if seconds is None else divmod(seconds, 60)

    @property
    def is_written(self) -> bool:
        """A consultation asked in writing: the 3-minute written-answer target applies (see WRITTEN_CHANNELS)."""
        return self.kind == TicketKind.CONSULTATION and self.channel in WRITTEN_CHANNELS

    @property
    def answered_in_written_time(self) -> bool | None:
        """Whether a written consultation had its first answer within CONSULT_WRITTEN_ANSWER_SECONDS; None when
        the target does not apply or no answer came yet."""
        seconds = self.first_answer_seconds
        if not self.is_written or seconds is None:
            return None
        return seconds <= consult_conf.CONSULT_WRITTEN_ANSWER_SECONDS

    def can_rate(self) -> bool:
        return (
            self.rating is None
            and self.first_answered_at is not None
            and self.status in (TicketStatus.ANSWERED, TicketStatus.CLOSED)
        )

    def transition_event(self, *, from_status: str, to_status: str, **details: Any) -> TicketEvent:
        return TicketEvent(ticket=self, from_status=from_status, to_status=to_status, **details)


class MessageKind(models.TextChoices):
    QUESTION = "question", _("提问")
    REPLY = "reply", _("答复")
    FOLLOW_UP = "follow_up", _("追问")


class TicketMessage(models.Model):
    """The thread the citizen sees: the question, replies and follow-ups, in order."""

    ticket = models.ForeignKey(ConsultTicket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket} {self.kind}"


class TicketAction(models.TextChoices):
    CREATE = "create", _("登记")
    CLAIM = "claim", _("受理")
    ROUTE = "route", _("转办")
    REPLY = "reply", _("答复")
    FOLLOW_UP = "follow_up", _("追问")
    CLOSE = "close", _("办结")
    RATE = "rate", _("评价")
    REMIND = "remind", _("到期提醒")
    ESCALATE = "escalate", _("升级督办")
    EXTEND = "extend", _("延期")
    FAQ = "faq", _("发布常见问题")
    REVEAL = "reveal", _("查看完整号码")


class TicketEvent(models.Model):
    """One row per action on a ticket: who, when, from which status to which, and why."""

    ticket = models.ForeignKey(ConsultTicket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=TicketAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=16, choices=TicketStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=TicketStatus.choices, blank=True)
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket} {self.action}"


class FaqEntry(models.Model):
    """A question and answer for a matter (by implementation code: every version), edited by a
    supervisor from an answered ticket, without personal data."""

    matter_code = models.CharField(max_length=64, db_index=True)
    question = models.CharField(_("问题"), max_length=300)
    answer = models.TextField(_("答复"))
    source_ticket = models.ForeignKey(
        ConsultTicket, on_delete=models.SET_NULL, null=True, blank=True, related_name="faq_entries"
    )
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)
    is_published = models.BooleanField(default=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("常见问题")
        verbose_name_plural = _("常见问题")

    def __str__(self) -> str:
        return self.question
