"""Cases received at the central back office (审批总后台) and their review (DOMAIN.md §5)."""

from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.shared.catalog.models import Department, Matter
from apps.shared.exchange.contract import DeliveryMethod  # as the front tells us: one definition (the wire contract)
from apps.shared.exchange.models import Peer
from govservice.lib.decisions import Decision
from govservice.lib.fieldcrypto import EncryptedCharField
from govservice.lib.lifecycle import allows


class ApproverPost(models.Model):
    """The department an approver works for: approvers act only on their department's cases."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="approver_post")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="approvers")

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"


class ReviewStatus(models.TextChoices):
    IN_REVIEW = "in_review", _("审查中")
    CORRECTION = "correction", _("待补正")
    SPECIAL_PROCEDURE = "special_procedure", _("特别程序")
    DECIDED = "decided", _("已决定")
    WITHDRAWN = "withdrawn", _("已撤回")
    # 容缺受理: the applicant let the commitment's deadline pass with items owed (deferred.py).
    SUSPENDED = "suspended", _("中止审查（容缺材料逾期未补齐）")


REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    ReviewStatus.IN_REVIEW: frozenset(
        {ReviewStatus.CORRECTION, ReviewStatus.SPECIAL_PROCEDURE, ReviewStatus.DECIDED, ReviewStatus.WITHDRAWN, ReviewStatus.SUSPENDED}
    ),
    # Until the deferred items come (then back to review, the clock resumes) or the applicant withdraws;
    # no decision is taken on a case whose key facts are still owed.
    ReviewStatus.SUSPENDED: frozenset({ReviewStatus.IN_REVIEW, ReviewStatus.WITHDRAWN}),
    ReviewStatus.CORRECTION: frozenset({ReviewStatus.IN_REVIEW, ReviewStatus.WITHDRAWN}),
    ReviewStatus.SPECIAL_PROCEDURE: frozenset({ReviewStatus.IN_REVIEW, ReviewStatus.DECIDED, ReviewStatus.WITHDRAWN}),
    ReviewStatus.DECIDED: frozenset(),
    ReviewStatus.WITHDRAWN: frozenset(),
}

# The limit may be extended while the case is open (the clock is stopped, not ended, in the last two).
EXTENDABLE = frozenset({ReviewStatus.IN_REVIEW, ReviewStatus.SPECIAL_PROCEDURE, ReviewStatus.CORRECTION})


REVIEW_STEPS = (_("初审"), _("复审"), _("审批决定"))


class SpecialProcedure(models.TextChoices):
    # 行政许可法 Art. 45: time for these is not counted in the decision limit.
    HEARING = "hearing", _("听证")
    INSPECTION = "inspection", _("现场核查")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    TESTING = "testing", _("检验检测")


@pghistory.track(model_name="ReviewCaseAudit")
class ReviewCase(models.Model):
    TRANSITIONS = REVIEW_TRANSITIONS

    platform = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="cases")
    front_number = models.CharField(_("办件编号"), max_length=32)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="review_cases")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="review_cases")
    hall_name = models.CharField(_("收件大厅"), max_length=100)
    applicant_name = models.CharField(_("申请人"), max_length=64)
    applicant_id_number = EncryptedCharField(_("身份证号码"), max_length=18)
    status = models.CharField(max_length=24, choices=ReviewStatus.choices, default=ReviewStatus.IN_REVIEW)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    accepted_at = models.DateTimeField()
    promised_date = models.DateField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=24, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Review steps (环节): index into REVIEW_STEPS; approvers pass a case on or return it.
    step = models.PositiveSmallIntegerField(default=0)
    # The clock (govservice.lib.clocks.Clock), in working days: only review time counts.
    promised_limit = models.PositiveSmallIntegerField(default=0)
    legal_limit = models.PositiveSmallIntegerField(default=0)
    clock_used = models.PositiveSmallIntegerField(default=0)
    clock_running_since = models.DateField(null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    correction_items = models.JSONField(default=list, blank=True)
    correction_deadline = models.DateField(null=True, blank=True)
    special_kind = models.CharField(max_length=24, blank=True)
    special_reason = models.TextField(blank=True)
    special_expected_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # The applicant's choice as the front reports it; for post only the city / district, never the address
    # (DOMAIN.md §8: the front keeps it and gives it to the courier, central has no use for it).
    delivery_method = models.CharField(_("领取方式"), max_length=16, choices=DeliveryMethod.choices, default=DeliveryMethod.ELECTRONIC)
    delivery_region = models.CharField(_("邮寄地区"), max_length=40, blank=True)
    result_issued_at = models.DateTimeField(null=True, blank=True)
    # The result reached the applicant (case.delivered from the front): how, when, the waybill for post.
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    delivered_method = models.CharField(_("送达方式"), max_length=16, choices=DeliveryMethod.choices, blank=True)
    delivery_tracking_number = models.CharField(_("运单号"), max_length=40, blank=True)

    class Meta:
        ordering = ["received_at"]
        constraints = [
            # Exactly once at central, whatever the wire does.
            models.UniqueConstraint(fields=["platform", "front_number"], name="review_case_once"),
            models.CheckConstraint(condition=models.Q(status__in=ReviewStatus.values), name="review_status_valid"),
        ]

    def __str__(self) -> str:
        return self.front_number

    # Cheap predicates: the rule is written here once, for pages and services alike.
    @property
    def under_review(self) -> bool:
        """Steps, corrections and special procedures start only from review."""
        return self.status == ReviewStatus.IN_REVIEW

    @property
    def in_special_procedure(self) -> bool:
        return self.status == ReviewStatus.SPECIAL_PROCEDURE

    @property
    def can_decide(self) -> bool:
        return allows(self, ReviewStatus.DECIDED)

    @property
    def can_extend(self) -> bool:
        """Once (行政许可法 Art. 42), while the case is still open."""
        return not self.extended_days and self.status in EXTENDABLE

    @property
    def can_issue_result(self) -> bool:
        """Only an approval has a certificate to issue."""
        return self.status == ReviewStatus.DECIDED and self.decision != Decision.DENIED

    def transition_event(self, *, from_status: str, to_status: str, **details: Any) -> ReviewEvent:
        return ReviewEvent(case=self, from_status=from_status, to_status=to_status, **details)


class ReviewMaterial(models.Model):
    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(max_length=200)
    file = models.FileField(upload_to="review/%Y/%m/")
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.case} {self.name}"


class ReviewEvent(models.Model):
    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.from_status}→{self.to_status}"


class Certificate(models.Model):
    """The result document of an approved case (证照): a PDF with a verification code, and the e-licence
    record that the citizen's vault receives at the front as A-level evidence."""

    case = models.OneToOneField(ReviewCase, on_delete=models.PROTECT, related_name="certificate")
    licence_number = models.CharField(max_length=40, unique=True)
    verification_code = models.CharField(max_length=16, unique=True)
    title = models.CharField(max_length=100)
    holder = models.CharField(max_length=64)
    issued_on = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    file = models.FileField(upload_to="certificates/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.licence_number


class DeferredCommitment(models.Model):
    """容缺受理 as central sees it (deferred.py): the items the applicant promised to bring by a deadline,
    what has come, and a breach, which suspends the review until the items arrive."""

    case = models.OneToOneField(ReviewCase, on_delete=models.CASCADE, related_name="commitment")
    items = models.JSONField(_("容缺材料"), default=list)
    deadline = models.DateField(_("补交期限"))
    supplied = models.JSONField(_("已补交"), default=list, blank=True)
    outstanding = models.JSONField(_("尚欠"), default=list, blank=True)
    fulfilled_at = models.DateTimeField(_("补齐时间"), null=True, blank=True)
    broken_at = models.DateTimeField(_("逾期时间"), null=True, blank=True)
    # The front wrote the applicant's credit record for the breach.
    credit_recorded = models.BooleanField(_("已记入信用记录"), default=False)

    def __str__(self) -> str:
        return f"{self.case} 容缺 {self.deadline}"
