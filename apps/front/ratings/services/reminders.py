"""Reminders and escalation before the reply limit, overdue notices, and closing rectifications whose
citizen let the time to rate the fix pass. Run by the front beat (apps.front.ratings.tasks); idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.front.booking.selectors import hall_supervisors
from apps.front.notifications.services import notify
from apps.front.ratings.conf import ratings_conf

from ..models import PENDING_REPLY, AppealStatus, Rectification, RectificationStatus
from .rectifications import (
    _locked,
    _move,
    _record,
    _staff_context,
    _today,
    appeal_due_for,
    fix_rating_due_for,
    unit_staff,
)


def rectifications_remind(*, today: dt.date | None = None) -> dict[str, int]:
    """Before the reply limit: remind the unit (RECTIFICATION_REMIND_DAYS_BEFORE), escalate to the hall's
    supervisors (RECTIFICATION_ESCALATE_DAYS_BEFORE), tell them once it is overdue; close replied ones whose
    citizen let the time to rate the fix pass. Each step is claimed by a conditional UPDATE, so a second
    run, or two beats at once, send nothing twice."""
    today = today or _today()
    counts = {"reminded": 0, "escalated": 0, "overdue": 0, "closed": 0}
    pending = Rectification.objects.filter(status__in=PENDING_REPLY)
    steps = (
        (
            "reminded",
            "reminded_at",
            today + dt.timedelta(days=ratings_conf.RECTIFICATION_REMIND_DAYS_BEFORE),
            "rating.rectification_reminder",
        ),
        (
            "escalated",
            "escalated_at",
            today + dt.timedelta(days=ratings_conf.RECTIFICATION_ESCALATE_DAYS_BEFORE),
            "rating.rectification_escalated",
        ),
        ("overdue", "overdue_at", today - dt.timedelta(days=1), "rating.rectification_overdue"),
    )
    for key, claim, due_by, event in steps:
        for rectification_id in list(
            pending.filter(**{f"{claim}__isnull": True, "due_date__lte": due_by}).values_list("id", flat=True)
        ):
            with transaction.atomic():
                claimed = Rectification.objects.filter(
                    id=rectification_id, status__in=PENDING_REPLY, **{f"{claim}__isnull": True}
                ).update(**{claim: timezone.now()})
                if not claimed:
                    continue
                rectification = Rectification.objects.select_related(
                    "evaluation__matter", "hall", "unit", "assignee"
                ).get(id=rectification_id)
                recipients = (
                    [rectification.assignee]
                    if key == "reminded" and rectification.assignee
                    else unit_staff(rectification)
                    if key == "reminded"
                    else hall_supervisors(rectification.hall_id)
                )
                for user in recipients:
                    notify(recipient=user, event=event, context=_staff_context(rectification))
                _record(rectification, actor=None, action=key, note=f"答复期限 {rectification.due_date.isoformat()}")
                counts[key] += 1
    _fill_unknown_limits()
    lapsed = Rectification.objects.filter(status=RectificationStatus.REPLIED, fix_rating_due__lt=today)
    for rectification_id in list(lapsed.values_list("id", flat=True)):
        with transaction.atomic():
            rectification = _locked(rectification_id)
            if rectification.status != RectificationStatus.REPLIED:
                continue
            rectification.closed_at = timezone.now()
            _move(
                rectification,
                to_status=RectificationStatus.CLOSED,
                actor=None,
                action="close",
                note="市民未在期限内评价整改结果",
                fields=("closed_at",),
            )
            counts["closed"] += 1
    return counts


def _fill_unknown_limits() -> int:
    """Limits left open while a year's holiday calendar was unpublished (appeal, rating of the fix): filled
    in once it is. Each row is locked and checked again, so two runs at once write the same dates once."""
    filled = 0
    waiting = Rectification.objects.filter(
        Q(appeal_due__isnull=True, appeal_status=AppealStatus.NONE)
        | Q(fix_rating_due__isnull=True, status=RectificationStatus.REPLIED, evaluation__citizen__isnull=False)
    ).exclude(status=RectificationStatus.VOIDED)
    for rectification_id in list(waiting.values_list("id", flat=True)):
        with transaction.atomic():
            rectification = _locked(rectification_id)
            fields = []
            if rectification.appeal_due is None:
                rectification.appeal_due = appeal_due_for(rectification)
                fields += ["appeal_due"] if rectification.appeal_due else []
            if rectification.fix_rating_due is None and rectification.status == RectificationStatus.REPLIED:
                rectification.fix_rating_due = fix_rating_due_for(rectification)
                fields += ["fix_rating_due"] if rectification.fix_rating_due else []
            if fields:
                rectification.save(update_fields=fields)
                filled += 1
    return filled
