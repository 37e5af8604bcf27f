"""The review itself (DOMAIN.md §5): steps (环节), corrections with the clock paused, special procedures,
the decision and the result. Every change writes a ReviewEvent and, where the citizen should know, an
outbox message to the front platform in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.central.licences.services import licence_record_issued, office_key_ensure, pdf_seal
from apps.shared.accounts.models import User
from apps.shared.exchange.services import outbox_enqueue
from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib.codes import human_code
from govservice.lib.errors import Conflict, DomainError
from govservice.lib.lifecycle import allows
from govservice.lib.pdf import qr_data_uri, render_pdf

from ..models import DECISION_STEP, REVIEW_STEPS, Certificate, Decision, ReviewCase, ReviewStatus, SpecialProcedure
from ..selectors import case_get_for_approver, clock_of
from .clock import extension_lapse
from .moves import REVIEWERS, _clock_fields, _locked, _mine, _move, _note, _tell_front
from .suspension import case_back_in_review
from .wire import _correction_payload, _decided_payload, _delivery_label, _result_payload, _special_payload


@transaction.atomic
def case_step(*, approver: User, case_id: int, forward: bool, note: str = "") -> ReviewCase:
    """Pass a case to the next step (环节), or return it to the previous one with a reason. Steps go one
    at a time, in order: the decision is taken at the last (DECISION_STEP)."""
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
        case,
        to_status=ReviewStatus.CORRECTION,
        actor=approver,
        note="；".join(items),
        correction_items=items,
        correction_deadline=deadline,
        **_clock_fields(clock),
    )
    _tell_front(case, _correction_payload(case), approver)
    return case


@transaction.atomic
def case_start_special_procedure(
    *, approver: User, case_id: int, kind: str, reason: str, expected_days: int
) -> ReviewCase:
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
        case,
        to_status=ReviewStatus.SPECIAL_PROCEDURE,
        actor=approver,
        note=reason,
        special_kind=kind,
        special_reason=reason.strip(),
        special_expected_days=expected_days,
        **_clock_fields(clock),
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
    case_back_in_review(case, actor=approver)
    return case


@transaction.atomic
def case_decide(*, approver: User, case_id: int, decision: str, reason: str) -> ReviewCase:
    """Decide a case held by the decider whose review steps have been passed in order; the decision leaves
    for the front through the outbox in the same transaction."""
    if approver.role not in REVIEWERS:
        raise DomainError(_("只有审批人员可以办理。"), code="forbidden")
    if decision not in Decision.values:
        raise DomainError(_("审批结论无效。"), code="unknown_decision")
    reason = reason.strip()
    if decision != Decision.APPROVED and not reason:
        # A denial must say why, and carry the remedies (行政许可法 Art. 38).
        raise DomainError(_("不予许可或部分准予须说明理由。"), code="reason_required")
    case = _locked(user=approver, case_id=case_id)
    _mine(case, approver)
    if allows(case, ReviewStatus.DECIDED) and not case.steps_done:
        raise Conflict(
            _("须依次通过%(steps)s环节后才能作出决定，本件当前在“%(step)s”环节。")
            % {"steps": "、".join(str(s) for s in REVIEW_STEPS[:DECISION_STEP]), "step": REVIEW_STEPS[case.step]},
            code="steps_incomplete",
        )
    if allows(case, ReviewStatus.DECIDED) and case.commitment_owed:
        # A special procedure may end in a decision; not while the applicant still owes deferred items past
        # their deadline (the case is suspended when it comes back to review).
        raise Conflict(_("申请人承诺补交的容缺材料逾期未补齐，不能作出决定。"), code="commitment_owed")
    extension_lapse(case, why="办件已作出决定")
    now = timezone.now()
    clock = clock_of(case).pause(timezone.localdate(), calendar_get())
    _move(
        case,
        to_status=ReviewStatus.DECIDED,
        actor=approver,
        note=reason,
        decision=decision,
        decision_reason=reason,
        decided_at=now,
        decided_by=approver,
        **_clock_fields(clock),
    )
    _tell_front(case, _decided_payload(case), approver)
    return case


def case_issue_result(*, approver: User, case_id: int, valid_years: int | None = None) -> Certificate:
    """Issue the certificate of an approved case: a PDF with a verification code and QR (verified on the
    front platform's public page), sent with its e-licence record to the front, where it reaches the
    citizen and their vault. The PDF is rendered before the transaction: no slow work while holding locks."""
    case = case_get_for_approver(user=approver, case_id=case_id)
    _mine(case, approver)
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
            "title": title,
            "case": case,
            "licence_number": licence_number,
            "issued_on": today,
            "valid_until": valid_until,
            "code": code,
            "verify_url": verify_url,
            "qr": qr_data_uri(verify_url),
        },
    )
    # Sealed with the department's key (PAdES): any PDF reader checks it offline.
    office = office_key_ensure(office=case.department.code, name=case.department.name)
    pdf = pdf_seal(pdf, office=office)
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        case = _locked(user=approver, case_id=case_id)
        _mine(case, approver)
        certificate = Certificate(
            case=case,
            licence_number=licence_number,
            verification_code=code,
            title=title,
            holder=case.applicant_name,
            issued_on=today,
            valid_until=valid_until,
            sha256=digest,
            issued_by=approver,
        )
        certificate.file.save(f"{licence_number}.pdf", ContentFile(pdf), save=False)
        certificate.save()
        # The library keeps it for every platform to ask for (电子证照库), apart from the case file.
        licence_record_issued(
            number=licence_number,
            verification_code=code,
            title=title,
            holder_name=case.applicant_name,
            holder_id_number=case.applicant_id_number,
            office=office,
            issued_on=today,
            valid_until=valid_until,
            platform=case.platform,
            case_number=case.front_number,
            pdf=pdf,
        )
        ReviewCase.objects.filter(id=case.id).update(result_issued_at=timezone.now())
        # Sent for the way the applicant chose at the front (case.submitted / case.delivery_chosen).
        _note(
            case,
            actor=approver,
            note=f"出具{title}（{licence_number}），按申请人选择{_delivery_label(case.delivery_method, case.delivery_region)}",
        )
        payload, files = _result_payload(certificate)
        outbox_enqueue(peer=case.platform, payload=payload, files=files, actor=approver.audit_label)
    return certificate
