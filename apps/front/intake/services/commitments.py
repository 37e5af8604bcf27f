"""The follow-up of a 容缺受理 commitment (DOMAIN.md §4): the applicant supplies the deferred items online or
at a window and they follow the case to central; a reminder before the deadline; and when the deadline
passes with items still owed, the consequence: a credit record, and the review suspended at central."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.intake.conf import intake_conf
from apps.front.notifications.services import notify
from apps.shared.accounts.models import Role, User
from apps.shared.exchange import contract
from apps.shared.exchange.services import OutgoingFile, outbox_enqueue
from apps.shared.workcalendar.selectors import calendar_get
from govservice.api import Conflict, DomainError
from govservice.lib.workdays import WorkCalendar

from ..models import COMMITMENT_OPEN_STATES, Case, CaseEvent, CreditKind, CreditRecord, TrustLevel
from ..selectors import case_central, case_get_for_staff
from .materials import Upload, _store_materials, _vet
from .periods import commitment_owed_q, last_day, periods_fill


def _open_commitment(case: Case) -> None:
    if not case.commitment_items or case.commitment_met_at is not None:
        raise Conflict(_("该办件没有待补交的容缺材料。"), code="invalid_state")
    if case.status not in COMMITMENT_OPEN_STATES:
        raise Conflict(_("办件已作出决定或已终结，不能再补交容缺材料。"), code="invalid_state")


@transaction.atomic
def case_commitment_supply(*, actor: User, number: str, uploads: Sequence[Upload]) -> Case:
    """The applicant supplies deferred items: online (their own case; C-level until a clerk sees the
    originals) or at a window of the hall (B-level). Each upload names its material, which must be one of
    the items still owed. They travel to central with the items still outstanding; the last one meets the
    commitment (and lifts a suspension at central)."""
    at_window = actor.role in (Role.CLERK, Role.HALL_SUPERVISOR)
    case: Case | None
    if at_window:
        found = case_get_for_staff(user=actor, number=number)
        case = Case.objects.select_for_update(of=("self",)).select_related("matter").get(id=found.id)
    else:
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("matter")
            .filter(number=number, citizen=actor)
            .first()
        )
        if case is None:
            raise DomainError(_("未找到该办件。"), code="not_found")
    _open_commitment(case)
    if not uploads:
        raise DomainError(_("请上传需补交的容缺材料。"), code="materials_missing")
    owed = case.commitment_outstanding
    materials = {m.id: m.name for m in case.matter.materials.all()}
    names = [materials.get(u.material_id) if u.material_id is not None else None for u in uploads]
    wrong = [u.file.name for u, name in zip(uploads, names, strict=True) if name not in owed]
    if wrong:
        raise DomainError(
            _("只能补交承诺书所列、尚未补交的容缺材料：%(items)s。") % {"items": "、".join(owed)}, code="wrong_material"
        )
    before = set(case.materials.values_list("id", flat=True))
    _store_materials(
        case, _vet(case.matter, list(uploads)), by=actor, trust_level=TrustLevel.B if at_window else TrustLevel.C
    )
    added = list(case.materials.exclude(id__in=before))
    outstanding = case.commitment_outstanding
    supplied = list(dict.fromkeys(m.name for m in added))
    where = "窗口" if at_window else "在线"
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        from_status=case.status,
        to_status=case.status,
        note=f"{where}补交容缺材料：" + "、".join(supplied) + ("" if outstanding else "（容缺材料已补齐）"),
    )
    if not outstanding:
        now = timezone.now()
        Case.objects.filter(id=case.id).update(commitment_met_at=now)
        case.commitment_met_at = now
    outbox_enqueue(
        peer=case_central(case),
        payload=contract.CaseDeferredSupplied(number=case.number, items=supplied, outstanding=outstanding),
        actor=actor.audit_label,
        files=[
            OutgoingFile(name=m.name, path=str(m.file.name), sha256=m.sha256, content_type=m.content_type)
            for m in added
        ],
    )
    return case


def cases_commitment_remind(*, today: dt.date | None = None) -> int:
    """Remind applicants of deferred items owed within the next few days (once per commitment), counted to
    the real last day (民法典 Art. 203: a deadline on a day off ends on the next working day); a deadline
    whose year is not published yet is not reminded of on a guess."""
    today = today or timezone.localdate()
    calendar = calendar_get()
    periods_fill(calendar=calendar)
    horizon = today + dt.timedelta(days=intake_conf.COMMITMENT_REMIND_DAYS_BEFORE)
    # The stored date is never later than the real last day: every case due by the horizon is among these.
    candidates = Case.objects.filter(
        commitment_owed_q(), commitment_reminded_at__isnull=True, commitment_deadline__lte=horizon
    ).select_related("citizen", "matter")
    reminded = 0
    for case in candidates:
        real = last_day(case.commitment_deadline, calendar)
        if real is None or not today <= real <= horizon:
            continue
        with transaction.atomic():
            # The conditional UPDATE claims the reminder: two runs at once never send it twice.
            if not Case.objects.filter(id=case.id, commitment_reminded_at__isnull=True).update(
                commitment_reminded_at=timezone.now()
            ):
                continue
            notify(recipient=case.citizen, event="case.commitment_reminder", case=case)
            reminded += 1
    return reminded


def case_commitment_break(*, case_id: int, today: dt.date, calendar: WorkCalendar | None = None) -> Case | None:
    """The deadline passed with deferred items still owed: the breach is recorded once (a credit record
    that bars 容缺受理 for a while), central is told to suspend the review until the items come, and the
    applicant is told. None when it is not (or no longer) due."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("citizen", "matter")
            .filter(commitment_owed_q(), id=case_id, commitment_deadline__lt=today)
            .first()
        )
        # Past the real last day only (Art. 203): never during the holiday its deadline fell in, never
        # while the calendar cannot tell.
        real = last_day(case.commitment_deadline, calendar or calendar_get()) if case is not None else None
        if case is None or real is None or today <= real:
            return None
        if real != case.commitment_deadline:
            Case.objects.filter(id=case.id).update(commitment_deadline=real)
            case.commitment_deadline = real
        outstanding = case.commitment_outstanding
        now = timezone.now()
        if not outstanding:
            # Every item is there (brought by a way that did not close the commitment): nothing is owed.
            Case.objects.filter(id=case.id).update(commitment_met_at=now)
            return None
        Case.objects.filter(id=case.id).update(commitment_broken_at=now)
        case.commitment_broken_at = now
        deadline = case.commitment_deadline
        assert deadline is not None
        CreditRecord.objects.get_or_create(
            case=case,
            kind=CreditKind.COMMITMENT_BROKEN,
            defaults={
                "citizen": case.citizen,
                "note": f"容缺受理承诺逾期未履行：{deadline.isoformat()}前应补交" + "、".join(outstanding),
                "in_force_until": today + dt.timedelta(days=intake_conf.COMMITMENT_CREDIT_DAYS),
            },
        )
        CaseEvent.objects.create(
            case=case,
            actor_label="系统",
            from_status=case.status,
            to_status=case.status,
            note="容缺材料逾期未补交：" + "、".join(outstanding) + "。已记入信用记录，审批总后台中止审查至材料补齐",
        )
        outbox_enqueue(
            peer=case_central(case),
            payload=contract.CaseCommitmentBroken(
                number=case.number, outstanding=outstanding, deadline=deadline, credit_recorded=True
            ),
            actor="系统",
        )
        notify(recipient=case.citizen, event="case.commitment_broken", case=case)
    return case


def cases_commitment_enforce(*, today: dt.date | None = None, batch: int = 200) -> int:
    """The periodic job: every commitment whose deadline has passed with items owed meets its consequence,
    once. Safe to run twice."""
    today = today or timezone.localdate()
    calendar = calendar_get()
    periods_fill(calendar=calendar)
    # The stored date is never later than the real last day, which case_commitment_break checks.
    due = [
        case_id
        for case_id, stored in Case.objects.filter(commitment_owed_q(), commitment_deadline__lt=today)
        .order_by("commitment_deadline")
        .values_list("id", "commitment_deadline")
        if (real := last_day(stored, calendar)) is not None and today > real
    ][:batch]
    return sum(
        1 for case_id in due if case_commitment_break(case_id=case_id, today=today, calendar=calendar) is not None
    )
