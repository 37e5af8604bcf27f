"""What passes while a session is live: the signalling mailbox, the shared form, central's pointer, scans,
the remote identity check, and the state each side polls. The hall reaches all of it only through its front,
which relays each request with the join ticket (``hall_session`` checks it)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.shared.accounts.models import User
from apps.shared.exchange.models import Peer
from apps.shared.exchange.remote import form_label, form_names
from govservice.api import Conflict, DomainError
from govservice.lib.filetypes import EXTENSIONS, content_check

from ..conf import remote_conf
from ..models import EventAction, RemoteSession, SessionScan, SessionSignal, SessionStatus, Side
from ..tickets import JoinRefused, ticket_check, ticket_issue
from .sessions import event_record, sessions_expire, staff_label

# What each side may put in the other's mailbox. The hall offers (it owns the data channel) and says hello when
# its page (re)loads (and, marked "again", when its connection is slow to come); central says ready when its page
# (re)loads or its connection failed, and answers.
KINDS = {
    Side.HALL: frozenset({"hello", "offer", "candidate", "bye"}),
    Side.CENTRAL: frozenset({"ready", "answer", "candidate", "bye"}),
}
SIGNALS_PER_POLL = 100
# A side's "last seen" is written at most this often: a poll every second must not write every second.
SEEN_EVERY = dt.timedelta(seconds=5)


def _not_found() -> DomainError:
    return DomainError(_("未找到该远程会话。"), code="not_found")


def _session_id(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise _not_found() from None


def hall_session(*, platform: Peer, session_id: Any, device: str, ticket: str) -> tuple[RemoteSession, str | None]:
    """The session a relayed request is about, if the join ticket opens it for this device of this platform;
    and a fresh ticket when the one presented is half used (None otherwise). A refusal is logged."""
    sid = _session_id(session_id)
    # Nothing joined: a poll needs the session's own row only (what an action needs more is read when it is).
    session = RemoteSession.objects.filter(id=sid, platform=platform).first()
    if session is None:
        raise _not_found()
    try:
        checked = ticket_check(ticket, session_id=sid, device=device, platform=platform.code)
        if session.device != device:
            raise JoinRefused(_("该凭证不属于此设备。"), code="join_refused")
    except JoinRefused as exc:
        event_record(session, EventAction.JOIN_REFUSED, side=Side.HALL, actor_label=device[:100], reason=exc.detail)
        raise
    renewed = (
        ticket_issue(session_id=sid, device=device, platform=platform.code)
        if checked.wants_renewal and session.live
        else None
    )
    return session, renewed


def staff_session(*, staff: User, session_id: Any, lock: bool = False) -> RemoteSession:
    """A session the staff member answered (404 for anyone else's: another department's or a colleague's)."""
    queryset = RemoteSession.objects.all()
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    session = queryset.filter(id=_session_id(session_id), answered_by=staff).first()
    if session is None:
        raise _not_found()
    return session


def _live(session: RemoteSession) -> None:
    if not session.live:
        raise Conflict(_("远程会话已结束。"), code="invalid_state")


def _active(session: RemoteSession) -> None:
    if session.status != SessionStatus.ACTIVE:
        raise Conflict(_("远程会话不在通话中。"), code="invalid_state")


def _seen(session: RemoteSession, side: str) -> None:
    field = "hall_seen_at" if side == Side.HALL else "central_seen_at"
    now = timezone.now()
    last = getattr(session, field)
    if last is None or now - last > SEEN_EVERY:
        RemoteSession.objects.filter(id=session.id).update(**{field: now})
        setattr(session, field, now)


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def poll(
    session: RemoteSession, *, side: str, after: Any = 0, form_seq: Any = -1, pointer_seq: Any = -1, start: bool = False
) -> dict[str, Any]:
    """The state both sides agree on, and the other side's signalling messages after ``after``; ``start`` (a page
    that just loaded) gives none, only the mailbox's end as the cursor: its old messages were for a page that is
    gone. The form and the pointer are sent only when the poller's sequence number is not the latest. Nothing
    here is central's own: the internal note and the registry's answer are added by central's page."""
    if session.status == SessionStatus.RINGING and session.ring_deadline <= timezone.now():
        sessions_expire(ids=[str(session.id)])
        session.refresh_from_db()
    _seen(session, side)
    after = max(0, _int(after))
    other = Side.CENTRAL if side == Side.HALL else Side.HALL
    signals: list[dict[str, Any]] = []
    if start:
        last = (
            SessionSignal.objects.filter(session=session, sender=other)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        after = last or 0
    elif session.live:
        signals = [
            {"id": row["id"], "kind": row["kind"], "body": row["body"]}
            for row in SessionSignal.objects.filter(session=session, sender=other, id__gt=after)
            .order_by("id")
            .values("id", "kind", "body")[:SIGNALS_PER_POLL]
        ]
    state: dict[str, Any] = {
        "session": str(session.id),
        "status": session.status,
        "outcome": session.outcome,
        "end_note": session.end_note,
        "ring_left": max(0, int((session.ring_deadline - timezone.now()).total_seconds()))
        if session.status == SessionStatus.RINGING
        else 0,
        "staff": session.answered_label,
        "identity_confirmed": session.identity_confirmed_at is not None,
        "signals": signals,
        "cursor": signals[-1]["id"] if signals else after,
        "form_seq": session.form_seq,
        "pointer_seq": session.pointer_seq,
        "scans": [
            {
                "id": s.id,
                "material": s.material_key,
                "name": s.name,
                "requested": s.requested_at is not None,
                "uploaded": s.uploaded,
            }
            for s in session.scans.all()
        ],
    }
    if _int(form_seq, -1) != session.form_seq:
        state["form"] = session.form
    if _int(pointer_seq, -1) != session.pointer_seq:
        state["pointer"] = session.pointer
    return state


def signal_send(*, session: RemoteSession, sender: str, kind: Any, body: Any) -> int:
    """Put one signalling message in the other side's mailbox; returns its id."""
    if kind not in KINDS[Side(sender)] or not isinstance(body, dict):
        raise DomainError(_("信令消息格式错误。"), code="invalid")
    if len(json.dumps(body, ensure_ascii=False).encode()) > remote_conf.REMOTE_SIGNAL_MAX_BYTES:
        raise DomainError(_("信令消息过大。"), code="invalid")
    _live(session)
    signal = SessionSignal.objects.create(session=session, sender=sender, kind=kind, body=body)
    if sender == Side.HALL and session.status == SessionStatus.ACTIVE:
        # The hall's page reloaded (hello) or its connection dropped and it renegotiates (a restart offer): the
        # session survives both; the log says so, once each. Not logged: the hall's watchdog asking again while
        # a connection is being made (a hello marked "again", every ten seconds), and a restart offer that only
        # retries one that never got through (marked "retry"): the log and the case's timeline the citizen
        # reads would fill with them.
        if kind == "hello" and not body.get("again"):
            event_record(
                session,
                EventAction.RECONNECTED,
                side=Side.HALL,
                actor_label=session.device_label,
                note=_("大厅页面重新加入会话"),
            )
        elif kind == "offer" and body.get("restart") and not body.get("retry"):
            event_record(
                session,
                EventAction.RECONNECTED,
                side=Side.HALL,
                actor_label=session.device_label,
                note=_("连接中断后重新协商"),
            )
    return signal.id


@transaction.atomic
def form_update(*, session: RemoteSession, fields: Any) -> int:
    """Merge typed fields of the shared form (either side): the fields of the session's matter and the contact
    part (remote.form_names); returns the form's new sequence number. Each keystroke also crosses the data
    channel; this is the copy a reloaded page and the outcome read. What is typed is kept as typed: the
    catalog's checks come at the outcome (a half-typed answer is not yet an answer)."""
    if not isinstance(fields, dict) or not fields:
        raise DomainError(_("申请表内容格式错误。"), code="invalid")
    names = form_names(session.matter)
    for name, value in fields.items():
        if name not in names or not isinstance(value, str):
            raise DomainError(_("申请表内容格式错误。"), code="invalid")
        if len(value) > names[name]:
            raise DomainError(
                _("“%(field)s”内容过长。") % {"field": form_label(session.matter, name) or name}, code="invalid"
            )
    locked = RemoteSession.objects.select_for_update().only("id", "status", "form", "form_seq").get(id=session.id)
    _live(locked)
    locked.form = {**locked.form, **fields}
    locked.form_seq = F("form_seq") + 1
    locked.save(update_fields=["form", "form_seq"])
    locked.refresh_from_db(fields=["form_seq"])
    session.form, session.form_seq = locked.form, locked.form_seq
    return locked.form_seq


def _material_name(session: RemoteSession, key: str) -> str:
    for material in session.matter.materials.all():
        if material.key == key:
            return material.name
    raise DomainError(_("所选材料不属于该事项。"), code="wrong_material")


@transaction.atomic
def pointer_set(*, staff: User, session: RemoteSession, target: Any, note: Any = "") -> int:
    """Central points the hall at a form field or a material ("please fill in / please show this")."""
    _active(session)
    target, note = str(target or ""), str(note or "").strip()[:100]
    kind, _sep, name = target.partition(":")
    field_label = form_label(session.matter, name) if kind == "field" else None
    if field_label is not None:
        label = field_label
        line = _("提示填写：%(label)s") % {"label": label}
    elif kind == "material":
        label = _material_name(session, name)
        line = _("提示提供材料：%(label)s") % {"label": label}
    else:
        raise DomainError(_("请选择要提示的栏目或材料。"), code="invalid")
    RemoteSession.objects.filter(id=session.id).update(
        pointer={"target": target, "label": label, "note": note}, pointer_seq=F("pointer_seq") + 1
    )
    session.refresh_from_db(fields=["pointer", "pointer_seq"])
    event_record(session, EventAction.POINTED, side=Side.CENTRAL, actor=staff, note=line)
    return session.pointer_seq


@transaction.atomic
def scan_request(*, staff: User, session: RemoteSession, material_key: Any) -> SessionScan:
    """Ask the hall to scan a material (document camera or file); an open request for it is reused."""
    _active(session)
    key = str(material_key or "")
    name = _material_name(session, key)
    scan = SessionScan.objects.filter(session=session, material_key=key, uploaded_at__isnull=True).first()
    if scan is None:
        scan = SessionScan.objects.create(
            session=session, material_key=key, name=name, requested_by=staff, requested_at=timezone.now()
        )
        event_record(
            session,
            EventAction.SCAN_REQUESTED,
            side=Side.CENTRAL,
            actor=staff,
            note=_("请求扫描：%(name)s") % {"name": name},
        )
    return scan


@transaction.atomic
def scan_receive(*, session: RemoteSession, material_key: Any, original_name: Any, content: bytes) -> SessionScan:
    """A scan the hall uploaded (its front checked it as every upload): checked again here, stored, and the
    open request for that material fulfilled."""
    _active(session)
    key = str(material_key or "")
    name = _material_name(session, key)
    content_type = content_check(content, str(original_name or "") or name)
    scan = (
        SessionScan.objects.select_for_update()
        .filter(session=session, material_key=key, uploaded_at__isnull=True)
        .first()
    )
    if scan is None:
        scan = SessionScan(session=session, material_key=key, name=name)
    digest = hashlib.sha256(content).hexdigest()
    scan.original_name = str(original_name or name)[:200]
    scan.content_type, scan.size, scan.sha256, scan.uploaded_at = content_type, len(content), digest, timezone.now()
    scan.file.save(f"{session.id}-{digest[:12]}{EXTENSIONS[content_type]}", ContentFile(content), save=False)
    scan.save()
    event_record(
        session,
        EventAction.SCAN_UPLOADED,
        side=Side.HALL,
        actor_label=session.device_label,
        note=_("收到扫描件：%(name)s") % {"name": name},
        sha256=digest,
    )
    return scan


@transaction.atomic
def identity_confirm(*, staff: User, session: RemoteSession, reason: Any) -> RemoteSession:
    """ "Identity confirmed remotely", with its reason (the registry's answer and the live video)."""
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError(_("请填写远程核验身份的依据。"), code="reason_required")
    locked = RemoteSession.objects.select_for_update().get(id=session.id)
    _active(locked)
    now = timezone.now()
    RemoteSession.objects.filter(id=session.id).update(identity_confirmed_at=now, identity_reason=reason[:300])
    session.identity_confirmed_at, session.identity_reason = now, reason[:300]
    event_record(
        session,
        EventAction.IDENTITY,
        side=Side.CENTRAL,
        actor=staff,
        note=_("%(staff)s 远程核验申请人身份") % {"staff": staff_label(staff)},
        reason=reason[:300],
    )
    return session


def note_save(*, session: RemoteSession, text: Any) -> None:
    """Central's internal note: kept with the session, never relayed to the hall."""
    RemoteSession.objects.filter(id=session.id).update(internal_note=str(text or "")[:4000])
    session.internal_note = str(text or "")[:4000]
