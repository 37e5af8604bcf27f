"""A session's lifecycle at central: opened by a hall, answered by the first of its department's staff,
ended unanswered, hung up, or concluded with an intake outcome that the front turns into the case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.central.registry.services import registry_verify
from apps.central.review.models import ApproverPost
from apps.shared.accounts.models import User
from apps.shared.catalog.formfields import FormInvalid
from apps.shared.catalog.models import Matter
from apps.shared.catalog.rules import APPLICATION_FORM_KEY
from apps.shared.exchange import contract
from apps.shared.exchange.models import Peer
from apps.shared.exchange.remote import form_answers
from apps.shared.exchange.services import outbox_enqueue
from govservice.api import Conflict, DomainError
from govservice.lib import idcard, lifecycle

from ..conf import remote_conf
from ..models import EventAction, RemoteSession, SessionEvent, SessionOutcome, SessionSignal, SessionStatus, Side
from ..tickets import ticket_issue

# DESIGN.md §10: every question to the registry states its purpose.
REGISTRY_PURPOSE = "远程虚拟窗口身份核验"


def event_record(
    session: RemoteSession,
    action: str,
    *,
    side: str,
    actor: User | None = None,
    actor_label: str = "",
    note: str = "",
    **data,
) -> SessionEvent:
    return SessionEvent.objects.create(
        session=session,
        action=action,
        side=side,
        actor=actor,
        actor_label=(actor_label or (staff_label(actor) if actor else ""))[:100],
        note=note[:500],
        data=data,
    )


def staff_department_id(staff: User) -> int | None:
    post = ApproverPost.objects.filter(user=staff).only("department_id").first()
    return post.department_id if post else None


def staff_label(staff: User) -> str:
    """How the hall and the case's timeline name a staff member: department and name, never the account."""
    post = ApproverPost.objects.select_related("department").filter(user=staff).first()
    department = post.department.name if post else _("审批总后台")
    return f"{department} {staff.real_name or staff.username}"


@transaction.atomic
def session_open(
    *,
    platform: Peer,
    matter_code: str,
    hall_code: str,
    hall_name: str,
    device: str,
    device_label: str,
    ticket_label: str,
    applicant_name: str,
    applicant_id_number: str,
    consent: bool,
    recording_consent: bool = False,
) -> tuple[RemoteSession, str]:
    """A hall asks for a remote session on a matter: it rings in the queue of the matter's department. Returns
    the session and the join ticket for the asking device."""
    if not consent:
        # DOMAIN.md §9: participants consent to any recording; the session is always logged.
        raise DomainError(_("须征得申请人同意记录本次远程服务，方可发起。"), code="consent_required")
    if remote_conf.REMOTE_RECORDING and not recording_consent:
        # The calls are recorded here: the applicant must have agreed to that too (the hall's REMOTE_RECORDING
        # asks for it).
        raise DomainError(_("审批总后台对远程通话录像，须征得申请人同意录像，方可发起。"), code="consent_required")
    matter = Matter.objects.select_related("department").filter(code=matter_code, is_current=True).first()
    if matter is None or not matter.remote_window:
        raise DomainError(_("该事项不提供远程虚拟窗口服务。"), code="matter_not_served")
    id_number = idcard.parse_or_refuse(applicant_id_number).value
    name = applicant_name.strip()
    device, hall_code = device.strip()[:64], hall_code.strip()[:16]
    if not name or not device or not hall_code:
        raise DomainError(_("请求缺少申请人、大厅或设备信息。"), code="invalid")
    if RemoteSession.objects.filter(platform=platform, device=device).exclude(status=SessionStatus.ENDED).exists():
        raise Conflict(_("该设备已有进行中的远程会话。"), code="invalid_state")
    now = timezone.now()
    session = RemoteSession.objects.create(
        platform=platform,
        hall_code=hall_code,
        hall_name=hall_name.strip()[:100],
        device=device,
        device_label=device_label.strip()[:100],
        ticket_label=ticket_label.strip()[:16],
        matter=matter,
        department=matter.department,
        applicant_name=name[:64],
        applicant_id_number=id_number,
        consent_at=now,
        recording_consent=recording_consent,
        requested_at=now,
        ring_deadline=now + dt.timedelta(seconds=remote_conf.REMOTE_RING_SECONDS),
    )
    event_record(
        session,
        EventAction.REQUESTED,
        side=Side.HALL,
        actor_label=session.device_label,
        note=_("%(hall)s %(device)s 发起远程视频服务（申请人已同意记录）")
        % {"hall": session.hall_name, "device": session.device_label},
    )
    return session, ticket_issue(session_id=str(session.id), device=device, platform=platform.code)


def _ended_message(session: RemoteSession, ending: contract.RemoteEnding, note: str) -> None:
    outbox_enqueue(
        peer=session.platform,
        payload=contract.RemoteEnded(
            session=str(session.id), ending=ending, ended_at=session.ended_at or timezone.now(), note=note
        ),
        ordering_key=str(session.id),
    )


def _end(
    session: RemoteSession,
    *,
    outcome: str,
    side: str,
    actor: User | None,
    actor_label: str,
    note: str,
    end_note: str,
    action: str = EventAction.ENDED,
) -> None:
    """The move to ENDED with its event row; the session's signalling mailbox is emptied (nothing reads it
    any more)."""
    lifecycle.move(
        session,
        SessionStatus.ENDED,
        fields={"outcome": outcome, "ended_at": timezone.now(), "end_note": end_note[:300]},
        event={
            "side": side,
            "actor": actor,
            "actor_label": (actor_label or (staff_label(actor) if actor else ""))[:100],
            "note": note,
            "action": action,
        },
        refused=_("远程会话已结束。"),
        stale=_("远程会话状态已被他人更改，请刷新。"),
    )
    SessionSignal.objects.filter(session=session).delete()


def sessions_expire(*, now: dt.datetime | None = None, ids: Sequence[str] | None = None) -> int:
    """End every ringing session past its answer time (or those of ``ids`` that are): the hall is told and a
    consultation ticket is opened there for a call-back (remote.ended, unanswered). Safe to run twice and
    alongside an answer: the move is a conditional UPDATE, and of the two exactly one wins."""
    due = RemoteSession.objects.filter(status=SessionStatus.RINGING, ring_deadline__lte=now or timezone.now())
    if ids is not None:
        due = due.filter(id__in=list(ids))
    ended = 0
    for session_id in due.values_list("id", flat=True):
        with transaction.atomic():
            session = (
                RemoteSession.objects.select_for_update().filter(id=session_id, status=SessionStatus.RINGING).first()
            )
            if session is None:
                continue
            note = _("无人应答，已为申请人登记咨询工单，工作人员将回电联系。")
            _end(
                session,
                outcome=SessionOutcome.UNANSWERED,
                side=Side.SYSTEM,
                actor=None,
                actor_label=_("系统"),
                note=_("%(seconds)s秒内无人应答，会话结束") % {"seconds": remote_conf.REMOTE_RING_SECONDS},
                end_note=note,
            )
            _ended_message(session, contract.RemoteEnding.UNANSWERED, note)
            ended += 1
    return ended


def sessions_end_abandoned(*, now: dt.datetime | None = None) -> int:
    """End every call whose hall has not asked for longer than a join ticket lives: its ticket has expired, so
    it can never come back (a page closed, a kiosk switched off). Both sides are told, the hall's front by
    remote.ended (hung up)."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=remote_conf.REMOTE_JOIN_TICKET_SECONDS)
    due = RemoteSession.objects.filter(status=SessionStatus.ACTIVE).filter(
        Q(hall_seen_at__lt=cutoff) | Q(hall_seen_at__isnull=True, answered_at__lt=cutoff)
    )
    ended = 0
    for session_id in due.values_list("id", flat=True):
        with transaction.atomic():
            session = (
                RemoteSession.objects.select_for_update().filter(id=session_id, status=SessionStatus.ACTIVE).first()
            )
            if session is None:
                continue
            seen = session.hall_seen_at or session.answered_at
            if seen is None or seen >= cutoff:
                continue
            end_note = _("与大厅的连接已中断，会话结束，未作出受理决定。")
            _end(
                session,
                outcome=SessionOutcome.HUNG_UP,
                side=Side.SYSTEM,
                actor=None,
                actor_label=_("系统"),
                note=_("大厅超过%(seconds)s秒未连接，会话结束") % {"seconds": remote_conf.REMOTE_JOIN_TICKET_SECONDS},
                end_note=end_note,
            )
            _ended_message(session, contract.RemoteEnding.HUNG_UP, end_note)
            ended += 1
    return ended


@transaction.atomic
def session_answer(*, staff: User, session_id: str) -> RemoteSession:
    """Take a ringing session of one's own department: one conditional UPDATE, so of staff answering at once
    exactly one wins and the others are refused (409 invalid_state). Another department's session is 404."""
    department_id = staff_department_id(staff)
    if department_id is None:
        raise DomainError(_("您尚未分配审批部门，不能应答远程会话。"), code="no_post")
    if not RemoteSession.objects.filter(id=session_id, department_id=department_id).exists():
        raise DomainError(_("未找到该远程会话。"), code="not_found")
    session = lifecycle.move_pk(
        RemoteSession,
        session_id,
        SessionStatus.ACTIVE,
        sources=[SessionStatus.RINGING],
        where={"department_id": department_id, "ring_deadline__gt": timezone.now()},
        fields={"answered_by": staff, "answered_at": timezone.now(), "answered_label": staff_label(staff)[:100]},
        event={
            "side": Side.CENTRAL,
            "actor": staff,
            "actor_label": staff_label(staff),
            "note": _("%(staff)s 应答") % {"staff": staff_label(staff)},
        },
        refused=_("该远程会话已被他人应答或已结束。"),
        select_related=("matter", "platform", "department"),
    )
    # "Central sees the registry's answer for the ID number": asked once, recorded with its purpose.
    matched = registry_verify(
        peer=session.platform,
        name=session.applicant_name,
        id_number=session.applicant_id_number,
        purpose=REGISTRY_PURPOSE,
        reference=str(session.id),
    )
    RemoteSession.objects.filter(id=session.id).update(registry_match=matched)
    session.registry_match = matched
    event_record(
        session,
        EventAction.REGISTRY,
        side=Side.SYSTEM,
        actor_label=_("人口库"),
        note=_("人口库比对：姓名与身份证号码一致") if matched else _("人口库比对：不一致"),
        matched=matched,
    )
    return session


def session_end(
    *, session: RemoteSession, side: str, actor: User | None = None, actor_label: str = ""
) -> RemoteSession:
    """Hang up before any outcome (either side): a ringing session withdrawn by the hall is cancelled."""
    with transaction.atomic():
        locked = RemoteSession.objects.select_for_update().get(id=session.id)
        if locked.status == SessionStatus.ENDED:
            return locked
        ringing = locked.status == SessionStatus.RINGING
        outcome = SessionOutcome.CANCELLED if ringing else SessionOutcome.HUNG_UP
        who = actor_label or (staff_label(actor) if actor else "")
        note = (
            _("大厅取消了远程服务请求")
            if ringing
            else _("%(side)s结束通话，未作出受理决定") % {"side": Side(side).label}
        )
        end_note = _("远程服务已结束，未作出受理决定。如需办理，请重新发起或到窗口办理。")
        _end(locked, outcome=outcome, side=side, actor=actor, actor_label=who, note=note, end_note=end_note)
        _ended_message(locked, contract.RemoteEnding.CANCELLED if ringing else contract.RemoteEnding.HUNG_UP, end_note)
        return locked


def _history(session: RemoteSession) -> list[contract.RemoteHistoryEntry]:
    """The session log, for the case's timeline: every line but the refused tickets (security noise)."""
    return [
        contract.RemoteHistoryEntry(at=e.at, actor=e.actor_label[:100] or str(Side(e.side).label), note=e.note[:500])
        for e in session.events.exclude(action=EventAction.JOIN_REFUSED).exclude(note="")
    ]


def _required_missing(session: RemoteSession) -> list[str]:
    """The required materials not scanned yet; the application form (申请表) is not one of them when the matter
    has a form of its own: the session's form, checked complete, is made into it at the hall."""
    uploaded = set(session.scans.filter(uploaded_at__isnull=False).values_list("material_key", flat=True))
    if session.matter.form_fields.exists():
        uploaded.add(APPLICATION_FORM_KEY)
    return [m.name for m in session.matter.materials.all() if m.required and m.key not in uploaded]


@transaction.atomic
def session_conclude(
    *,
    staff: User,
    session: RemoteSession,
    outcome: str,
    items: Sequence[str] = (),
    reason: str = "",
    refer_to: str = "",
) -> RemoteSession:
    """远程受理, or the one-time notice, or the refusal, with the same rules as at a window (行政许可法
    Art. 32): the front makes the case with the hall's scans and issues the document there. The session ends
    for both sides."""
    session = RemoteSession.objects.select_for_update().select_related("matter", "platform").get(id=session.id)
    if session.status != SessionStatus.ACTIVE:
        raise Conflict(_("远程会话不在通话中。"), code="invalid_state")
    items = [item.strip() for item in items if item.strip()]
    reason, refer_to = reason.strip(), refer_to.strip()
    label = staff_label(staff)
    if outcome == SessionOutcome.ACCEPTED:
        if session.identity_confirmed_at is None:
            raise DomainError(_("请先远程核验申请人身份。"), code="identity_unconfirmed")
        missing = _required_missing(session)
        if missing:
            # 行政许可法 Art. 32: every missing item is named at once.
            raise DomainError(
                _("以下必要材料尚未扫描上传：%(items)s。") % {"items": "、".join(missing)}, code="materials_missing"
            )
        # The matter's own form, checked as an online application's is at its submission (every required answer,
        # each the kind its field takes): what the case is accepted with is a complete application.
        check, _contact = form_answers(session.matter, session.form, complete=True)
        if check.errors:
            raise FormInvalid(" ".join(check.messages()), code="form_incomplete", errors=check.errors)
        note, action = _("%(staff)s 远程受理") % {"staff": label}, EventAction.ACCEPTED
    elif outcome == SessionOutcome.ONE_TIME_NOTICE:
        if not items:
            raise DomainError(_("请列出需要补正的全部事项。"), code="items_required")
        note, action = (
            _("%(staff)s 一次性告知：%(items)s") % {"staff": label, "items": "；".join(items)},
            EventAction.ONE_TIME_NOTICE,
        )
    elif outcome == SessionOutcome.REFUSED:
        if not reason:
            raise DomainError(_("请填写不予受理的理由。"), code="reason_required")
        note, action = _("%(staff)s 不予受理") % {"staff": label}, EventAction.REFUSED
    else:
        raise DomainError(_("未知的受理结果。"), code="invalid_outcome")
    end_note = {
        SessionOutcome.ACCEPTED: _("已远程受理，受理凭证正在大厅出具。"),
        SessionOutcome.ONE_TIME_NOTICE: _("已出具一次性告知书，请按告知补齐材料。"),
        SessionOutcome.REFUSED: _("不予受理，不予受理通知书正在大厅出具。"),
    }[SessionOutcome(outcome)]
    _end(
        session,
        outcome=outcome,
        side=Side.CENTRAL,
        actor=staff,
        actor_label=label,
        note=note,
        end_note=end_note,
        action=action,
    )
    department = session.department.name if session.department_id else ""
    outbox_enqueue(
        peer=session.platform,
        payload=contract.RemoteConcluded(
            session=str(session.id),
            outcome=contract.RemoteOutcome(outcome),
            staff=contract.RemoteStaff(username=staff.username, name=staff.real_name[:64], department=department[:100]),
            concluded_at=session.ended_at or timezone.now(),
            items=items,
            reason=reason[:500],
            refer_to=refer_to[:200],
            identity_note=(_("远程核验身份：%(reason)s") % {"reason": session.identity_reason})[:300]
            if session.identity_confirmed_at
            else "",
            form={k: str(v) for k, v in session.form.items()},
            history=_history(session),
        ),
        actor=staff.audit_label,
        ordering_key=str(session.id),
    )
    return session


def case_opened(*, session: RemoteSession, number: str, status: str, documents: Sequence[tuple[str, str]]) -> None:
    """The front made the case of a concluded session: central's log links it."""
    if session.case_number == number:
        return
    RemoteSession.objects.filter(id=session.id).update(case_number=number)
    event_record(
        session,
        EventAction.CASE_OPENED,
        side=Side.HALL,
        actor_label=session.hall_name,
        note=_("前台生成办件 %(number)s") % {"number": number},
        status=status,
        documents=[{"kind": kind, "code": code} for kind, code in documents],
    )
