"""The unit appeals a wrong rating within 3 working days; a supervisor decides (DOMAIN.md §7). An upheld
appeal voids the 差评: it no longer counts in the statistics."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.front.booking.selectors import hall_supervisors
from apps.front.notifications.services import notify
from apps.shared.accounts.models import Role, User
from govservice.api import Conflict, DomainError
from govservice.lib import lifecycle

from ..models import APPEAL_TRANSITIONS, AppealStatus, Rectification, RectificationStatus
from .rectifications import (
    _for_member,
    _is_supervisor_for,
    _locked,
    _move,
    _record,
    _staff_context,
    _text,
    _today,
    is_unit_member,
)


@transaction.atomic
def rectification_appeal(*, actor: User, rectification_id: int, reason: object) -> Rectification:
    """The unit appeals a wrong rating (e.g. not about this service) within 3 working days; a supervisor decides."""
    rectification = _for_member(actor=actor, rectification_id=rectification_id)
    if actor.role == Role.ADMIN:
        raise DomainError(_("申诉须由责任单位提出。"), code="forbidden")
    reason_text = _text(reason, label=_("申诉理由"), code="appeal_reason_required")
    if AppealStatus.PENDING not in APPEAL_TRANSITIONS[rectification.appeal_status]:
        raise Conflict(_("该差评已申诉过，不能重复申诉。"), code="already_appealed")
    if rectification.status == RectificationStatus.VOIDED:
        raise Conflict(_("该差评已不计入。"), code=lifecycle.REFUSED)
    # None: the calendar of the year the limit falls in is unpublished; the limit cannot have passed yet.
    if rectification.appeal_due is not None and _today() > rectification.appeal_due:
        # date_format: "2026年3月5日" in Chinese (govservice/formats), "5 March 2026" in English.
        raise Conflict(
            _("申诉期限（%(date)s）已过。") % {"date": date_format(rectification.appeal_due)}, code="appeal_too_late"
        )
    rectification.appeal_status = AppealStatus.PENDING
    rectification.appeal_reason, rectification.appealed_at, rectification.appealed_by = (
        reason_text,
        timezone.now(),
        actor,
    )
    rectification.save(update_fields=["appeal_status", "appeal_reason", "appealed_at", "appealed_by"])
    _record(rectification, actor=actor, action="appeal", note=reason_text)
    context = _staff_context(rectification)
    for supervisor in hall_supervisors(rectification.hall_id):
        if supervisor.id != actor.id:
            notify(recipient=supervisor, event="rating.appeal_filed", context=context)
    return rectification


@transaction.atomic
def rectification_appeal_decide(*, actor: User, rectification_id: int, upheld: bool, note: object) -> Rectification:
    """A supervisor decides: upheld, the 差评 no longer counts (voided); rejected, it stands."""
    rectification = _locked(rectification_id)
    if not _is_supervisor_for(actor, rectification):
        if is_unit_member(actor, rectification):
            raise DomainError(_("申诉须由主管审核。"), code="forbidden")
        raise DomainError(_("未找到该整改单。"), code="not_found")
    if rectification.appealed_by_id == actor.id:
        raise DomainError(_("不能审核自己提出的申诉。"), code="forbidden")
    note_text = _text(note, label=_("审核意见"), code="note_required")
    target = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    if target not in APPEAL_TRANSITIONS[rectification.appeal_status]:
        raise Conflict(_("该整改单没有待审核的申诉。"), code="no_pending_appeal")
    rectification.appeal_status = target
    rectification.appeal_decision_note, rectification.appeal_decided_at = note_text, timezone.now()
    rectification.appeal_decided_by = actor
    fields = ("appeal_status", "appeal_decision_note", "appeal_decided_at", "appeal_decided_by")
    if upheld:
        _move(
            rectification,
            to_status=RectificationStatus.VOIDED,
            actor=actor,
            action="appeal_upheld",
            note=note_text,
            fields=fields,
        )
    else:
        rectification.save(update_fields=list(fields))
        _record(rectification, actor=actor, action="appeal_rejected", note=note_text)
    context = _staff_context(rectification) | {"decision": str(AppealStatus(target).label)}
    for user in {u.id: u for u in [rectification.appealed_by, rectification.assignee] if u is not None}.values():
        notify(recipient=user, event="rating.appeal_decided", context=context)
    return rectification
