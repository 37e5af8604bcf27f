"""The review at the central back office (DOMAIN.md §5): claiming, steps, corrections, special
procedures, extension, decision and result. Every change writes a ReviewEvent and, where the citizen
should know, an outbox message to the front platform in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.shared.accounts.models import Role, User
from apps.shared.exchange import contract
from apps.shared.exchange.services import OutgoingFile, outbox_enqueue
from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib import lifecycle
from govservice.lib.clocks import Clock
from govservice.lib.codes import human_code
from govservice.lib.errors import Conflict, DomainError
from govservice.lib.pdf import qr_data_uri, render_pdf

from .models import (
    REVIEW_STEPS,
    REVIEW_TRANSITIONS,
    Certificate,
    Decision,
    DeliveryMethod,
    ReviewCase,
    ReviewEvent,
    ReviewStatus,
    SpecialProcedure,
)
from .selectors import case_get_for_approver, clock_of, overdue_by_department

# 行政许可法 Art. 42: an extension of 10 working days, once, with approval and a reason told to the applicant.
EXTENSION_WORKDAYS = 10


def _approver_only(user: User) -> None:
    if user.role != Role.APPROVER:
        raise DomainError(_("只有审批人员可以办理。"), code="forbidden")


def _locked(*, user: User, case_id: int) -> ReviewCase:
    case = case_get_for_approver(user=user, case_id=case_id)  # 404 for another department
    return ReviewCase.objects.select_for_update(of=("self",)).select_related("platform", "matter", "department").get(id=case.id)


def _clock_fields(clock: Clock) -> dict[str, Any]:
    return {"clock_used": clock.used, "clock_running_since": clock.running_since}


def _move(case: ReviewCase, *, to_status: str, actor: User | None, note: str = "", **fields: Any) -> None:
    """The lifecycle's guarded move (govservice.lib.lifecycle), with an event row."""
    lifecycle.move(
        case, to_status, fields=fields, event={"actor": actor, "note": note},
        refused=_("办件当前状态为“%(status)s”，不能执行此操作。") % {"status": case.get_status_display()},
        stale=_("办件已被他人处理，请刷新。"),
    )


def _note(case: ReviewCase, *, actor: User, note: str) -> None:
    ReviewEvent.objects.create(case=case, actor=actor, from_status=case.status, to_status=case.status, note=note)


def _tell_front(case: ReviewCase, payload: contract.WirePayload, actor: User | None = None) -> None:
    outbox_enqueue(peer=case.platform, payload=payload, actor=actor.audit_label if actor else "")


# What the front is told at each state; also what reconciliation re-sends (the front applies each
# idempotently, so a repeat changes nothing).
def _correction_payload(case: ReviewCase) -> contract.CaseCorrectionRequested:
    return contract.CaseCorrectionRequested(
        number=case.front_number, items=list(case.correction_items), deadline=case.correction_deadline
    )


def _special_payload(case: ReviewCase) -> contract.CaseSpecialProcedure:
    return contract.CaseSpecialProcedure(
        number=case.front_number,
        kind=case.special_kind,
        kind_label=str(SpecialProcedure(case.special_kind).label) if case.special_kind else "",
        reason=case.special_reason,
        expected_days=case.special_expected_days,
    )


def _decided_payload(case: ReviewCase) -> contract.CaseDecided:
    return contract.CaseDecided(
        number=case.front_number,
        decision=Decision(case.decision),
        reason=case.decision_reason,
        remedies=settings.REMEDIES_TEXT if case.decision != Decision.APPROVED else "",
        decided_at=case.decided_at,
        approver_label=f"{case.department.name}审批人员",
    )


def _result_payload(certificate: Certificate) -> tuple[contract.CaseResultIssued, list[OutgoingFile]]:
    case = certificate.case
    payload = contract.CaseResultIssued(
        number=case.front_number,
        title=certificate.title,
        licence_number=certificate.licence_number,
        verification_code=certificate.verification_code,
        issued_on=certificate.issued_on,
        valid_until=certificate.valid_until,
        issuer=case.department.name,
        delivery_method=DeliveryMethod(case.delivery_method),
    )
    return payload, [OutgoingFile(name=certificate.title, path=str(certificate.file.name), sha256=certificate.sha256, content_type="application/pdf")]


@transaction.atomic
def case_claim(*, approver: User, case_id: int) -> ReviewCase:
    """Take an unassigned case of one's department (first come, first served)."""
    _approver_only(approver)
    case = case_get_for_approver(user=approver, case_id=case_id)
    if not ReviewCase.objects.filter(id=case.id, assignee__isnull=True).update(assignee=approver):
        raise Conflict(_("该办件已被认领。"), code="already_claimed")
    case.assignee = approver
    _note(case, actor=approver, note="认领")
    return case


@transaction.atomic
def case_release(*, approver: User, case_id: int) -> ReviewCase:
    case = case_get_for_approver(user=approver, case_id=case_id)
    if not ReviewCase.objects.filter(id=case.id, assignee=approver).update(assignee=None):
        raise Conflict(_("只能退回自己认领的办件。"), code="not_assignee")
    case.assignee = None
    _note(case, actor=approver, note="退回待认领")
    return case


@transaction.atomic
def case_assign(*, supervisor: User, case_id: int, approver_id: int) -> ReviewCase:
    """A central supervisor hands a case to an approver of the case's department."""
    if supervisor.role != Role.CENTRAL_SUPERVISOR:
        raise DomainError(_("只有后台主管可以分派。"), code="forbidden")
    case = case_get_for_approver(user=supervisor, case_id=case_id)
    approver = User.objects.filter(id=approver_id, role=Role.APPROVER, approver_post__department=case.department).first()
    if approver is None:
        raise DomainError(_("该人员不属于办件所属部门。"), code="wrong_department")
    ReviewCase.objects.filter(id=case.id).update(assignee=approver)
    case.assignee = approver
    _note(case, actor=supervisor, note=f"分派给 {approver.display_name}")
    return case


def _mine(case: ReviewCase, approver: User) -> None:
    _approver_only(approver)
    if case.assignee_id not in (None, approver.id):
        raise Conflict(_("该办件已由他人认领。"), code="not_assignee")


@transaction.atomic
def case_step(*, approver: User, case_id: int, forward: bool, note: str = "") -> ReviewCase:
    """Pass a case to the next step (环节), or return it to the previous one with a reason."""
    case = _locked(user=approver, case_id=case_id)
    _mine(case, approver)
    if not case.under_review:
        raise Conflict(_("办件不在审查中。"), code="invalid_state")
    target = case.step + (1 if forward else -1)
    if not 0 <= target < len(REVIEW_STEPS):
        raise Conflict(_("没有可转入的环节。"), code="invalid_step")
    if not forward and not note.strip():
        raise DomainError(_("退回上一环节须说明理由。"), code="reason_required")
    ReviewCase.objects.filter(id=case.id).update(step=target)
    verb = "通过" if forward else "退回"
    _note(case, actor=approver, note=f"{REVIEW_STEPS[case.step]} {verb} → {REVIEW_STEPS[target]} {note}".strip())
    case.step = target
    return case


@transaction.atomic
def case_request_correction(*, approver: User, case_id: int, items: list[str], deadline: dt.date) -> ReviewCase:
    """补齐补正: one consolidated list and a deadline; the clock stops until the applicant answers."""
    items = [item.strip() for item in items if item.strip()]
    if not items:
        raise DomainError(_("请一次性列出全部需补正的事项。"), code="items_required")
    today = timezone.localdate()
    if deadline <= today:
        raise DomainError(_("补正期限应晚于今天。"), code="invalid_deadline")
    case = _locked(user=approver, case_id=case_id)
    _mine(case, approver)
    clock = clock_of(case).pause(today, calendar_get())
    _move(
        case, to_status=ReviewStatus.CORRECTION, actor=approver, note="；".join(items),
        correction_items=items, correction_deadline=deadline, **_clock_fields(clock),
    )
    _tell_front(case, _correction_payload(case), approver)
    return case


@transaction.atomic
def case_start_special_procedure(*, approver: User, case_id: int, kind: str, reason: str, expected_days: int) -> ReviewCase:
    """A hearing, inspection, expert review or test: the citizen is told why and for how long; the
    clock stops meanwhile (行政许可法 Art. 45)."""
    if kind not in SpecialProcedure.values:
        raise DomainError(_("特别程序种类无效。"), code="unknown_procedure")
    if not reason.strip() or not 1 <= expected_days <= 365:
        raise DomainError(_("请说明特别程序的理由和预计时长。"), code="reason_required")
    case = _locked(user=approver, case_id=case_id)
    _mine(case, approver)
    clock = clock_of(case).pause(timezone.localdate(), calendar_get())
    _move(
        case, to_status=ReviewStatus.SPECIAL_PROCEDURE, actor=approver, note=reason,
        special_kind=kind, special_reason=reason.strip(), special_expected_days=expected_days, **_clock_fields(clock),
    )
    _tell_front(case, _special_payload(case), approver)
    return case


@transaction.atomic
def case_end_special_procedure(*, approver: User, case_id: int, note: str = "") -> ReviewCase:
    case = _locked(user=approver, case_id=case_id)
    _mine(case, approver)
    if not case.in_special_procedure:
        raise Conflict(_("办件不在特别程序中。"), code="invalid_state")
    clock = clock_of(case).resume(timezone.localdate())
    _move(case, to_status=ReviewStatus.IN_REVIEW, actor=approver, note=note or "特别程序结束", **_clock_fields(clock))
    _tell_front(case, contract.CaseReviewResumed(number=case.front_number, promised_date=_due(case)), approver)
    return case


def _due(case: ReviewCase) -> dt.date | None:
    """None while the limit reaches a year whose holidays are not published ("" on the wire: 待定)."""
    return clock_of(case).due_date(timezone.localdate(), calendar_get())


@transaction.atomic
def case_extend(*, approver: User, case_id: int, reason: str) -> ReviewCase:
    """Extend the limit by 10 working days, once, with a reason told to the citizen."""
    if not reason.strip():
        raise DomainError(_("延期须说明理由。"), code="reason_required")
    case = _locked(user=approver, case_id=case_id)
    _mine(case, approver)
    if case.extended_days:
        raise Conflict(_("本件已延期一次，不能再次延期。"), code="already_extended")
    if not case.can_extend:
        raise Conflict(_("办件当前状态不能延期。"), code="invalid_state")
    ReviewCase.objects.filter(id=case.id).update(extended_days=EXTENSION_WORKDAYS, extension_reason=reason.strip())
    case.extended_days, case.extension_reason = EXTENSION_WORKDAYS, reason.strip()
    _note(case, actor=approver, note=f"延期{EXTENSION_WORKDAYS}个工作日：{reason.strip()}")
    _tell_front(
        case,
        contract.CaseExtended(number=case.front_number, reason=reason.strip(), days=EXTENSION_WORKDAYS, promised_date=_due(case)),
        approver,
    )
    return case


def supplement_apply(case: ReviewCase, *, names: list[str]) -> None:
    """The applicant's corrected materials arrived: back to review, the clock resumes or restarts."""
    clock = clock_of(case).resume(timezone.localdate(), restart=case.matter.correction_restarts_clock)
    _move(case, to_status=ReviewStatus.IN_REVIEW, actor=None, note="收到补正材料：" + "、".join(names), **_clock_fields(clock))


def withdrawal_apply(case: ReviewCase, *, reason: str) -> dict[str, Any]:
    """The applicant withdraws (in the caller's transaction, the case row locked)."""
    if ReviewStatus.WITHDRAWN not in REVIEW_TRANSITIONS[case.status]:
        if case.status == ReviewStatus.WITHDRAWN:
            return {"number": case.front_number, "status": case.status}
        _tell_front(case, contract.CaseWithdrawRefused(number=case.front_number, reason="审批总后台已作出决定，不能撤回。"))
        return {"number": case.front_number, "status": case.status}
    clock = clock_of(case).pause(timezone.localdate(), calendar_get())
    _move(case, to_status=ReviewStatus.WITHDRAWN, actor=None, note=("申请人撤回：" + reason).rstrip("："), **_clock_fields(clock))
    _tell_front(case, contract.CaseWithdrawn(number=case.front_number))
    return {"number": case.front_number, "status": case.status}


def _delivery_label(method: str, region: str = "") -> str:
    label = str(DeliveryMethod(method).label)
    return f"{label}（{region}）" if method == DeliveryMethod.POST and region else label


def delivery_choice_apply(case: ReviewCase, *, method: str, region: str = "") -> dict[str, Any]:
    """The applicant chose (or changed) how to receive the result, at the front (in the caller's
    transaction, the case row locked). Until the result is issued it decides what the certificate is sent
    for; after, it is only noted: the issued result is not touched, the front hands it over as chosen there.
    The same choice again changes nothing."""
    if method not in DeliveryMethod.values:
        raise ValueError(method)
    region = region.strip()[:40] if method == DeliveryMethod.POST else ""
    label = _delivery_label(method, region)
    if case.result_issued_at is not None:
        note = f"结果出具后收到领取方式变更：{label}，已出具的结果不变"
        if not case.events.filter(note=note).exists():
            ReviewEvent.objects.create(case=case, from_status=case.status, to_status=case.status, note=note)
        return {"number": case.front_number, "delivery_method": case.delivery_method, "applied": False}
    if (case.delivery_method, case.delivery_region) != (method, region):
        ReviewCase.objects.filter(id=case.id).update(delivery_method=method, delivery_region=region)
        case.delivery_method, case.delivery_region = method, region
        ReviewEvent.objects.create(case=case, from_status=case.status, to_status=case.status, note=f"申请人选择领取方式：{label}")
    return {"number": case.front_number, "delivery_method": case.delivery_method, "applied": True}


def delivery_record(case: ReviewCase, *, method: str, delivered_at: dt.datetime, tracking_number: str = "") -> dict[str, Any]:
    """The result reached the applicant (case.delivered from the front; in the caller's transaction, the
    case row locked). Recorded once: a repeat changes nothing."""
    if method not in DeliveryMethod.values:
        raise ValueError(method)
    if case.delivered_at is None:
        tracking_number = tracking_number.strip()[:40] if method == DeliveryMethod.POST else ""
        ReviewCase.objects.filter(id=case.id).update(
            delivered_at=delivered_at, delivered_method=method, delivery_tracking_number=tracking_number
        )
        case.delivered_at, case.delivered_method, case.delivery_tracking_number = delivered_at, method, tracking_number
        how = str(DeliveryMethod(method).label) + (f"，运单号{tracking_number}" if tracking_number else "")
        ReviewEvent.objects.create(
            case=case, from_status=case.status, to_status=case.status, at=delivered_at, note=f"结果已送达申请人：{how}"
        )
    return {"number": case.front_number, "delivered_at": case.delivered_at.isoformat()}


@transaction.atomic
def case_decide(*, approver: User, case_id: int, decision: str, reason: str) -> ReviewCase:
    """Decide a case; the decision leaves for the front through the outbox in the same transaction."""
    _approver_only(approver)
    if decision not in Decision.values:
        raise DomainError(_("审批结论无效。"), code="unknown_decision")
    reason = reason.strip()
    if decision != Decision.APPROVED and not reason:
        # A denial must say why, and carry the remedies (行政许可法 Art. 38).
        raise DomainError(_("不予许可或部分准予须说明理由。"), code="reason_required")
    case = _locked(user=approver, case_id=case_id)
    _mine(case, approver)
    now = timezone.now()
    clock = clock_of(case).pause(timezone.localdate(), calendar_get())
    _move(
        case, to_status=ReviewStatus.DECIDED, actor=approver, note=reason,
        decision=decision, decision_reason=reason, decided_at=now, decided_by=approver, **_clock_fields(clock),
    )
    _tell_front(case, _decided_payload(case), approver)
    return case


def case_issue_result(*, approver: User, case_id: int, valid_years: int | None = None) -> Certificate:
    """Issue the certificate of an approved case: a PDF with a verification code and QR (verified on the
    front platform's public page), sent with its e-licence record to the front, where it reaches the
    citizen and their vault. The PDF is rendered before the transaction: no slow work while holding locks."""
    _approver_only(approver)
    case = case_get_for_approver(user=approver, case_id=case_id)
    if not case.can_issue_result:
        raise Conflict(_("只有准予许可的办件可以出证。"), code="invalid_state")
    if Certificate.objects.filter(case=case).exists():
        raise Conflict(_("证照已出具。"), code="already_issued")
    today = timezone.localdate()
    code = human_code(12)
    licence_number = f"{case.department.code}-{today:%Y}-{case.front_number}"
    valid_until = today.replace(year=today.year + valid_years) if valid_years else None
    title = case.matter.result_name or f"{case.matter.name}准予许可决定书"
    verify_url = case.platform.base_url.rstrip("/") + f"/verify/{code}/"
    pdf = render_pdf(
        "documents/certificate.html",
        {
            "title": title, "case": case, "licence_number": licence_number, "issued_on": today, "valid_until": valid_until,
            "code": code, "verify_url": verify_url, "qr": qr_data_uri(verify_url),
        },
    )
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        case = _locked(user=approver, case_id=case_id)
        certificate = Certificate(
            case=case, licence_number=licence_number, verification_code=code, title=title, holder=case.applicant_name,
            issued_on=today, valid_until=valid_until, sha256=digest, issued_by=approver,
        )
        certificate.file.save(f"{licence_number}.pdf", ContentFile(pdf), save=False)
        certificate.save()
        ReviewCase.objects.filter(id=case.id).update(result_issued_at=timezone.now())
        # Sent for the way the applicant chose at the front (case.submitted / case.delivery_chosen).
        _note(case, actor=approver, note=f"出具{title}（{licence_number}），按申请人选择{_delivery_label(case.delivery_method, case.delivery_region)}")
        payload, files = _result_payload(certificate)
        outbox_enqueue(peer=case.platform, payload=payload, files=files, actor=approver.audit_label)
    return certificate


@transaction.atomic
def cases_resync(*, platform, numbers: list[str]) -> dict[str, list[str]]:
    """Reconciliation: re-send the current state of cases a front platform has heard nothing about for
    a while. Returns which numbers were re-sent and which central does not know."""
    cases = {c.front_number: c for c in ReviewCase.objects.filter(platform=platform, front_number__in=numbers).select_related("department", "matter")}
    for case in cases.values():
        if case.status == ReviewStatus.IN_REVIEW:
            _tell_front(case, contract.CaseReviewStarted(number=case.front_number))
        elif case.status == ReviewStatus.CORRECTION:
            _tell_front(case, _correction_payload(case))
        elif case.status == ReviewStatus.SPECIAL_PROCEDURE:
            _tell_front(case, _special_payload(case))
        elif case.status == ReviewStatus.DECIDED:
            _tell_front(case, _decided_payload(case))
            certificate = Certificate.objects.filter(case=case).first()
            if certificate is not None:
                payload, files = _result_payload(certificate)
                outbox_enqueue(peer=platform, payload=payload, files=files)
    return {"resent": sorted(cases), "unknown": sorted(set(numbers) - set(cases))}


def overdue_digest_send(*, today: dt.date | None = None) -> int:
    """The supervisors' daily digest of overdue (red) and nearly overdue (yellow) cases by department.
    Sent by email after reading only; a second run the same day just sends the same digest again."""
    rows = [r for r in overdue_by_department(today=today) if r["red"] or r["yellow"]]
    if not rows:
        return 0
    lines = [f"{(today or timezone.localdate()):%Y-%m-%d} 审批时限预警"]
    for row in rows:
        lines.append(f"\n{row['department']}：在办 {row['open']} 件，超期 {len(row['red'])} 件，临期 {len(row['yellow'])} 件")
        lines.extend(f"  [超期] {c['number']} {c['matter']}" for c in row["red"])
        lines.extend(f"  [临期] {c['number']} {c['matter']} 期限 {c['due']}" for c in row["yellow"])
    recipients = list(
        User.objects.filter(role=Role.CENTRAL_SUPERVISOR, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if recipients:
        send_mail("审批时限预警日报", "\n".join(lines), None, recipients)
    return len(recipients)
