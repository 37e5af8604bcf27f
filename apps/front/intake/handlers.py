"""Events from central applied to the front's case mirror, exactly once (the exchange inbox dedupes)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.notifications.services import notify
from apps.shared.exchange import contract, registry
from apps.shared.exchange.contract import MessageKind
from apps.shared.exchange.models import Peer

from . import hooks
from .models import CASE_TRANSITIONS, Case, CaseEvent, CaseStatus, Document, DocumentKind, EvidenceItem, TrustLevel
from .services import case_transition


def _case(peer: Peer, number: str) -> Case:
    case = Case.objects.select_for_update(of=("self",)).select_related("citizen").filter(number=number).first()
    # Only the central the case was handed to speaks about it; to any other, the case does not exist here. (A case
    # handed over before cases kept their central names none: as before, its central is whoever speaks about it.)
    if case is None or (case.central_id is not None and case.central_id != peer.id):
        raise registry.Rejected(_("前台无此办件 %(number)s。") % {"number": number})
    return case


@registry.handles(MessageKind.CASE_REVIEW_STARTED)
def review_started(peer: Peer, message_id: str, payload: contract.CaseReviewStarted, files) -> dict[str, Any]:
    case = _case(peer, payload.number)
    # A late or repeated event for a case that has moved on is acknowledged and changes nothing.
    if CaseStatus.IN_REVIEW in CASE_TRANSITIONS[case.status]:
        case_transition(case=case, to_status=CaseStatus.IN_REVIEW, actor=None, actor_label="审批总后台")
    return {"number": case.number, "status": case.status}


@registry.handles(MessageKind.CASE_DECIDED)
def decided(peer: Peer, message_id: str, payload: contract.CaseDecided, files) -> dict[str, Any]:
    case = _case(peer, payload.number)
    if case.status == CaseStatus.DECIDED:
        return {"number": case.number, "status": case.status}
    if CaseStatus.DECIDED not in CASE_TRANSITIONS[case.status]:
        raise registry.Rejected(_("办件当前状态为%(status)s，不能记录决定。") % {"status": case.get_status_display()})
    case_transition(
        case=case,
        to_status=CaseStatus.DECIDED,
        remedies=payload.remedies,
        actor=None,
        actor_label=payload.approver_label,
        note=payload.reason,
        decision=payload.decision,
        decision_reason=payload.reason,
        decided_at=payload.decided_at,
    )
    notify(recipient=case.citizen, event="case.decided", case=case)
    return {"number": case.number, "status": case.status}


def _apply(case: Case, to_status: str, *, note: str, **fields) -> bool:
    """Move to ``to_status`` if the lifecycle allows it from here; a stale event changes nothing."""
    if case.status == to_status or to_status not in CASE_TRANSITIONS[case.status]:
        if fields:
            Case.objects.filter(id=case.id).update(**fields)
        return False
    case_transition(case=case, to_status=to_status, actor=None, actor_label="审批总后台", note=note, **fields)
    return True


@registry.handles(MessageKind.CASE_CORRECTION_REQUESTED)
def correction_requested(
    peer: Peer, message_id: str, payload: contract.CaseCorrectionRequested, files
) -> dict[str, Any]:
    case = _case(peer, payload.number)
    items = list(payload.items)
    if _apply(
        case,
        CaseStatus.CORRECTION,
        note="；".join(items),
        correction_items=items,
        correction_deadline=payload.deadline,
    ):
        notify(recipient=case.citizen, event="case.correction_requested", case=case)
    return {"number": case.number, "status": case.status}


@registry.handles(MessageKind.CASE_SPECIAL_PROCEDURE)
def special_procedure(peer: Peer, message_id: str, payload: contract.CaseSpecialProcedure, files) -> dict[str, Any]:
    case = _case(peer, payload.number)
    note = f"{payload.kind_label}：{payload.reason}（预计{payload.expected_days}日，期间不计入审批时限）"
    if _apply(case, CaseStatus.SPECIAL_PROCEDURE, note=note, procedure_note=note):
        notify(recipient=case.citizen, event="case.special_procedure", case=case)
    return {"number": case.number, "status": case.status}


@registry.handles(MessageKind.CASE_REVIEW_RESUMED)
def review_resumed(peer: Peer, message_id: str, payload: contract.CaseReviewResumed, files) -> dict[str, Any]:
    case = _case(peer, payload.number)
    _apply(case, CaseStatus.IN_REVIEW, note="恢复审查", **_promised_date_fields(payload))
    return {"number": case.number, "status": case.status}


@registry.handles(MessageKind.CASE_EXTENDED)
def extended(peer: Peer, message_id: str, payload: contract.CaseExtended, files) -> dict[str, Any]:
    case = _case(peer, payload.number)
    note = f"审批时限延长{payload.days}个工作日：{payload.reason}"
    fields: dict[str, Any] = {"procedure_note": note, **_promised_date_fields(payload)}
    Case.objects.filter(id=case.id).update(**fields)
    for name, value in fields.items():
        setattr(case, name, value)
    CaseEvent.objects.create(
        case=case, actor_label="审批总后台", from_status=case.status, to_status=case.status, note=note
    )
    notify(recipient=case.citizen, event="case.extended", case=case)
    return {"number": case.number, "status": case.status}


@registry.handles(MessageKind.CASE_RESULT_ISSUED)
def result_issued(peer: Peer, message_id: str, payload: contract.CaseResultIssued, files) -> dict[str, Any]:
    """The certificate arrives: a document the public page can verify, and A-level evidence in the
    citizen's vault (an e-licence has the effect of paper, 国务院令第716号)."""
    case = _case(peer, payload.number)
    if Document.objects.filter(verification_code=payload.verification_code).exists():
        return {"number": case.number, "status": case.status}
    if len(files) != 1:
        raise registry.Rejected(_("证照报文应附一份证照文件。"))
    [pdf] = files
    # The document keeps the certificate's record as it came over the wire (dates as ISO strings, "" for none).
    wire = payload.to_wire()
    document = Document(
        case=case,
        kind=DocumentKind.CERTIFICATE,
        verification_code=payload.verification_code,
        content={
            "title": payload.title,
            "licence_number": payload.licence_number,
            "issued_on": wire["issued_on"],
            "valid_until": wire["valid_until"],
            "issuer": payload.issuer,
            "matter": case.matter.name,
            "applicant": case.citizen.real_name,
            "number": case.number,
        },
        sha256=pdf.sha256,
    )
    document.file.save(f"certificate-{payload.licence_number}.pdf", ContentFile(pdf.content), save=False)
    document.save()
    EvidenceItem.objects.get_or_create(
        citizen=case.citizen,
        sha256=pdf.sha256,
        defaults={
            "name": payload.title,
            "trust_level": TrustLevel.A,
            "issuer": payload.issuer,
            "file": document.file.name,
            "content_type": "application/pdf",
            "size": len(pdf.content),
            "origin_case": case,
            "valid_until": payload.valid_until,
            # The library of the central that issued it holds it too: re-checked there and revocable like
            # every licence from a library.
            "licence_number": payload.licence_number,
            "licence_checked_at": timezone.now(),
            "licence_peer": peer,
        },
    )
    if _apply(case, CaseStatus.RESULT_READY, note=f"{payload.title}已出具（{payload.licence_number}）"):
        # Handed over the way the citizen chose (pickup, post, electronic), who is told accordingly. The
        # front's choice counts, not central's echo of it in the payload: the citizen may change it here.
        for receiver in hooks.result_ready.receivers():
            receiver(case=case, title=payload.title)
    return {"number": case.number, "status": case.status}


@registry.handles(MessageKind.CASE_WITHDRAWN)
def withdrawn(peer: Peer, message_id: str, payload: contract.CaseWithdrawn, files) -> dict[str, Any]:
    case = _case(peer, payload.number)
    if _apply(case, CaseStatus.WITHDRAWN, note="审批总后台已确认撤回"):
        notify(recipient=case.citizen, event="case.withdrawn", case=case)
    return {"number": case.number, "status": case.status}


@registry.handles(MessageKind.CASE_WITHDRAW_REFUSED)
def withdraw_refused(peer: Peer, message_id: str, payload: contract.CaseWithdrawRefused, files) -> dict[str, Any]:
    case = _case(peer, payload.number)
    if case.withdraw_requested_at is not None:
        Case.objects.filter(id=case.id).update(withdraw_requested_at=None)
        CaseEvent.objects.create(
            case=case,
            actor_label="审批总后台",
            from_status=case.status,
            to_status=case.status,
            note=f"撤回未获同意：{payload.reason}",
        )
    return {"number": case.number, "status": case.status}


def _promised_date_fields(payload: contract.CaseReviewResumed | contract.CaseExtended) -> dict[str, Any]:
    """The new promised date central sent, or None when it sent "" (the limit reaches a year whose holidays
    are not published: the old date is no longer true, and the citizen is told 待定 rather than the old one)."""
    if "promised_date" not in payload.model_fields_set:
        return {}
    return {"promised_date": payload.promised_date}


# --- The ends central reaches on its own (issue 13, central): transfer, void, closure without correction ---
# Each is applied if the lifecycle allows it from here (a stale or repeated event changes nothing, not even the
# note), the reason shown on the case page (procedure_note) and told to the citizen.


def _end(case: Case, to_status: str, *, note: str, event: str) -> None:
    if case.status == to_status:
        if case.procedure_note != note:
            # Sent on again (a second transfer): the citizen is told where it is now.
            Case.objects.filter(id=case.id).update(procedure_note=note)
            case.procedure_note = note
            CaseEvent.objects.create(
                case=case, actor_label="审批总后台", from_status=case.status, to_status=case.status, note=note
            )
            notify(recipient=case.citizen, event=event, case=case)
        return
    if to_status in CASE_TRANSITIONS[case.status]:
        case_transition(
            case=case, to_status=to_status, actor=None, actor_label="审批总后台", note=note, procedure_note=note
        )
        notify(recipient=case.citizen, event=event, case=case)


@registry.handles(MessageKind.CASE_TRANSFERRED)
def transferred(peer: Peer, message_id: str, payload: contract.CaseTransferred, files) -> dict[str, Any]:
    case = _case(peer, payload.number)
    _end(
        case, CaseStatus.TRANSFERRED, note=f"已转至{payload.department}办理：{payload.reason}", event="case.transferred"
    )
    return {"number": case.number, "status": case.status}


@registry.handles(MessageKind.CASE_VOIDED)
def voided(peer: Peer, message_id: str, payload: contract.CaseVoided, files) -> dict[str, Any]:
    case = _case(peer, payload.number)
    _end(case, CaseStatus.VOIDED, note=f"作废理由：{payload.reason}", event="case.voided")
    return {"number": case.number, "status": case.status}


@registry.handles(MessageKind.CASE_CLOSED_NO_CORRECTION)
def closed_no_correction(
    peer: Peer, message_id: str, payload: contract.CaseClosedNoCorrection, files
) -> dict[str, Any]:
    case = _case(peer, payload.number)
    if (
        case.commitment_broken_at is not None
        and case.commitment_met_at is None
        and case.status != CaseStatus.CORRECTION
    ):
        # The end of a suspension for deferred items (容缺) still owed (central's services/suspension.py).
        when = f"中止期限{payload.deadline.isoformat()}已过" if payload.deadline else "中止期限已过"
        _end(
            case,
            CaseStatus.CLOSED_NO_CORRECTION,
            note=f"{when}，容缺材料仍未补齐，办件终止",
            event="case.closed_commitment_unmet",
        )
        return {"number": case.number, "status": case.status}
    when = f"补正期限{payload.deadline.isoformat()}已过" if payload.deadline else "补正期限已过"
    _end(
        case,
        CaseStatus.CLOSED_NO_CORRECTION,
        note=f"{when}，未收到补正材料，办件终止",
        event="case.closed_no_correction",
    )
    return {"number": case.number, "status": case.status}


def _suspension_note(payload: contract.CaseReviewSuspended) -> str:
    """What the case page and its timeline say of a suspension for deferred items (容缺)."""
    until = (
        f"请于{payload.deadline.isoformat()}前补齐，逾期将终止办理"
        if payload.deadline
        else "补齐期限待节假日安排公布后确定"
    )
    return f"容缺材料（{'、'.join(payload.outstanding)}）逾期未补齐，审批中止；{until}"


@registry.handles(MessageKind.CASE_REVIEW_SUSPENDED)
def review_suspended(peer: Peer, message_id: str, payload: contract.CaseReviewSuspended, files) -> dict[str, Any]:
    """Central suspended the review for the deferred items (容缺) owed, until a last day: shown on the case page and
    told to the applicant (again when central fixes a day it could not fix before). The mirror is in review: a case
    suspended as it comes back (taken up after a transfer, at the end of a special procedure) hears only this, so
    it comes back here. The same suspension (items, last day) is told once: a transfer in between changes the
    note shown, not what the applicant must do. Whether it was told is read from the suspension each event
    recorded (``CaseEvent.suspension``, as central sent it), never from the note, whose wording may change."""
    case = _case(peer, payload.number)
    wire = payload.to_wire()
    suspension = {"outstanding": wire["outstanding"], "deadline": wire["deadline"]}
    note = _suspension_note(payload)
    told_before = CaseEvent.objects.filter(case=case, suspension=suspension).exists()
    if case.status != CaseStatus.IN_REVIEW and CaseStatus.IN_REVIEW in CASE_TRANSITIONS[case.status]:
        case_transition(
            case=case,
            to_status=CaseStatus.IN_REVIEW,
            actor=None,
            actor_label="审批总后台",
            note=note,
            event_fields={"suspension": suspension},
            procedure_note=note,
        )
    elif case.procedure_note != note:
        Case.objects.filter(id=case.id).update(procedure_note=note)
        case.procedure_note = note
        CaseEvent.objects.create(
            case=case,
            actor_label="审批总后台",
            from_status=case.status,
            to_status=case.status,
            note=note,
            suspension=suspension,
        )
    else:
        return {"number": case.number, "status": case.status}
    if not told_before:
        notify(recipient=case.citizen, event="case.review_suspended", case=case)
    return {"number": case.number, "status": case.status}


@registry.handles(MessageKind.LICENCE_REVOKED)
def licence_revoked(peer: Peer, message_id: str, payload: contract.LicenceRevoked, files) -> dict[str, Any]:
    """A licence of a central's library was revoked: the vaults holding it stop offering it at once, whichever
    central's library they had it from (a licence's number is its own across libraries), and the certificate's
    verification page says so."""
    ended = EvidenceItem.objects.filter(licence_number=payload.number, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    for document in Document.objects.filter(kind=DocumentKind.CERTIFICATE, verification_code=payload.verification_code):
        document.content = {
            **document.content,
            "revoked_on": payload.to_wire()["revoked_on"],
            "revoke_reason": payload.reason,
        }
        document.save(update_fields=["content"])
    return {"number": payload.number, "ended": ended}
