"""Cases the hall holds (收件: received and examined within five working days, or waiting on a one-time
notice), worked on without a ticket: the applicant's materials added to the same case, a further notice,
a refusal; and the acceptance by law when the hall let the limit pass (行政许可法 Art. 32 (4))."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.notifications.services import notify
from apps.shared.accounts.models import User
from apps.shared.workcalendar.selectors import add_workdays_or_none
from govservice.api import Conflict, DomainError

from ..documents import document_issue
from ..models import Case, CaseStatus, DocumentKind
from ..selectors import case_get_for_staff, deemed_due_q
from .acceptance import hand_over
from .jobs import cases_fill_open_dates
from .materials import Upload, _vet
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
