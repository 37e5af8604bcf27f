"""Legal persons and the people acting for others (DOMAIN.md §9).

A **company** (法人) applies through its own account (``accounts.Role.COMPANY``): its appointments and cases
belong to that account, as a person's belong to theirs. Nobody signs in with it; its legal representative
(a verified person) acts for it in every matter, and authorises **经办人** (verified persons) for all or some
matters.

A **person** authorises another verified person (代办, 代领) for one matter or one case, by a 委托书: generated
here as a PDF and confirmed by the principal with an SMS code, or a signed paper letter that a clerk scans at
the window.

Both are a :class:`Mandate` from a principal account to an agent, with a scope (matters, or one case), the acts
it allows (apply: book, be received at a window; collect the result), a validity period and a status. An agent
acts within a mandate in force or is refused (selectors.authority_check); revocation is effective at once.
Every act an agent does is an :class:`MandateEvent` the principal reads, and the acting person is recorded on
the appointment, ticket, case and delivery beside the applicant (their ``agent`` / ``collected_by`` fields).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.front.intake.models import Case
from apps.shared.accounts.models import IdentityProof, PhoneChallenge


class Company(models.Model):
    """A legal person on this platform: its account (the applicant), its code and name as the register of
    companies holds them, and its legal representative, a verified person who was matched with the register."""

    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="company")
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=200)
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="companies_represented",
        verbose_name=_("法定代表人"),
    )
    verified_at = models.DateTimeField(_("核验时间"))
    verified_via = models.CharField(_("核验方式"), max_length=16, choices=IdentityProof.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("法人")
        verbose_name_plural = _("法人")

    def __str__(self) -> str:
        return f"{self.name} ({self.credit_code})"


class MandateKind(models.TextChoices):
    STAFF = "staff", _("法人经办人授权")
    PERSONAL = "personal", _("个人委托代办")


class MandateForm(models.TextChoices):
    ELECTRONIC = "electronic", _("电子委托书（短信验证码确认）")
    PAPER = "paper", _("纸质委托书（窗口扫描留存）")
    # A company's 经办人, authorised by its legal representative signed in as themselves.
    REPRESENTATIVE = "representative", _("法定代表人在线授权")


class MandateStatus(models.TextChoices):
    PENDING = "pending", _("待委托人确认")
    ACTIVE = "active", _("有效")
    REVOKED = "revoked", _("已撤销")


# The whole lifecycle in one place; services refuse anything not listed. An expired mandate keeps its status
# (ACTIVE): expiry is a date, compared when an act is checked, so it needs no job to take effect.
MANDATE_TRANSITIONS: dict[str, frozenset[str]] = {
    MandateStatus.PENDING: frozenset({MandateStatus.ACTIVE, MandateStatus.REVOKED}),
    MandateStatus.ACTIVE: frozenset({MandateStatus.REVOKED}),
    MandateStatus.REVOKED: frozenset(),
}


class Act(models.TextChoices):
    """What a mandate lets the agent do: apply (book, file, be received at a window) and collect (代领)."""

    APPLY = "apply", _("代为申请办理")
    COLLECT = "collect", _("代为领取结果")


class Mandate(models.Model):
    TRANSITIONS = MANDATE_TRANSITIONS

    # The 委托书's number, printed on it and read aloud at a window.
    number = models.CharField(_("委托书编号"), max_length=16, unique=True)
    kind = models.CharField(_("授权类别"), max_length=16, choices=MandateKind.choices)
    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mandates_given", verbose_name=_("委托人")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mandates_held", verbose_name=_("受托人")
    )
    # Who gave it: the principal themselves, or for a company its legal representative.
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The scope: every matter (a company's 经办人 only), the matters named by code, or one case.
    all_matters = models.BooleanField(_("全部事项"), default=False)
    matter_codes = ArrayField(models.CharField(max_length=64), verbose_name=_("授权事项"), default=list, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="mandates", verbose_name=_("授权办件")
    )
    may_apply = models.BooleanField(_("可代为申请办理"), default=True)
    may_collect = models.BooleanField(_("可代为领取结果"), default=True)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("有效期至"))
    form = models.CharField(_("委托形式"), max_length=16, choices=MandateForm.choices)
    status = models.CharField(_("状态"), max_length=16, choices=MandateStatus.choices, default=MandateStatus.PENDING)
    # The 委托书: the PDF made here, or the scan of the signed paper letter; its digest proves it unchanged.
    letter = models.FileField(upload_to="mandates/%Y/%m/", blank=True)
    letter_sha256 = models.CharField(max_length=64, blank=True)
    # The SMS challenge the principal answers to confirm an electronic 委托书 (accounts/otp.py).
    challenge = models.ForeignKey(PhoneChallenge, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # A paper letter: the clerk who scanned it, and where.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at_hall = models.CharField(max_length=100, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("授权委托")
        verbose_name_plural = _("授权委托")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=MandateStatus.values), name="mandate_status_valid"),
            models.CheckConstraint(condition=models.Q(kind__in=MandateKind.values), name="mandate_kind_valid"),
            models.CheckConstraint(condition=models.Q(form__in=MandateForm.values), name="mandate_form_valid"),
            models.CheckConstraint(condition=~models.Q(principal=models.F("agent")), name="mandate_not_to_oneself"),
            models.CheckConstraint(
                condition=models.Q(may_apply=True) | models.Q(may_collect=True), name="mandate_allows_an_act"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")), name="mandate_period_valid"
            ),
            # A person's 委托书 names one matter or one case (DOMAIN.md §9), never "everything".
            models.CheckConstraint(
                condition=models.Q(kind=MandateKind.STAFF) | models.Q(all_matters=False),
                name="mandate_personal_not_all",
            ),
            # A scope there is: all matters, named matters, or a case.
            models.CheckConstraint(
                condition=models.Q(all_matters=True) | models.Q(matter_codes__len__gt=0) | models.Q(case__isnull=False),
                name="mandate_has_a_scope",
            ),
        ]
        indexes = [models.Index(fields=["agent", "principal", "status"], name="mandate_agent_principal_idx")]

    def __str__(self) -> str:
        return self.number

    def in_force(self, today: dt.date) -> bool:
        return self.status == MandateStatus.ACTIVE and self.valid_from <= today <= self.valid_until

    def expired(self, today: dt.date) -> bool:
        return self.status == MandateStatus.ACTIVE and self.valid_until < today

    def allows(self, act: str) -> bool:
        return self.may_apply if act == Act.APPLY else self.may_collect

    def covers_matter(self, code: str) -> bool:
        return self.all_matters or code in self.matter_codes

    def covers_case(self, case: Case) -> bool:
        """The case is within the scope: the mandate's own case; for a company's 经办人 every case of the
        company in the matters named; for a person's agent, cases of the matter named since the 委托书 took
        effect (the principal's earlier cases stay theirs alone)."""
        if self.case_id is not None:
            return self.case_id == case.id
        if not self.covers_matter(case.matter.code):
            return False
        return self.kind == MandateKind.STAFF or timezone.localdate(case.received_at) >= self.valid_from

    @property
    def state_label(self) -> str:
        """The status as a person reads it today: an active mandate past its last day has expired."""
        if self.expired(timezone.localdate()):
            return str(_("已到期"))
        return str(self.get_status_display())

    @property
    def acts_label(self) -> str:
        return "、".join(str(label) for act, label in Act.choices if self.allows(act))

    def transition_event(self, *, from_status: str, to_status: str, **details: Any) -> MandateEvent:
        return MandateEvent(mandate=self, from_status=from_status, to_status=to_status, **details)


class EventKind(models.TextChoices):
    GRANTED = "granted", _("授权")
    CONFIRMED = "confirmed", _("确认授权")
    REVOKED = "revoked", _("撤销授权")
    BOOKED = "booked", _("代为预约")
    # Online (apps/front/online): an application started, submitted or completed after a notice.
    APPLIED_ONLINE = "applied_online", _("代为网上申报")
    CANCELLED = "cancelled", _("代为取消预约")
    RECEIVED = "received", _("窗口核验代办人")
    COLLECTED = "collected", _("代为领取结果")
    DOWNLOADED = "downloaded", _("代为下载文书")


class MandateEvent(models.Model):
    """One row per change of a mandate and per act done under it (who, when, what, on which appointment or
    case): what the principal reads to see everything the agent did."""

    mandate = models.ForeignKey(Mandate, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=16, choices=MandateStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=MandateStatus.choices, blank=True)
    # The appointment code or case number the act was about.
    reference = models.CharField(max_length=32, blank=True)
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=EventKind.values), name="mandate_event_kind_valid")
        ]

    def __str__(self) -> str:
        return f"{self.mandate} {self.kind} {self.reference}"
