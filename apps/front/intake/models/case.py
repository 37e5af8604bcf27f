"""The case (办件) on the front side: materials, intake outcome and the mirror of its state at central
(DOMAIN.md §4–§5)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.front.booking.models import Appointment, Hall
from apps.shared.catalog.models import Material, Matter
from apps.shared.exchange.models import Peer
from govservice.lib.decisions import Decision
from govservice.lib.lifecycle import allows

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .evidence import EvidenceItem, TrustLevel


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已在线申报")
    RECEIVED = "received", _("已收件")
    ACCEPTED = "accepted", _("已受理")
    REJECTED_AT_INTAKE = "rejected_at_intake", _("不予受理")
    IN_REVIEW = "in_review", _("审批中")
    CORRECTION = "correction", _("待补正")
    SPECIAL_PROCEDURE = "special_procedure", _("特别程序")
    DECIDED = "decided", _("已决定")
    RESULT_READY = "result_ready", _("结果待领取")
    DELIVERED = "delivered", _("已送达")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")
    VOIDED = "voided", _("已作废")
    TRANSFERRED = "transferred", _("已转办")
    CLOSED_NO_CORRECTION = "closed_no_correction", _("逾期未补正终止")


class CaseChannel(models.TextChoices):
    """How the hall received the application (收件渠道): at a window (or pre-filed for a visit), or applied for
    fully online and pre-reviewed online (网上申报、网上预审, issue 15)."""

    WINDOW = "window", _("窗口收件")
    ONLINE = "online", _("网上申报")


S = CaseStatus
# The whole lifecycle in one place; services refuse anything not listed (DOMAIN.md §5).
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    # Pre-filed online for a visit: received at the window, or withdrawn. (Never voided: central, which voids,
    # has not heard of it.)
    S.SUBMITTED: frozenset({S.RECEIVED, S.WITHDRAWN}),
    S.RECEIVED: frozenset({S.ACCEPTED, S.REJECTED_AT_INTAKE, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.IN_REVIEW, S.DECIDED, S.WITHDRAWN, S.TRANSFERRED, S.VOIDED}),
    # IN_REVIEW → CLOSED_NO_CORRECTION: a supplement sent here after central had closed the case for want
    # of one; central's closure counts (case.closed_no_correction).
    S.IN_REVIEW: frozenset(
        {S.CORRECTION, S.SPECIAL_PROCEDURE, S.DECIDED, S.WITHDRAWN, S.TRANSFERRED, S.VOIDED, S.CLOSED_NO_CORRECTION}
    ),
    S.CORRECTION: frozenset({S.IN_REVIEW, S.CLOSED_NO_CORRECTION, S.WITHDRAWN, S.VOIDED}),
    S.SPECIAL_PROCEDURE: frozenset({S.IN_REVIEW, S.DECIDED, S.WITHDRAWN, S.VOIDED}),
    S.DECIDED: frozenset({S.RESULT_READY, S.CLOSED}),
    S.RESULT_READY: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.CLOSED}),
    S.REJECTED_AT_INTAKE: frozenset(),
    S.CLOSED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.VOIDED: frozenset(),
    # Central sent it to another department, which takes it up (back to review) — or it ends there.
    S.TRANSFERRED: frozenset({S.IN_REVIEW, S.WITHDRAWN, S.VOIDED}),
    S.CLOSED_NO_CORRECTION: frozenset(),
}

# The citizen may choose (or change) how to receive the result until the result exists.
DELIVERY_CHOICE_OPEN = frozenset(
    {S.SUBMITTED, S.RECEIVED, S.ACCEPTED, S.IN_REVIEW, S.CORRECTION, S.SPECIAL_PROCEDURE, S.DECIDED}
)

# The application has its answer (decided, refused at intake, withdrawn, voided, closed): what a bundle of
# applications (一件事, apps/front/online) waits for from each of its parts (hooks.case_settled).
CASE_SETTLED = frozenset(
    {
        S.DECIDED,
        S.RESULT_READY,
        S.DELIVERED,
        S.CLOSED,
        S.REJECTED_AT_INTAKE,
        S.WITHDRAWN,
        S.VOIDED,
        S.CLOSED_NO_CORRECTION,
    }
)

# The states in which deferred items (容缺) may still be supplied: accepted and not decided or ended. A case on its
# way to another department (TRANSFERRED) is still open: central takes the items then (a suspension that went with
# the transfer ends), and a suspension's last day runs on meanwhile.
COMMITMENT_OPEN_STATES = frozenset({S.ACCEPTED, S.IN_REVIEW, S.CORRECTION, S.SPECIAL_PROCEDURE, S.TRANSFERRED})

# One plain-language sentence per state, and what happens next (DOMAIN.md §5).
CASE_STATUS_SENTENCES: dict[str, tuple[StrOrPromise, StrOrPromise]] = {
    S.SUBMITTED: (_("您已在线提交申请，等待大厅预审。"), _("请按预约时间携带材料原件到大厅。")),
    S.RECEIVED: (_("大厅已收到您的材料。"), _("窗口将在5个工作日内决定是否受理。")),
    S.ACCEPTED: (
        _("您的申请已受理，正在交给审批部门审查。"),
        _("审批部门将在承诺办结日期前作出决定，如需补正材料会短信通知您。"),
    ),
    S.REJECTED_AT_INTAKE: (_("您的申请不予受理。"), _("请查看不予受理通知书中的原因与救济途径。")),
    S.IN_REVIEW: (_("审批部门正在审查您的申请。"), _("如需补正材料，我们会短信通知您。")),
    S.CORRECTION: (_("需要您补正材料，审批时限暂停计算。"), _("请在期限内上传补正材料。")),
    S.SPECIAL_PROCEDURE: (_("您的申请进入特别程序，时限暂停计算。"), _("特别程序结束后将继续审批。")),
    S.DECIDED: (
        _("审批部门已作出决定。"),
        _("办理结果出具后会短信通知您，按您选择的方式领取；欢迎对本次服务进行评价。"),
    ),
    S.RESULT_READY: (_("办理结果已可领取。"), _("请按您选择的方式领取结果。")),
    S.DELIVERED: (_("办理结果已送达。"), _("欢迎对本次服务进行评价。")),
    S.CLOSED: (_("本件已办结。"), _("感谢您的使用。")),
    S.WITHDRAWN: (_("您已撤回申请。"), _("如需办理，可重新预约。")),
    S.VOIDED: (_("本件已作废。"), _("如有疑问请咨询大厅。")),
    S.TRANSFERRED: (_("您的申请已转至有权办理的部门。"), _("该部门接收后继续审查，审批时限连续计算，您无需重新申请。")),
    S.CLOSED_NO_CORRECTION: (_("因逾期未补正，本件已终止。"), _("如需办理，可重新申请。")),
}


@pghistory.track(model_name="CaseAudit")
class Case(models.Model):
    TRANSITIONS = CASE_TRANSITIONS

    number = models.CharField(_("办件编号"), max_length=32, unique=True)
    # Only a hash: the password is shown once, on the receipt (DOMAIN.md §5 查询密码).
    query_password_hash = models.CharField(max_length=128)
    # The applicant: a person, or a company's account (accounts.Role.COMPANY), whose case this is.
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases")
    # The person who applied for them, when it was not the applicant (DOMAIN.md §9: both identities on
    # every act; their authority is checked by apps/front/mandates through hooks.agent_check).
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_acted",
        verbose_name=_("代办人"),
    )
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="cases")
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="cases")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="case"
    )
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    status = models.CharField(max_length=24, choices=CaseStatus.choices, default=CaseStatus.RECEIVED)
    channel = models.CharField(_("收件渠道"), max_length=8, choices=CaseChannel.choices, default=CaseChannel.WINDOW)
    received_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    promised_date = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=24, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # 行政许可法 Art. 32: told of missing items within 5 (working) days of receipt, or the application
    # counts as accepted from the day of receipt.
    intake_deadline = models.DateField(_("受理期限"), null=True, blank=True)
    notice_items = models.JSONField(_("一次性告知事项"), default=list, blank=True)
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    # The applicant brought what the notice asked for (at a window): the five working days run again from
    # then, and the hall decides on the same case (never a second one).
    notice_answered_at = models.DateTimeField(_("补正材料收到时间"), null=True, blank=True)
    # The last day to answer the notice (HELD_NOTICE_ANSWER_DAYS, 民法典 Art. 203; services/periods.py): past it,
    # unanswered, the application is deemed withdrawn (逾期未补正的，视为撤回申请) by a job, once; the applicant is
    # reminded before it.
    notice_answer_deadline = models.DateField(_("补正答复期限"), null=True, blank=True)
    notice_reminded_at = models.DateTimeField(null=True, blank=True)
    deemed_withdrawn_at = models.DateTimeField(_("视为撤回时间"), null=True, blank=True)
    # Where the intake limit counts from: the receipt, or the answer to a one-time notice. A deemed
    # acceptance is an acceptance as of this moment. Null on rows older than the field: received_at.
    intake_started_at = models.DateTimeField(_("受理期限起算时间"), null=True, blank=True)
    # 行政许可法 Art. 32 (4): neither accepted nor told within the limit, so accepted by law (the job's mark).
    deemed_accepted_at = models.DateTimeField(_("视为受理时间"), null=True, blank=True)
    intake_warning_sent_at = models.DateTimeField(null=True, blank=True)
    # 网上预审 (DOMAIN.md §9): an online application is pre-reviewed within PREREVIEW_WORKDAYS working days of its
    # submission (or of its completion after a one-time notice) — the service standard, well inside Art. 32's
    # five days, which run from submission as well. Null for a window's case, or while the year is unpublished.
    prereview_deadline = models.DateField(_("预审期限"), null=True, blank=True)
    refusal_reason = models.TextField(_("不予受理理由"), blank=True)
    refer_to = models.CharField(_("应向何机关申请"), max_length=200, blank=True)
    # 容缺受理: accepted on the applicant's written commitment to supply minor items by a deadline.
    commitment_items = models.JSONField(_("容缺材料"), default=list, blank=True)
    commitment_deadline = models.DateField(_("容缺补交期限"), null=True, blank=True)
    # Its follow-up: reminded before the deadline, met when the last deferred item arrives, broken when the
    # deadline passed first (central suspends the review and a credit record is written).
    commitment_reminded_at = models.DateTimeField(null=True, blank=True)
    commitment_met_at = models.DateTimeField(_("容缺材料补齐时间"), null=True, blank=True)
    commitment_broken_at = models.DateTimeField(_("容缺承诺逾期时间"), null=True, blank=True)
    # Told by central: what to correct and by when; a special procedure or extension and why.
    correction_items = models.JSONField(_("补正事项"), default=list, blank=True)
    correction_deadline = models.DateField(_("补正期限"), null=True, blank=True)
    procedure_note = models.TextField(_("特别程序或延期说明"), blank=True)
    remedies = models.TextField(_("救济途径"), blank=True)
    # The central back office the case was handed to (exchange.peers.central_for, at the hand-over): its later
    # messages go there, and only that central's events are applied to it (handlers._case). Null before the
    # hand-over, and on cases handed over before routes existed: sent to the platform's own central
    # (selectors.case_central), events taken from whichever central speaks about it, as before.
    central = models.ForeignKey(
        Peer, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("审批后台")
    )
    # Reconciliation: when the front last asked central for this quiet case's state.
    resync_requested_at = models.DateTimeField(null=True, blank=True)
    # The citizen asked to withdraw; central confirms (before a decision) or refuses.
    withdraw_requested_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=CaseStatus.values), name="case_status_valid"),
            models.CheckConstraint(condition=models.Q(channel__in=CaseChannel.values), name="case_channel_valid"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def online(self) -> bool:
        """Applied for online and pre-reviewed online (issue 15): the applicant need not come to the hall."""
        return self.channel == CaseChannel.ONLINE

    @property
    def needs_original_visit(self) -> bool:
        """An online application whose matter needs an original seen at the hall (trips > 0, online depth Ⅲ):
        one visit, offered with a booking for that matter (最多跑一次, DOMAIN.md §9)."""
        return self.online and bool(self.matter.trips)

    @property
    def originals_check_or_none(self) -> Any:
        """The case's OriginalsCheck (models/originals.py), None before the visit is booked."""
        return getattr(self, "originals_check", None)

    @property
    def originals_checked(self) -> bool:
        """The one visit took place: a clerk gave every original listed an outcome (models/originals.py)."""
        check = self.originals_check_or_none if self.needs_original_visit else None
        return check is not None and check.completed_at is not None

    @property
    def closed_for_commitment(self) -> bool:
        """Closed by central at the end of a suspension for deferred items (容缺) never supplied."""
        return (
            self.status == CaseStatus.CLOSED_NO_CORRECTION
            and self.commitment_broken_at is not None
            and self.commitment_met_at is None
        )

    @property
    def sentence(self) -> str:
        if self.closed_for_commitment:
            return gettext("因容缺材料逾期未补齐，本件已终止。")
        if self.status == CaseStatus.WITHDRAWN and self.deemed_withdrawn_at is not None:
            return gettext("您未在期限内按一次性告知补正材料，申请视为撤回。")
        if self.status == CaseStatus.ACCEPTED and self.deemed_accepted_at is not None:
            return gettext(
                "大厅未在5个工作日内作出受理决定或一次性告知，依法自收件之日起视为受理，正在转交审批总后台。"
            )
        if self.status == CaseStatus.RECEIVED and self.online:
            if self.notice_outstanding:
                return gettext("大厅已一次性告知需补正的全部内容，等待您在网上补正。")
            return gettext("您的网上申请已提交，大厅正在预审。")
        return str(CASE_STATUS_SENTENCES[self.status][0])

    @property
    def next_step(self) -> str:
        if self.status == CaseStatus.RECEIVED and self.online:
            if self.notice_outstanding:
                return gettext("请按一次性告知书在网上补齐全部材料后重新提交本申请，无需到大厅。")
            return gettext("预审通过即受理，受理凭证将在网上送达；材料不全的，将一次性告知需补正的全部内容。")
        if (
            self.status == CaseStatus.ACCEPTED
            and self.needs_original_visit
            and self.deemed_accepted_at is None
            and not self.originals_checked
        ):
            return gettext("请预约一次到大厅核验原件（最多跑一次），其余均在网上办理。")
        if self.status == CaseStatus.RECEIVED and self.notice_outstanding:
            return gettext("请按一次性告知书补齐全部材料，到窗口继续办理本件。")
        if self.commitment_broken_at is not None and self.commitment_open:
            return gettext("容缺材料逾期未补交，审批已中止；在中止期限内补齐材料后审批继续，逾期终止办理。")
        return str(CASE_STATUS_SENTENCES[self.status][1])

    def message_fields(self) -> dict[str, str]:
        """The case's fields for message templates, in the active language (notifications renders them in
        the recipient's; it knows no case). A limit left open because its year's holidays are not
        published yet reads as such, never as an empty gap in the sentence."""
        open_date = gettext("待定（节假日安排公布后确定）")
        return {
            "number": self.number,
            "matter": self.matter.name,
            "promised_date": self.promised_date.isoformat() if self.promised_date else open_date,
            "decision": str(self.get_decision_display()) if self.decision else "",
            "next_step": self.next_step,
            "items": "；".join(self.notice_items) if self.notice_items else "",
            "intake_deadline": self.intake_deadline.isoformat() if self.intake_deadline else open_date,
            "correction": "；".join(self.correction_items) if self.correction_items else "",
            "correction_deadline": self.correction_deadline.isoformat() if self.correction_deadline else "",
            "procedure": self.procedure_note,
            "commitment": "；".join(self.commitment_outstanding),
            "commitment_deadline": self.commitment_deadline.isoformat() if self.commitment_deadline else "",
            "notice_answer_deadline": self.notice_answer_deadline.isoformat() if self.notice_answer_deadline else "",
        }

    # Cheap predicates: the rule is written here once, for pages and services alike.
    @property
    def awaits_intake(self) -> bool:
        """Received at the hall, the window has not decided on acceptance yet (行政许可法 Art. 32)."""
        return self.status == CaseStatus.RECEIVED

    @property
    def notice_outstanding(self) -> bool:
        """A one-time notice was given and the applicant has not brought the items yet: the hall waits
        for them, and the deemed acceptance of Art. 32 does not run."""
        return self.notice_sent_at is not None and (
            self.notice_answered_at is None or self.notice_answered_at < self.notice_sent_at
        )

    def prereview_colour(self, today: dt.date) -> str:
        """The pre-review limit's colour for the clerk's queue: green before the last day, yellow on it (or
        while the limit is open: its year unpublished), red once it has passed."""
        if self.prereview_deadline is None or self.prereview_deadline == today:
            return "yellow"
        return "red" if self.prereview_deadline < today else "green"

    def intake_limit_passed(self, today: dt.date) -> bool:
        """Received, nobody decided or told the applicant within the limit: accepted by law (行政许可法
        Art. 32 (4)), so the hall can no longer refuse it or send a notice; the job records the acceptance."""
        return (
            self.status == CaseStatus.RECEIVED
            and not self.notice_outstanding
            and self.intake_deadline is not None
            and self.intake_deadline < today
        )

    @property
    def commitment_outstanding(self) -> list[str]:
        """The deferred items (容缺) not supplied yet, in the commitment's order."""
        if not self.commitment_items or self.commitment_met_at is not None:
            return []
        supplied = set(self.materials.filter(name__in=self.commitment_items).values_list("name", flat=True))
        return [item for item in self.commitment_items if item not in supplied]

    @property
    def commitment_open(self) -> bool:
        """Deferred items are still owed and the case is still being worked on at central."""
        return bool(self.commitment_items) and self.commitment_met_at is None and self.status in COMMITMENT_OPEN_STATES

    @property
    def needs_correction(self) -> bool:
        return self.status == CaseStatus.CORRECTION

    @property
    def can_withdraw(self) -> bool:
        """Until a decision, the applicant may withdraw (the lifecycle lists the states)."""
        return allows(self, CaseStatus.WITHDRAWN)

    @property
    def result_out(self) -> bool:
        """The result exists: ready to be handed over, handed over, or the case is closed."""
        return self.status in (CaseStatus.RESULT_READY, CaseStatus.DELIVERED, CaseStatus.CLOSED)

    @property
    def result_ready(self) -> bool:
        return self.status == CaseStatus.RESULT_READY

    @property
    def can_choose_delivery(self) -> bool:
        """How to receive the result may be chosen (or changed) until the result exists; a denial has none."""
        return self.status in DELIVERY_CHOICE_OPEN and self.decision != Decision.DENIED

    @property
    def at_intake_window(self) -> bool:
        """Still with the window that received it (received or just accepted): it may register the choice."""
        return self.status in (CaseStatus.RECEIVED, CaseStatus.ACCEPTED)

    def transition_event(self, *, from_status: str, to_status: str, **details: Any) -> CaseEvent:
        return CaseEvent(case=self, from_status=from_status, to_status=to_status, **details)


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(Material, on_delete=models.SET_NULL, null=True, blank=True)
    name = models.CharField(max_length=200)
    file = models.FileField(upload_to="cases/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    trust_level = models.CharField(max_length=1, choices=TrustLevel.choices, default=TrustLevel.B)
    reused_from = models.ForeignKey(EvidenceItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.case} {self.name}"


class CaseEvent(models.Model):
    """One row per change of a case, with who and why; the citizen's timeline reads these."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=64, blank=True)
    from_status = models.CharField(max_length=24, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=CaseStatus.choices)
    note = models.TextField(blank=True)
    # The suspension for deferred items (容缺) this event recorded, as central sent it: the items owed and the last
    # day (``{"outstanding": [...], "deadline": "2026-10-16"}``, "" while the day is not fixed). The note says it
    # to people and may be reworded; this is what tells whether the applicant heard of the same suspension before.
    suspension = models.JSONField(null=True, blank=True, editable=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.from_status}→{self.to_status}"
