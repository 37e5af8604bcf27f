"""Cases the hall holds (收件: received and examined within five working days, or waiting on a one-time
notice), worked on without a ticket: the applicant's materials added to the same case, a further notice,
a refusal; and the acceptance by law when the hall let the limit pass (行政许可法 Art. 32 (4))."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.intake.conf import intake_conf
from apps.front.notifications.services import notify
from apps.shared.accounts.models import User
from apps.shared.workcalendar.selectors import add_workdays_or_none, calendar_get
from govservice.api import Conflict, DomainError
from govservice.lib.workdays import WorkCalendar

from ..documents import document_issue
from ..models import Case, CaseStatus, DocumentKind
from ..selectors import awaiting_hall_q, case_get_for_staff, deemed_due_q
from .acceptance import hand_over
from .jobs import cases_fill_open_dates
from .materials import Upload, _vet
from .periods import last_day, periods_fill
from .window import case_transition, held_continue, notice_give, refusal_give


def _held(*, clerk: User, number: str) -> Case:
    """A received case of the clerk's hall (404 for another hall's), locked."""
    found = case_get_for_staff(user=clerk, number=number)
    case = Case.objects.select_for_update(of=("self",)).select_related("matter", "hall", "citizen").get(id=found.id)
    if not case.awaits_intake:
        raise Conflict(_("该办件不在待受理状态。"), code="invalid_state")
    return case


@transaction.atomic
def case_hold_supplement(*, clerk: User, number: str, uploads: Sequence[Upload]) -> Case:
    """The applicant brings materials for a case the hall holds: added to it; an outstanding one-time
    notice is answered and the five working days run again from today."""
    if not uploads:
        raise DomainError(_("请上传申请人补交的材料。"), code="materials_missing")
    case = _held(clerk=clerk, number=number)
    held_continue(case, clerk=clerk, vetted=_vet(case.matter, list(uploads)), where=case.hall.name)
    return case


@transaction.atomic
def case_notify_received(*, clerk: User, number: str, items: list[str], uploads: Sequence[Upload] = ()) -> Case:
    """一次性告知 on a case the hall holds: after examining what it received, or what the applicant brought
    in answer to an earlier notice (never twice for the same materials)."""
    items = [item.strip() for item in items if item.strip()]
    if not items:
        raise DomainError(_("请列出需要补正的全部事项。"), code="items_required")
    case = _held(clerk=clerk, number=number)
    held_continue(case, clerk=clerk, vetted=_vet(case.matter, list(uploads)), where=case.hall.name)
    notice_give(case, clerk=clerk, items=items)
    return case


@transaction.atomic
def case_refuse_received(*, clerk: User, number: str, reason: str, refer_to: str = "") -> Case:
    """不予受理 of a case the hall holds, with the reason, where to apply instead, and the remedies."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写不予受理的理由。"), code="reason_required")
    case = _held(clerk=clerk, number=number)
    refusal_give(case, clerk=clerk, reason=reason, refer_to=refer_to)
    return case


def case_deem_accepted(*, case_id: int, today: dt.date) -> Case | None:
    """行政许可法 Art. 32 (4): received, and within five working days neither accepted, refused nor told
    of what is missing: the application is accepted from the day the materials were received. The case
    moves once (a locked re-check, then the lifecycle's compare-and-set), its clocks start from that day,
    it leaves for central like any accepted case, and the applicant is told. None if it is not (or no
    longer) due, or a clerk is working on it right now (the next run takes it)."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("matter", "hall", "citizen")
            .filter(deemed_due_q(today=today), id=case_id)
            .first()
        )
        if case is None:
            return None
        started = case.intake_started_at or case.received_at
        case_transition(
            case=case,
            to_status=CaseStatus.ACCEPTED,
            actor=None,
            actor_label="系统",
            note=f"受理期限{case.intake_deadline}已过，未作出受理决定或一次性告知，依法自收件之日起视为受理（行政许可法第三十二条）",
            accepted_at=started,
            deemed_accepted_at=timezone.now(),
            # The promised date counts from the day of receipt, as the law dates the acceptance (None while
            # that reaches an unpublished year: filled in once it is).
            promised_date=add_workdays_or_none(timezone.localdate(started), case.matter.promised_days),
        )
        document_issue(case=case, kind=DocumentKind.RECEIPT, by=None)
        hand_over(case, actor="系统（视为受理）")
        notify(recipient=case.citizen, event="case.deemed_accepted", case=case)
    return case


def cases_deem_accepted(*, today: dt.date | None = None, batch: int = 200) -> int:
    """The periodic job: every received case whose intake limit has passed with no decision and no notice
    is accepted by law. Safe to run twice, and beside clerks at work (each case moves once)."""
    today = today or timezone.localdate()
    # A limit left open (its year unpublished) is counted first, now that it may be.
    cases_fill_open_dates()
    due = list(
        Case.objects.filter(deemed_due_q(today=today)).order_by("intake_deadline").values_list("id", flat=True)[:batch]
    )
    return sum(1 for case_id in due if case_deem_accepted(case_id=case_id, today=today) is not None)


def _notice_waiting_q() -> Q:
    """Received cases (at a window or online) whose one-time notice the applicant has not answered."""
    return (
        Q(status=CaseStatus.RECEIVED, notice_sent_at__isnull=False, notice_answer_deadline__isnull=False)
        & ~awaiting_hall_q()
    )


def case_notice_lapse(*, case_id: int, today: dt.date, calendar: WorkCalendar) -> Case | None:
    """逾期未补正的，视为撤回申请: the one-time notice's answer period passed with nothing brought, so the
    application is deemed withdrawn: once (a locked re-check, then the lifecycle's compare-and-set), with the
    reason on the case's record, and the applicant told. None when it is not (or no longer) due: answered, its
    last day not over (moved past days off, 民法典 Art. 203), unknown (an unpublished year), or a clerk is
    working on it right now (the next run takes it)."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("matter", "citizen")
            .filter(_notice_waiting_q(), id=case_id)
            .first()
        )
        real = last_day(case.notice_answer_deadline, calendar) if case is not None else None
        if case is None or real is None or today <= real:
            return None
        case_transition(
            case=case,
            to_status=CaseStatus.WITHDRAWN,
            actor=None,
            actor_label="系统",
            note=f"一次性告知的补正期限{real:%Y-%m-%d}已过，申请人未补正，申请视为撤回",
            notice_answer_deadline=real,
            deemed_withdrawn_at=timezone.now(),
        )
        notify(recipient=case.citizen, event="case.deemed_withdrawn", case=case)
    return case


def cases_notice_remind(*, today: dt.date, calendar: WorkCalendar) -> int:
    """Remind the applicant a few days before the notice's last day (once per notice)."""
    horizon = today + dt.timedelta(days=intake_conf.HELD_NOTICE_REMIND_DAYS_BEFORE)
    reminded = 0
    # The stored date is never later than the real last day: every case due by the horizon is among these.
    for case in Case.objects.filter(
        _notice_waiting_q(), notice_reminded_at__isnull=True, notice_answer_deadline__lte=horizon
    ).select_related("citizen", "matter"):
        real = last_day(case.notice_answer_deadline, calendar)
        if real is None or not today <= real <= horizon:
            continue
        with transaction.atomic():
            # The conditional UPDATE claims the reminder: two runs at once never send it twice.
            if not Case.objects.filter(id=case.id, notice_reminded_at__isnull=True).update(
                notice_reminded_at=timezone.now()
            ):
                continue
            case.notice_answer_deadline = real
            notify(recipient=case.citizen, event="case.notice_answer_reminder", case=case)
            reminded += 1
    return reminded


def cases_notice_lapse(*, today: dt.date | None = None, batch: int = 200) -> int:
    """The periodic job: remind applicants whose one-time notice's answer period ends soon, and end as
    withdrawn the applications whose period is over unanswered. Safe to run twice. A case held with no
    notice (仅收件) is not touched: Art. 32's deemed acceptance covers it."""
    today = today or timezone.localdate()
    calendar = calendar_get()
    periods_fill(calendar=calendar)
    reminded = cases_notice_remind(today=today, calendar=calendar)
    due = [
        case_id
        for case_id, stored in Case.objects.filter(_notice_waiting_q(), notice_answer_deadline__lt=today)
        .order_by("notice_answer_deadline")
        .values_list("id", "notice_answer_deadline")
        if (real := last_day(stored, calendar)) is not None and today > real
    ][:batch]
    return reminded + sum(
        1 for case_id in due if case_notice_lapse(case_id=case_id, today=today, calendar=calendar) is not None
    )
