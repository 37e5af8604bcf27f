"""The hall's side of a live remote session: start it (a kiosk for a citizen, or a clerk with the ticket served),
relay what the hall does to central with the join ticket, and follow central's state (its end is outcomes.py's).

No HTTP inside a transaction: each relay is sent first, and what it changes here is written after its answer."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.models import GroupMatter
from apps.front.floor.models import Ticket, TicketStatus
from apps.front.floor.services import ticket_get_for_clerk
from apps.front.intake.services import upload_check
from apps.shared.accounts.models import User
from apps.shared.accounts.selectors import citizen_verified_by_id_number
from apps.shared.catalog.models import Matter
from govservice.api import Conflict, DomainError
from govservice.lib import idcard, lifecycle
from govservice.lib.filetypes import EXTENSIONS

from ..conf import remote_conf
from ..devices import Device
from ..models import HallScan, HallSession, HallSessionEvent, SessionOutcome, SessionStatus
from ..relay import relay


def event_record(
    session: HallSession, note: str, *, actor: User | None = None, actor_label: str = ""
) -> HallSessionEvent:
    return HallSessionEvent.objects.create(
        session=session,
        actor=actor,
        actor_label=(actor_label or (actor.audit_label if actor else ""))[:100],
        note=note[:500],
    )


def remote_matters(*, hall) -> list[Matter]:
    """The matters this hall receives that central serves through the remote window (the catalog's flag)."""
    codes = GroupMatter.objects.filter(group__hall=hall).values_list("matter_code", flat=True)
    return list(
        Matter.objects.filter(code__in=codes, is_current=True, remote_window=True).order_by("department__code", "code")
    )


def _start(
    *,
    device: Device,
    matter: Matter,
    citizen: User,
    consent: bool,
    ticket: Ticket | None = None,
    actor: User | None = None,
) -> tuple[HallSession, dict[str, Any]]:
    if not consent:
        # DOMAIN.md §9: participants consent to any recording; the session is always logged.
        raise DomainError(_("须征得申请人同意记录本次远程服务，方可发起。"), code="consent_required")
    if (
        not matter.remote_window
        or not GroupMatter.objects.filter(group__hall=device.hall, matter_code=matter.code).exists()
    ):
        raise DomainError(_("该事项不提供远程虚拟窗口服务。"), code="matter_not_served")
    if HallSession.objects.filter(device=device.key).exclude(status=SessionStatus.ENDED).exists():
        raise Conflict(_("本设备已有进行中的远程会话，请先结束。"), code="invalid_state")
    answer = relay(
        "open",
        {
            "matter_code": matter.code,
            "hall_code": device.hall.code,
            "hall_name": device.hall.name,
            "device": device.key,
            "device_label": device.label,
            "ticket_label": ticket.label if ticket is not None else "",
            "applicant": {"name": citizen.real_name, "id_number": citizen.id_number or ""},
            "consent": True,
            # The consent box asked for the recording too (this site's REMOTE_RECORDING, central's the same).
            "consent_recording": remote_conf.REMOTE_RECORDING,
        },
    )
    try:
        session_id, join_ticket = str(answer["session"]), str(answer["ticket"])
    except KeyError:
        raise DomainError(_("审批总后台的答复不完整，请重试。"), code="remote_unavailable") from None
    now = timezone.now()
    with transaction.atomic():
        session = HallSession.objects.create(
            id=session_id,
            hall=device.hall,
            matter=matter,
            citizen=citizen,
            clerk=device.clerk,
            terminal=device.terminal,
            ticket=ticket,
            device=device.key,
            device_label=device.label,
            consent_at=now,
            started_at=now,
        )
        event_record(
            session,
            _("发起远程视频服务（%(department)s），申请人已同意记录") % {"department": answer.get("department", "")},
            actor=actor,
            actor_label=device.label,
        )
    page = {
        "ice_servers": answer.get("ice_servers") or [],
        "poll_ms": answer.get("poll_ms") or 800,
        "poll_connected_ms": answer.get("poll_connected_ms") or answer.get("poll_ms") or 800,
        "ice_transport_policy": "relay" if answer.get("ice_transport_policy") == "relay" else "all",
        "recording": answer.get("recording") is True,
    }
    return session, {"ticket": join_ticket, "page": page}


def session_start_at_kiosk(
    *, device: Device, matter_code: str, id_number: str, consent: bool
) -> tuple[HallSession, dict[str, Any]]:
    """A citizen at a kiosk (their ID card read) asks for a matter the catalog marks for remote handling."""
    parsed = idcard.parse_or_refuse(id_number)
    citizen = citizen_verified_by_id_number(parsed.value)
    if citizen is None:
        raise DomainError(_("未找到该身份证对应的实名账户，请先注册，或请工作人员协助。"), code="no_account")
    matter = Matter.objects.filter(code=matter_code, is_current=True).first()
    if matter is None:
        raise DomainError(_("未找到该事项。"), code="unknown_matter")
    return _start(device=device, matter=matter, citizen=citizen, consent=consent)


def session_start_at_window(*, device: Device, ticket_id: int, consent: bool) -> tuple[HallSession, dict[str, Any]]:
    """A clerk serving a ticket brings in the matter's department by video, for the ticket's applicant."""
    assert device.clerk is not None
    ticket = ticket_get_for_clerk(clerk=device.clerk, ticket_id=ticket_id)
    if (
        ticket.window_id is None
        or ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING)
        or ticket.served_by_id != device.clerk.id
    ):
        raise Conflict(_("请先叫号，再为该号码发起远程服务。"), code="invalid_state")
    if ticket.citizen is None:
        raise DomainError(_("现场号未关联实名账户，请先为申请人登记。"), code="no_applicant")
    return _start(
        device=device, matter=ticket.matter, citizen=ticket.citizen, consent=consent, ticket=ticket, actor=device.clerk
    )


def _follow(session: HallSession, state: dict[str, Any]) -> None:
    """Move the hall's record along central's session as a poll reports it (a stale poll changes nothing)."""
    status = state.get("status")
    try:
        if status == SessionStatus.ACTIVE and session.status == SessionStatus.RINGING:
            staff = str(state.get("staff") or "")[:100]
            lifecycle.move(
                session,
                SessionStatus.ACTIVE,
                fields={"answered_at": timezone.now(), "staff_label": staff},
                event={"actor_label": staff, "note": _("%(staff)s 应答") % {"staff": staff}},
            )
        elif status == SessionStatus.ENDED and session.live:
            outcome = str(state.get("outcome") or "")
            session_end_here(
                session,
                outcome=outcome if outcome in SessionOutcome.values else SessionOutcome.HUNG_UP,
                note=str(state.get("end_note") or ""),
            )
    except lifecycle.TransitionRefused:
        session.refresh_from_db()


def session_end_here(session: HallSession, *, outcome: str, note: str) -> None:
    """The session ends here as central says (its outcome, or why it ended without one)."""
    lifecycle.move(
        session,
        SessionStatus.ENDED,
        fields={"outcome": outcome, "ended_at": timezone.now(), "end_note": note[:300]},
        event={
            "actor_label": _("审批总后台"),
            "note": _("会话结束：%(outcome)s") % {"outcome": SessionOutcome(outcome).label},
        },
    )


def _relayed(session: HallSession, join_ticket: str, **fields: Any) -> dict[str, Any]:
    return {"session": str(session.id), "device": session.device, "ticket": join_ticket, **fields}


def session_poll(
    *, session: HallSession, join_ticket: str, after: Any, form_seq: Any, pointer_seq: Any, start: bool = False
) -> dict[str, Any]:
    """Central's state and its signalling messages for the hall, followed here; plus what only the hall holds
    (the case it made and its documents, the call-back ticket)."""
    state: dict[str, Any] = {}
    if session.live:
        state = relay(
            "poll", _relayed(session, join_ticket, after=after, form_seq=form_seq, pointer_seq=pointer_seq, start=start)
        )
        _follow(session, state)
    else:
        state = {
            "status": session.status,
            "outcome": session.outcome,
            "end_note": session.end_note,
            "signals": [],
            "scans": [],
        }
    return {**state, **_hall_outcome(session)}


def _hall_outcome(session: HallSession) -> dict[str, Any]:
    if session.live:
        # Nothing to add while the call goes on (a case or a call-back ticket comes only with the end).
        return {"hall_status": session.status}
    session.refresh_from_db(fields=["case", "consult_ticket", "status", "outcome"])
    found: dict[str, Any] = {"hall_status": session.status}
    if session.case_id is not None:
        case = session.case
        assert case is not None
        found["case"] = {
            "number": case.number,
            "status": case.get_status_display(),
            "documents": [
                {"code": d.verification_code, "kind": d.get_kind_display()}
                for d in case.documents.order_by("issued_at", "id")
            ],
            "password": _password_once(session),
        }
    if session.consult_ticket_id is not None:
        assert session.consult_ticket is not None
        found["callback"] = {"code": session.consult_ticket.code}
    return found


def _password_once(session: HallSession) -> str:
    """The query password, the first time the hall's page asks after the case exists; never again."""
    with transaction.atomic():
        locked = HallSession.objects.select_for_update().only("id", "query_password").get(id=session.id)
        password = locked.query_password or ""
        if password:
            HallSession.objects.filter(id=session.id).update(query_password=None)
    return password


def session_signal(*, session: HallSession, join_ticket: str, kind: Any, body: Any) -> dict[str, Any]:
    return relay("signal", _relayed(session, join_ticket, kind=kind, body=body))


def session_form(*, session: HallSession, join_ticket: str, fields: Any) -> dict[str, Any]:
    answer = relay("form", _relayed(session, join_ticket, fields=fields))
    if isinstance(fields, dict):
        HallSession.objects.filter(id=session.id).update(form={**session.form, **fields})
    return answer


def session_scan(
    *, session: HallSession, join_ticket: str, material_key: str, upload: UploadedFile, uploaded_by: User
) -> HallScan:
    """A scan for a material (document camera or file): checked as every upload, kept at the hall for the
    case, and sent to central, which checks it again and shows it to its staff at once."""
    if not session.live:  # whether it is answered yet is central's to say (this record follows it by polls)
        raise Conflict(_("远程会话已结束。"), code="invalid_state")
    material = session.matter.materials.filter(key=material_key).first()
    if material is None:
        raise DomainError(_("所选材料不属于该事项。"), code="wrong_material")
    content, content_type = upload_check(upload)
    digest = hashlib.sha256(content).hexdigest()
    scan = HallScan(
        session=session,
        material=material,
        original_name=(upload.name or material.name)[:200],
        content_type=content_type,
        size=len(content),
        sha256=digest,
        uploaded_by=uploaded_by,
    )
    scan.file.save(f"{session.id}-{digest[:12]}{EXTENSIONS[content_type]}", ContentFile(content), save=True)
    try:
        relay(
            "scan",
            _relayed(
                session,
                join_ticket,
                material=material.key,
                name=scan.original_name,
                content_b64=base64.b64encode(content).decode(),
            ),
            timeout=remote_conf.REMOTE_SCAN_TIMEOUT,
        )
    except DomainError:
        # Central did not take it: the hall keeps nothing it could later accept without central having seen it.
        scan.file.delete(save=False)
        scan.delete()
        raise
    event_record(session, _("上传扫描件：%(name)s") % {"name": material.name}, actor=uploaded_by)
    return scan


def session_hangup(*, session: HallSession, join_ticket: str, actor: User | None = None) -> None:
    if not session.live:
        return
    answer = relay("hangup", _relayed(session, join_ticket))
    _follow(session, {"status": SessionStatus.ENDED, "outcome": answer.get("outcome"), "end_note": ""})
    event_record(session, _("大厅结束会话"), actor=actor, actor_label=session.device_label)


# --- What central tells over the wire (handlers.py) -------------------------------------------------------


def session_locked(session_id: str) -> HallSession | None:
    """The session, locked for the message being applied; None if unknown here."""
    return (
        HallSession.objects.select_for_update(of=("self",))
        .select_related("matter", "hall", "citizen", "clerk", "ticket")
        .filter(id=session_id)
        .first()
    )
