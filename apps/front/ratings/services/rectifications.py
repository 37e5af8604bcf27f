"""整改: a 差评 goes to the responsible unit, which calls back, fixes and replies within the limit; the citizen
rates the fix; the unit may appeal a wrong rating and a supervisor decides (DOMAIN.md §7).

Every change: lock the row, check the transition map, save the fields, write a RectificationEvent, all in
one transaction; notifications are delivered after commit by apps.front.notifications.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.front.booking.models import StaffPost
from apps.front.notifications.services import notify
from apps.front.ratings.conf import ratings_conf
from apps.shared.accounts.models import Role, User
from apps.shared.accounts.services import personal_data_access_record
from apps.shared.workcalendar.selectors import calendar_get
from govservice.api import Conflict, DomainError
from govservice.lib import lifecycle
from govservice.lib.masking import mask_name, mask_phone
from govservice.lib.workdays import CalendarUnknown

from .. import tokens
from ..models import (
    PENDING_REPLY,
    AppealStatus,
    Callback,
    CallbackOutcome,
    Evaluation,
    FixRating,
    Rectification,
    RectificationEvent,
    RectificationStatus,
)

SUPERVISOR_ROLES = (Role.HALL_SUPERVISOR, Role.ADMIN)
TEXT_MAX = 2000
# Said to the citizen in place of a date while the calendar it falls in is unpublished.
UNKNOWN_LIMIT = gettext_lazy("节假日安排公布后确定的期限")


def _today() -> dt.date:
    return timezone.localdate()


def workdays_after(start: dt.date, count: int) -> dt.date | None:
    """``count`` working days after ``start``; None while the holiday calendar of a year it reaches is
    unpublished (fails closed: nothing is computed from a guess; rectifications_remind fills it in)."""
    try:
        return calendar_get().add_workdays(start, count)
    except CalendarUnknown:
        return None


def _reply_due(start: dt.date) -> dt.date:
    """DOMAIN.md §7: reply within 7 days (Beijing, natural days); elsewhere 5 or 15 working days (setting)."""
    days = ratings_conf.RECTIFICATION_LIMIT_DAYS
    if ratings_conf.RECTIFICATION_LIMIT_WORKING_DAYS:
        # While the calendar is unpublished, N natural days: never later than N working days, so the
        # unit's limit is at worst early, and the 差评 is never refused for want of a calendar.
        return workdays_after(start, days) or start + dt.timedelta(days=days)
    return start + dt.timedelta(days=days)


def appeal_due_for(rectification: Rectification) -> dt.date | None:
    """3 working days from the 差评, and from the citizen's rating of the fix when there is one."""
    dues = [
        workdays_after(
            timezone.localdate(rectification.evaluation.created_at), ratings_conf.RECTIFICATION_APPEAL_WORKDAYS
        )
    ]
    if rectification.fix_rated_at is not None:
        dues.append(
            workdays_after(timezone.localdate(rectification.fix_rated_at), ratings_conf.RECTIFICATION_APPEAL_WORKDAYS)
        )
    return None if None in dues else max(d for d in dues if d is not None)


def fix_rating_due_for(rectification: Rectification) -> dt.date | None:
    """The citizen may rate the fix for RATING_LINK_WORKDAYS working days from the reply."""
    assert rectification.replied_at is not None
    return workdays_after(timezone.localdate(rectification.replied_at), ratings_conf.RATING_LINK_WORKDAYS)


# --- Who is who ------------------------------------------------------------------------------------


def unit_staff(rectification: Rectification) -> list[User]:
    """The unit's clerks (windows of the group) and the hall's supervisors."""
    posts = StaffPost.objects.select_related("user").filter(hall_id=rectification.hall_id)
    scope = Q(user__role=Role.HALL_SUPERVISOR)
    if rectification.unit_id is not None:
        scope |= Q(window__group_id=rectification.unit_id)
    return [p.user for p in posts.filter(scope) if p.user.is_active]


def is_unit_member(user: User, rectification: Rectification) -> bool:
    if user.role == Role.ADMIN:
        return True
    post = StaffPost.objects.select_related("window").filter(user=user).first()
    if post is None or post.hall_id != rectification.hall_id:
        return False
    if user.role == Role.HALL_SUPERVISOR:
        return True
    return (
        user.role == Role.CLERK
        and post.window is not None
        and rectification.unit_id is not None
        and post.window.group_id == rectification.unit_id
    )


def _is_supervisor_for(user: User, rectification: Rectification) -> bool:
    if user.role == Role.ADMIN:
        return True
    return (
        user.role == Role.HALL_SUPERVISOR
        and StaffPost.objects.filter(user=user, hall_id=rectification.hall_id).exists()
    )


def _locked(rectification_id: int) -> Rectification:
    rectification = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("evaluation", "evaluation__citizen", "evaluation__matter", "hall", "unit")
        .filter(id=rectification_id)
        .first()
    )
    if rectification is None:
        raise DomainError(_("未找到该整改单。"), code="not_found")
    return rectification


def _for_member(*, actor: User, rectification_id: int) -> Rectification:
    rectification = _locked(rectification_id)
    if not is_unit_member(actor, rectification):
        # Another hall's or another unit's rectification: not found, as for any object not yours.
        raise DomainError(_("未找到该整改单。"), code="not_found")
    return rectification


def _for_assignee(*, actor: User, rectification_id: int) -> Rectification:
    rectification = _for_member(actor=actor, rectification_id=rectification_id)
    if rectification.assignee_id != actor.id:
        # Its own code: "not_assignee" answers 409 elsewhere; this refusal has always answered 403.
        raise DomainError(_("只有负责回访的工作人员可以办理此整改单。"), code="not_callback_assignee")
    return rectification


def _record(
    rectification: Rectification, *, actor: User | None, action: str, note: str = "", from_status: str = ""
) -> None:
    RectificationEvent.objects.create(
        rectification=rectification,
        actor=actor,
        action=action,
        from_status=from_status or rectification.status,
        to_status=rectification.status,
        note=note,
        at=timezone.now(),
    )


def _move(
    rectification: Rectification,
    *,
    to_status: str,
    actor: User | None,
    action: str,
    note: str = "",
    fields: tuple[str, ...] = (),
) -> None:
    """The lifecycle's guarded move (govservice.lib.lifecycle) of the ``fields`` the caller set, with the event row."""
    lifecycle.move(
        rectification,
        to_status,
        fields={name: getattr(rectification, name) for name in fields},
        event={"actor": actor, "action": action, "note": note},
        refused=_("整改单当前状态为“%(status)s”，不能执行此操作。") % {"status": rectification.get_status_display()},
    )


# The ``code`` of every _text() call, in govservice.api.STATUS_BY_CODE (400; tests/front/ratings/test_errors.py).
TEXT_CODES = (
    "appeal_reason_required",
    "note_required",
    "summary_required",
    "fix_required",
    "reply_required",
    "invalid_comment",
)


def _text(value: object, *, label: object, code: str, required: bool = True) -> str:
    """``label`` names the field in the reader's language."""
    assert code in TEXT_CODES, code
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise DomainError(_("请填写%(label)s。") % {"label": label}, code=code)
    if len(text) > TEXT_MAX:
        raise DomainError(_("%(label)s不能超过%(maximum)s字。") % {"label": label, "maximum": TEXT_MAX}, code=code)
    return text


# --- Opening ---------------------------------------------------------------------------------------


def rectification_open(*, evaluation: Evaluation) -> Rectification:
    """A 差评 goes to the responsible unit the moment it is given (same transaction as the evaluation)."""
    today = _today()
    # Every evaluation has a hall (set from its case or ticket); only rows carried over could lack one.
    assert evaluation.hall_id is not None
    rectification = Rectification.objects.create(
        evaluation=evaluation,
        hall_id=evaluation.hall_id,
        unit_id=evaluation.unit_id,
        department_id=evaluation.department_id,
        created_at=timezone.now(),
        due_date=_reply_due(today),
        # DOMAIN.md §7: the unit may appeal a wrong rating within 3 working days.
        appeal_due=workdays_after(today, ratings_conf.RECTIFICATION_APPEAL_WORKDAYS),
    )
    _record(rectification, actor=None, action="open", note=evaluation.event_label)
    context = _staff_context(rectification)
    for user in unit_staff(rectification):
        notify(recipient=user, event="rating.bad_received", context=context)
    return rectification


def _staff_context(rectification: Rectification) -> dict[str, str]:
    evaluation = rectification.evaluation
    return {
        "reference": rectification.reference,
        "event": evaluation.event_label,
        "matter": evaluation.matter.name if evaluation.matter else "",
        "unit": rectification.unit.name if rectification.unit else rectification.hall.name,
        "score": str(evaluation.get_score_display()),
        "due": rectification.due_date.isoformat(),
        "link": f"{settings.PUBLIC_BASE_URL}/rectifications/{rectification.id}/",
    }


# --- The unit's work -------------------------------------------------------------------------------


@transaction.atomic
def rectification_assign(*, actor: User, rectification_id: int, assignee_id: int | None = None) -> Rectification:
    """Name the staff member who calls back: a supervisor assigns anyone of the unit; a unit member may
    take an unassigned one (assignee_id None or their own id)."""
    rectification = _for_member(actor=actor, rectification_id=rectification_id)
    if rectification.status not in PENDING_REPLY:
        raise Conflict(_("整改单已答复，不能再分派。"), code=lifecycle.REFUSED)
    target_id = assignee_id or actor.id
    if target_id == rectification.assignee_id:
        return rectification
    taking_a_free_one = target_id == actor.id and rectification.assignee_id is None
    if not taking_a_free_one and not _is_supervisor_for(actor, rectification):
        raise DomainError(_("只有大厅主管可以改派整改单。"), code="forbidden")
    assignee = User.objects.filter(id=target_id, is_active=True).first()
    if assignee is None or not is_unit_member(assignee, rectification) or assignee.role == Role.ADMIN:
        raise DomainError(_("被指派人须为责任单位的工作人员。"), code="invalid_assignee")
    rectification.assignee = assignee
    rectification.save(update_fields=["assignee"])
    _record(rectification, actor=actor, action="assign", note=assignee.display_name)
    if assignee.id != actor.id:
        notify(recipient=assignee, event="rating.rectification_assigned", context=_staff_context(rectification))
    return rectification


def rater_masked(rectification: Rectification) -> dict[str, str]:
    citizen = rectification.evaluation.citizen
    if citizen is None:
        return {"name": "", "phone": "", "anonymous": "1"}
    return {"name": mask_name(citizen.real_name), "phone": mask_phone(citizen.phone or ""), "anonymous": ""}


@transaction.atomic
def rectification_reveal_rater(*, viewer: User, rectification_id: int) -> dict[str, str]:
    """The rater's name and phone in clear, for the staff member who must call back only; each view is
    logged and the citizen sees it among the views of their data (DOMAIN.md §7–§8)."""
    rectification = _for_assignee(actor=viewer, rectification_id=rectification_id)
    citizen = rectification.evaluation.citizen
    if citizen is None:
        raise DomainError(_("匿名评价，无评价人信息。"), code="anonymous")
    if rectification.status not in PENDING_REPLY:
        raise Conflict(_("整改单已答复，不再需要联系评价人。"), code=lifecycle.REFUSED)
    personal_data_access_record(
        viewer=viewer,
        subject=citizen,
        case_reference=rectification.reference,
        reason=f"差评回访：查看评价人姓名和手机号码（{rectification.reference}）",
    )
    _record(rectification, actor=viewer, action="reveal_rater")
    return {"name": citizen.real_name, "phone": citizen.phone or ""}


@transaction.atomic
def rectification_callback_record(
    *, actor: User, rectification_id: int, called_at: dt.datetime, outcome: str, summary: object
) -> Callback:
    """回访记录: when, by whom, what was said. Anonymous ratings are recorded as such."""
    rectification = _for_assignee(actor=actor, rectification_id=rectification_id)
    if outcome not in CallbackOutcome.values:
        raise DomainError(_("请选择回访结果。"), code="invalid_outcome")
    anonymous = rectification.evaluation.citizen_id is None
    if anonymous != (outcome == CallbackOutcome.ANONYMOUS):
        raise DomainError(_("回访结果与评价人信息不符（仅匿名评价可记为无法回访）。"), code="invalid_outcome")
    now = timezone.now()
    if called_at > now + dt.timedelta(minutes=5):
        raise DomainError(_("回访时间不能晚于当前时间。"), code="invalid_time")
    # Forms give the minute only: a call in the minute of the rating is not "before" it.
    if called_at < rectification.evaluation.created_at.replace(second=0, microsecond=0):
        raise DomainError(_("回访时间不能早于评价时间。"), code="invalid_time")
    summary_text = _text(summary, label=_("回访记录"), code="summary_required")
    if not rectification.can_call_back():
        raise Conflict(_("整改单已答复，不能再记录回访。"), code=lifecycle.REFUSED)
    callback = Callback.objects.create(
        rectification=rectification, called_at=called_at, called_by=actor, outcome=outcome, summary=summary_text
    )
    note = f"{CallbackOutcome(outcome).label}：{summary_text}"
    _move(rectification, to_status=RectificationStatus.CALLED_BACK, actor=actor, action="callback", note=note)
    return callback


@transaction.atomic
def rectification_reply(*, actor: User, rectification_id: int, fix: object, reply: object) -> Rectification:
    """整改 and 答复: what was fixed, and the answer to the citizen, who is then asked to rate the fix."""
    rectification = _for_assignee(actor=actor, rectification_id=rectification_id)
    fix_text = _text(fix, label=_("整改措施"), code="fix_required")
    reply_text = _text(reply, label=_("答复内容"), code="reply_required")
    if rectification.status == RectificationStatus.OPEN:
        raise Conflict(_("请先回访评价人并记录回访情况。"), code="callback_first")
    now = timezone.now()
    rectification.fix, rectification.reply = fix_text, reply_text
    rectification.replied_at, rectification.replied_by = now, actor
    late = "（已超过答复期限）" if timezone.localdate(now) > rectification.due_date else ""
    citizen = rectification.evaluation.citizen
    fields: tuple[str, ...] = ("fix", "reply", "replied_at", "replied_by")
    if citizen is not None:
        rectification.fix_rating_due = fix_rating_due_for(rectification)
        fields += ("fix_rating_due",)
    _move(
        rectification,
        to_status=RectificationStatus.REPLIED,
        actor=actor,
        action="reply",
        note=reply_text + late,
        fields=fields,
    )
    if citizen is None:
        # Nobody to answer or to rate the fix: the rectification ends with the reply.
        rectification.closed_at = now
        _move(
            rectification,
            to_status=RectificationStatus.CLOSED,
            actor=None,
            action="close",
            note="匿名评价，无需市民评价整改",
            fields=("closed_at",),
        )
        return rectification
    evaluation = rectification.evaluation
    notify(
        recipient=citizen,
        event="rating.rectification_done",
        case=evaluation.case if evaluation.case_id else None,
        context={
            "event": evaluation.event_label,
            "matter": evaluation.matter.name if evaluation.matter else "",
            "expires": rectification.fix_rating_due.isoformat() if rectification.fix_rating_due else str(UNKNOWN_LIMIT),
            "link": f"{settings.PUBLIC_BASE_URL}/rate/fix/{tokens.make(rectification.id, salt=tokens.FIX_SALT)}/",
        },
    )
    return rectification


# --- The citizen rates the fix ---------------------------------------------------------------------


def rectification_rate_fix(
    *, rectification_id: int, rating: object, comment: object = "", citizen: User | None = None
) -> Rectification:
    """The citizen rates the fix (满意 / 基本满意 / 不满意). ``citizen`` is the logged-in rater; None when the
    signed link was the proof (the caller checked it)."""
    with transaction.atomic():
        rectification = _locked(rectification_id)
        if citizen is not None and rectification.evaluation.citizen_id != citizen.id:
            raise DomainError(_("未找到该整改单。"), code="not_found")
        try:
            value = int(rating)  # type: ignore[call-overload]  # anything typed; refused below if not a level
        except (TypeError, ValueError):
            value = 0
        if value not in FixRating.values:
            raise DomainError(_("请选择对整改结果的评价。"), code="invalid_rating")
        comment_text = _text(comment, label=_("意见"), code="invalid_comment", required=False)[:500]
        if rectification.fix_rated_at is not None:
            raise Conflict(_("您已评价过整改结果。"), code="already_rated")
        if not rectification.can_rate_fix():
            raise Conflict(_("整改尚未答复，暂不能评价。"), code=lifecycle.REFUSED)
        if rectification.fix_rating_due is not None and _today() > rectification.fix_rating_due:
            raise DomainError(_("评价期限已过。"), code="link_expired")
        now = timezone.now()
        rectification.fix_rating, rectification.fix_comment = value, comment_text
        rectification.fix_rated_at = rectification.closed_at = now
        fields = ["fix_rating", "fix_comment", "fix_rated_at", "closed_at"]
        if rectification.appeal_status == AppealStatus.NONE:
            # A wrong rating of the fix may be appealed too: 3 working days from it.
            rectification.appeal_due = appeal_due_for(rectification)
            fields.append("appeal_due")
        _move(
            rectification,
            to_status=RectificationStatus.CLOSED,
            actor=citizen,
            action="rate_fix",
            note=f"{FixRating(value).label}" + (f"：{comment_text}" if comment_text else ""),
            fields=tuple(fields),
        )
        return rectification
