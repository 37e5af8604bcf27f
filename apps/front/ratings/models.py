"""好差评: the citizen's rating of a service event, and the rectification (整改) of a 差评 (DOMAIN.md §7).

One evaluation per service event: 一次一评 for a hall ticket served at a window, 一事一评 for a case.
A 差评 (score 4 or 5) opens a rectification for the responsible unit: call back, fix, reply within the
limit, the citizen rates the fix; the unit may appeal a wrong rating, a supervisor decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.front.booking.models import Hall, WindowGroup
from apps.front.floor.models import Ticket
from apps.front.intake.models import Case
from apps.shared.catalog.models import Department, Matter
from govservice.lib.lifecycle import allows

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Score(models.IntegerChoices):
    # DOMAIN.md §7: 1 = best; 4 and 5 are 差评.
    VERY_SATISFIED = 1, _("非常满意")
    SATISFIED = 2, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 4, _("不满意")
    VERY_DISSATISFIED = 5, _("非常不满意")


BAD_SCORES = (Score.DISSATISFIED, Score.VERY_DISSATISFIED)


class ServiceKind(models.TextChoices):
    CASE = "case", _("一事一评（办件）")
    TICKET = "ticket", _("一次一评（窗口服务）")


class EvaluationChannel(models.TextChoices):
    WEB = "web", _("网上办事")
    TERMINAL = "terminal", _("大厅自助终端")
    TABLET = "tablet", _("窗口评价器")
    SMS = "sms", _("短信链接")


# A fixed list of tags per level (what the national 好差评 forms offer): codes in the database, labels shown.
TAGS: dict[str, StrOrPromise] = {
    "fast": _("办事快捷"),
    "friendly": _("热情周到"),
    "once": _("一次办成"),
    "clear": _("指引清楚"),
    "could_improve": _("有待改进"),
    "wait_bit": _("等候稍久"),
    "unclear": _("告知不清"),
    "rude": _("态度差"),
    "long_wait": _("等候久"),
    "many_trips": _("多次跑"),
    "slow": _("效率低"),
    "shirking": _("推诿扯皮"),
    "extra_materials": _("要求额外材料"),
}
TAGS_BY_SCORE: dict[int, tuple[str, ...]] = {
    Score.VERY_SATISFIED: ("fast", "friendly", "once", "clear"),
    Score.SATISFIED: ("fast", "friendly", "once", "clear"),
    Score.BASICALLY_SATISFIED: ("could_improve", "wait_bit", "unclear"),
    Score.DISSATISFIED: ("rude", "long_wait", "many_trips", "slow", "unclear"),
    Score.VERY_DISSATISFIED: ("rude", "long_wait", "many_trips", "slow", "shirking", "extra_materials"),
}


class Evaluation(models.Model):
    """One evaluation per service event: a case (一事一评) or a served hall ticket (一次一评).

    The hall, unit (window group), matter and department are copied at rating time: the statistics group
    by them, and the responsible unit of a 差评 is fixed when it is given."""

    kind = models.CharField(max_length=8, choices=ServiceKind.choices, default=ServiceKind.CASE)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="evaluation")
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="evaluation")
    # None for a walk-in rated at the terminal without an account: an anonymous 差评 cannot be called back.
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="evaluations"
    )
    score = models.PositiveSmallIntegerField(choices=Score.choices)
    comment = models.CharField(max_length=500, blank=True)
    tags = models.JSONField(default=list, blank=True)
    channel = models.CharField(max_length=16, choices=EvaluationChannel.choices, default=EvaluationChannel.WEB)
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(WindowGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="evaluation_score_range"),
            # Exactly one service event, of the kind named.
            models.CheckConstraint(
                condition=models.Q(kind=ServiceKind.CASE, case__isnull=False, ticket__isnull=True)
                | models.Q(kind=ServiceKind.TICKET, ticket__isnull=False, case__isnull=True),
                name="evaluation_one_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_label} {self.score}"

    @property
    def is_bad(self) -> bool:
        return self.score >= Score.DISSATISFIED

    @property
    def event_label(self) -> str:
        if self.kind == ServiceKind.CASE and self.case is not None:
            return str(self.case.number)
        if self.ticket is not None:
            return f"{self.ticket.service_date:%Y-%m-%d} {self.ticket.label}"
        return ""

    @property
    def tag_labels(self) -> list[str]:
        return [str(TAGS[t]) for t in self.tags if t in TAGS]


class Invitation(models.Model):
    """An invitation to rate by SMS link (DOMAIN.md §7: within 5 working days). The link carries a signed
    id only; this row says until when it is valid and whether it was used."""

    kind = models.CharField(max_length=8, choices=ServiceKind.choices)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=ServiceKind.CASE, case__isnull=False, ticket__isnull=True)
                | models.Q(kind=ServiceKind.TICKET, ticket__isnull=False, case__isnull=True),
                name="invitation_one_event",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.id} ({self.kind})"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待回访")
    CALLED_BACK = "called_back", _("已回访，整改中")
    REPLIED = "replied", _("已整改答复，待市民评价")
    CLOSED = "closed", _("已办结")
    # The supervisor upheld the unit's appeal: the 差评 does not count.
    VOIDED = "voided", _("申诉成立，差评不计")


R = RectificationStatus
# The whole lifecycle in one place; services refuse anything not listed.
RECTIFICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    R.OPEN: frozenset({R.CALLED_BACK, R.VOIDED}),
    R.CALLED_BACK: frozenset({R.CALLED_BACK, R.REPLIED, R.VOIDED}),
    R.REPLIED: frozenset({R.CLOSED, R.VOIDED}),
    R.CLOSED: frozenset({R.VOIDED}),
    R.VOIDED: frozenset(),
}
# Still waiting for the unit's reply: what reminders and escalation look at.
PENDING_REPLY = (R.OPEN, R.CALLED_BACK)


class AppealStatus(models.TextChoices):
    NONE = "none", _("未申诉")
    PENDING = "pending", _("申诉待审核")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉驳回")


APPEAL_TRANSITIONS: dict[str, frozenset[str]] = {
    AppealStatus.NONE: frozenset({AppealStatus.PENDING}),
    AppealStatus.PENDING: frozenset({AppealStatus.UPHELD, AppealStatus.REJECTED}),
    AppealStatus.UPHELD: frozenset(),
    AppealStatus.REJECTED: frozenset(),
}


class FixRating(models.IntegerChoices):
    # DOMAIN.md §7: the citizen rates the fix 满意 / 基本满意 / 不满意.
    SATISFIED = 1, _("满意")
    BASICALLY_SATISFIED = 2, _("基本满意")
    DISSATISFIED = 3, _("不满意")


class CallbackOutcome(models.TextChoices):
    REACHED = "reached", _("已联系上")
    UNREACHABLE = "unreachable", _("未接通")
    ANONYMOUS = "anonymous", _("匿名评价，无法回访")


class Rectification(models.Model):
    """整改: a 差评 assigned to the responsible unit (the window group of the hall; the department of the
    matter is kept for the statistics). ``assignee`` is the staff member who calls back: the only one who
    may see the rater's name and phone in clear."""

    TRANSITIONS = RECTIFICATION_TRANSITIONS

    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="rectification")
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(WindowGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    # The unit's reply is due by the end of this day (RECTIFICATION_LIMIT_DAYS, natural or working days).
    due_date = models.DateField()
    fix = models.TextField(_("整改措施"), blank=True)
    reply = models.TextField(_("答复市民"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    fix_rating = models.PositiveSmallIntegerField(choices=FixRating.choices, null=True, blank=True)
    fix_comment = models.CharField(max_length=500, blank=True)
    fix_rated_at = models.DateTimeField(null=True, blank=True)
    # The citizen may rate the fix until the end of this day; afterwards the job closes the rectification.
    # None while the calendar of that year is unpublished (no limit until the job fills it in).
    fix_rating_due = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Each periodic warning is claimed once (reminder to the unit, escalation and overdue to supervisors).
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    appeal_status = models.CharField(max_length=16, choices=AppealStatus.choices, default=AppealStatus.NONE)
    # The unit may appeal a wrong rating until the end of this day (3 working days from the 差评, and again
    # from the citizen's rating of the fix). None while the holiday calendar of the year it falls in is
    # unpublished: not guessed, the appeal stays open, and the periodic job fills it in once published.
    appeal_due = models.DateField(null=True, blank=True)
    appeal_reason = models.TextField(_("申诉理由"), blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    appeal_decision_note = models.TextField(_("审核意见"), blank=True)
    appeal_decided_at = models.DateTimeField(null=True, blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RectificationStatus.values), name="rectification_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(appeal_status__in=AppealStatus.values), name="rectification_appeal_valid"
            ),
        ]
        indexes = [models.Index(fields=["hall", "status"], name="rectification_hall_status")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"ZG{self.id:06d}" if self.id else "ZG"

    def can_call_back(self) -> bool:
        return allows(self, R.CALLED_BACK)

    @property
    def awaits_reply(self) -> bool:
        """The unit has not replied yet: what the reply deadline (and its warnings) applies to."""
        return self.status in PENDING_REPLY

    @property
    def appealed(self) -> bool:
        return self.appeal_status != AppealStatus.NONE

    @property
    def appeal_pending(self) -> bool:
        return self.appeal_status == AppealStatus.PENDING

    def can_reply(self) -> bool:
        return self.status == R.CALLED_BACK

    def can_rate_fix(self) -> bool:
        return self.status == R.REPLIED

    def can_appeal(self, today) -> bool:
        return (
            self.appeal_status == AppealStatus.NONE
            and self.status != R.VOIDED
            and (self.appeal_due is None or today <= self.appeal_due)
        )

    def transition_event(self, *, from_status: str, to_status: str, **details: Any) -> RectificationEvent:
        return RectificationEvent(
            rectification=self, from_status=from_status, to_status=to_status, at=timezone.now(), **details
        )


RECTIFICATION_ACTIONS = {
    "open": _("收到差评，转责任单位"),
    "assign": _("指派回访人"),
    "reveal_rater": _("查看评价人联系方式"),
    "callback": _("回访"),
    "reply": _("整改答复"),
    "rate_fix": _("市民评价整改结果"),
    "close": _("办结"),
    "reminded": _("临期提醒"),
    "escalated": _("升级督办"),
    "overdue": _("超期"),
    "appeal": _("提出申诉"),
    "appeal_upheld": _("申诉成立"),
    "appeal_rejected": _("申诉驳回"),
}


class RectificationEvent(models.Model):
    """One row per change of a rectification: who, when, from, to, what."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.rectification} {self.action}"

    @property
    def action_label(self) -> str:
        return str(RECTIFICATION_ACTIONS.get(self.action, self.action))


class Callback(models.Model):
    """回访: when, by whom, what was said. A real-name 差评 is called back every time (target 100 %)."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="callbacks")
    called_at = models.DateTimeField()
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=16, choices=CallbackOutcome.choices)
    summary = models.TextField(_("回访记录"))
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["called_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=CallbackOutcome.values), name="callback_outcome_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rectification} {self.called_at:%Y-%m-%d %H:%M}"
