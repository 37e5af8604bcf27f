"""Cases received at the central back office (审批总后台) and their review (DOMAIN.md §5)."""

from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.shared.accounts.models import ApplicantKind
from apps.shared.catalog.models import Department, Matter
from apps.shared.exchange.contract import DeliveryMethod  # as the front tells us: one definition (the wire contract)
from apps.shared.exchange.models import Peer
from govservice.lib.decisions import Decision
from govservice.lib.fieldcrypto import EncryptedCharField
from govservice.lib.lifecycle import allows


@pghistory.track(model_name="ApproverPostAudit")
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
    # Sent on to another department by a supervisor, with a reason; that department takes it up (back to
    # review). The clock runs on meanwhile (DOMAIN.md §5: review time counts, and a transfer is the
    # government's own routing, neither a correction nor a special procedure).
    TRANSFERRED = "transferred", _("已转办")
    # Opened in error (a duplicate, a test): voided by a supervisor with a reason.
    VOIDED = "voided", _("已作废")
    # The correction period passed with no answer (DOMAIN.md §5): closed by a job.
    CLOSED_NO_CORRECTION = "closed_no_correction", _("逾期未补正终止")
    # 容缺受理: the applicant let the commitment's deadline pass with items owed (deferred.py). It waits for them
    # until its own deadline (REVIEW_SUSPENSION_WORKDAYS), then is closed like an unanswered correction.
    SUSPENDED = "suspended", _("中止审查（容缺材料逾期未补齐）")


R = ReviewStatus
REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    R.IN_REVIEW: frozenset(
        {R.CORRECTION, R.SPECIAL_PROCEDURE, R.DECIDED, R.WITHDRAWN, R.TRANSFERRED, R.VOIDED, R.SUSPENDED}
    ),
    # Until the deferred items come (then back to review, the clock resumes), the applicant withdraws, or the
    # suspension's period passes with them still owed (closed by a job, services/suspension.py); no decision
    # is taken on a case whose key facts are still owed. A supervisor still voids one opened in error, and
    # transfers one sent to the wrong department (it stays suspended there: services/exits.py).
    R.SUSPENDED: frozenset({R.IN_REVIEW, R.WITHDRAWN, R.CLOSED_NO_CORRECTION, R.TRANSFERRED, R.VOIDED}),
    R.CORRECTION: frozenset({R.IN_REVIEW, R.WITHDRAWN, R.CLOSED_NO_CORRECTION, R.VOIDED}),
    R.SPECIAL_PROCEDURE: frozenset({R.IN_REVIEW, R.DECIDED, R.WITHDRAWN, R.VOIDED}),
    # Taken up by the receiving department (back to review), or sent on again.
    R.TRANSFERRED: frozenset({R.IN_REVIEW, R.TRANSFERRED, R.WITHDRAWN, R.VOIDED}),
    R.DECIDED: frozenset(),
    R.WITHDRAWN: frozenset(),
    R.VOIDED: frozenset(),
    R.CLOSED_NO_CORRECTION: frozenset(),
}

# Nothing more happens to these (the clock and its colours are done with them).
FINISHED = frozenset(status for status, targets in REVIEW_TRANSITIONS.items() if not targets)

# The limit may be extended while the case is open (the clock is stopped, not ended, in the last two).
EXTENDABLE = frozenset({R.IN_REVIEW, R.SPECIAL_PROCEDURE, R.CORRECTION})


REVIEW_STEPS = (_("初审"), _("复审"), _("审批决定"))
# A case is decided at its last step, the earlier ones passed in order (初审 → 复审 → 审批决定).
DECISION_STEP = len(REVIEW_STEPS) - 1

# 行政许可法 Art. 42: a decision within 20 working days, extended by 10 with the head's approval; a matter
# handled jointly by several departments (联合办理、并联审批) within 45, extended by 15 (DOMAIN.md §5, §9).
EXTENSION_WORKDAYS = 10
JOINT_EXTENSION_WORKDAYS = 15


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
    # Who applied and who acted for them (issue 15; case.submitted's applicant ``kind`` and ``agent``, both optional:
    # a message without them is a person acting alone): a person or a company, and the agent's name, ID number as
    # staff screens mask it (the front sends no more) and the 委托书 number ("" for a company's legal representative).
    applicant_kind = models.CharField(
        _("申请人类别"), max_length=8, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    agent_name = models.CharField(_("代为办理人"), max_length=64, blank=True)
    agent_id_masked = models.CharField(_("办理人证件号码"), max_length=18, blank=True)
    agent_mandate = models.CharField(_("委托书编号"), max_length=16, blank=True)
    status = models.CharField(max_length=24, choices=ReviewStatus.choices, default=ReviewStatus.IN_REVIEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField()
    promised_date = models.DateField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=24, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
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
    delivery_method = models.CharField(
        _("领取方式"), max_length=16, choices=DeliveryMethod.choices, default=DeliveryMethod.ELECTRONIC
    )
    delivery_region = models.CharField(_("邮寄地区"), max_length=40, blank=True)
    # The applicant chose the method (with the case, or later over the wire); until then the method above is the
    # default, the e-licence, and the case page says "not chosen yet" (issue 17).
    delivery_chosen = models.BooleanField(_("申请人已选择领取方式"), default=False)
    result_issued_at = models.DateTimeField(null=True, blank=True)
    # The result reached the applicant (case.delivered from the front): how, when, the waybill for post.
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    delivered_method = models.CharField(_("送达方式"), max_length=16, choices=DeliveryMethod.choices, blank=True)
    delivery_tracking_number = models.CharField(_("运单号"), max_length=40, blank=True)
    # A supervisor's transfer (the last one) and a void: why, and where from.
    transferred_from = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("转出部门")
    )
    transfer_reason = models.TextField(_("转办理由"), blank=True)
    void_reason = models.TextField(_("作废理由"), blank=True)
    # A part of a 一件事 bundle (issue 15; case.submitted's ``bundle``): the front's bundle application code, which
    # its sibling cases share, and the bundle as the front told it (code, name, parts with their dependency).
    bundle_ref = models.CharField(_("一件事申请编号"), max_length=16, blank=True, db_index=True)
    bundle = models.JSONField(default=dict, blank=True)
    # 中止 for deferred items owed (services/suspension.py): since when, and the last day they may still come
    # (None while that day falls in a year whose holidays are unpublished: the case is not closed on a guess).
    # Cleared when the review resumes, so a closed case with them set was closed for want of the items.
    suspended_on = models.DateField(_("中止日期"), null=True, blank=True)
    suspension_deadline = models.DateField(_("中止期限"), null=True, blank=True)

    class Meta:
        ordering = ["received_at"]
        indexes = [
            # The queues: a department's cases by status, newest first.
            models.Index(fields=["department", "status", "-received_at"], name="review_case_queue"),
            models.Index(fields=["-received_at"], name="review_case_newest"),
        ]
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
    def steps_done(self) -> bool:
        """The review steps before the decision have been passed, in order."""
        return self.step == DECISION_STEP

    @property
    def can_decide(self) -> bool:
        return allows(self, ReviewStatus.DECIDED) and self.steps_done

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def transferred(self) -> bool:
        return self.status == ReviewStatus.TRANSFERRED

    @property
    def can_extend(self) -> bool:
        """Once (行政许可法 Art. 42), while the case is still open."""
        return not self.extended_days and self.status in EXTENDABLE

    @property
    def extension_workdays(self) -> int:
        """What an extension adds: 15 working days for a matter handled jointly, 10 otherwise (Art. 42)."""
        return JOINT_EXTENSION_WORKDAYS if self.matter.joint_handling else EXTENSION_WORKDAYS

    @property
    def can_transfer(self) -> bool:
        return allows(self, ReviewStatus.TRANSFERRED)

    @property
    def can_void(self) -> bool:
        return allows(self, ReviewStatus.VOIDED)

    @property
    def commitment_owed(self) -> bool:
        """容缺受理 broken and not made good: the review may not go on (suspended on any return to it)."""
        return DeferredCommitment.objects.filter(case=self, broken_at__isnull=False, fulfilled_at__isnull=True).exists()

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
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
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


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("待负责人审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")
    # The case ended (decided, withdrawn, transferred, voided, closed) before anyone answered.
    LAPSED = "lapsed", _("已失效")


EXTENSION_TRANSITIONS: dict[str, frozenset[str]] = {
    ExtensionStatus.REQUESTED: frozenset({ExtensionStatus.APPROVED, ExtensionStatus.REFUSED, ExtensionStatus.LAPSED}),
    ExtensionStatus.APPROVED: frozenset(),
    ExtensionStatus.REFUSED: frozenset(),
    ExtensionStatus.LAPSED: frozenset(),
}


@pghistory.track(model_name="ExtensionRequestAudit")
class ExtensionRequest(models.Model):
    """An approver's request to extend a case's limit (行政许可法 Art. 42: "经本行政机关负责人批准"), answered
    by a central supervisor. Only an approved request moves the clock; its reason is told to the applicant."""

    TRANSITIONS = EXTENSION_TRANSITIONS

    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="extension_requests")
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("延期理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ExtensionStatus.values), name="extension_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(days__gt=0), name="extension_days_positive"),
            # One request waiting at a time, and one extension per case (Art. 42: once).
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status=ExtensionStatus.REQUESTED), name="extension_one_pending"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status=ExtensionStatus.APPROVED), name="extension_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} +{self.days} ({self.status})"

    @property
    def pending(self) -> bool:
        return self.status == ExtensionStatus.REQUESTED


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
