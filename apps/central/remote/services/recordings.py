"""Recordings of the calls' media (REMOTE_RECORDING): the staff member's browser records each connection of a call
(MediaRecorder, WebM) in parts below REMOTE_RECORDING_MAX_BYTES and uploads each when it ends; stored through
Django's storage with the session's record and deleted with it (privacy.py). Off (the default), nothing is stored
and an upload is refused."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from apps.shared.accounts.models import User
from govservice.api import DomainError

from ..conf import remote_conf
from ..models import EventAction, RemoteSession, SessionRecording, SessionStatus, Side
from .sessions import event_record

# A WebM file opens with an EBML header (1A 45 DF A3) whose DocType is "webm", within its first bytes.
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
# Parts of one session (each connection of a call is one or more: a reload or a renegotiation starts another, and
# the page starts another when one nears REMOTE_RECORDING_MAX_BYTES).
MAX_PARTS = 50


def _check_webm(upload: UploadedFile) -> None:
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if not head.startswith(EBML_MAGIC) or b"webm" not in head:
        raise DomainError(_("录像文件不是 WebM 格式。"), code="not_a_recording")


def _state_check(session: RemoteSession) -> None:
    if not session.recording_consent:
        raise DomainError(_("申请人未同意录像，本次通话不保存音视频。"), code="recording_off")
    if session.answered_at is None or session.status == SessionStatus.RINGING:
        raise DomainError(_("远程会话尚未应答。"), code="invalid_state")


def recording_receive(*, staff: User, session: RemoteSession, upload: UploadedFile | None) -> SessionRecording:
    """A recording of the call, from the browser of the staff member who answered it (while the session is live or
    after it ended: the last part arrives when the call ends). The file is checked and stored before the session
    is locked (a part may be large: a hangup or a conclusion does not wait for its write), then named in the
    session's record under the lock; a refusal then deletes what was stored."""
    if not remote_conf.REMOTE_RECORDING:
        raise DomainError(_("本平台未开启通话录像，不保存音视频。"), code="recording_off")
    _state_check(session)
    if upload is None or not upload.size:
        raise DomainError(_("请上传录像文件。"), code="invalid")
    limit = remote_conf.REMOTE_RECORDING_MAX_BYTES
    if upload.size > limit:
        raise DomainError(
            _("录像文件过大（上限 %(mb)s MB）。") % {"mb": limit // (1024 * 1024) or 1}, code="file_too_large"
        )
    _check_webm(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    recording = SessionRecording(size=upload.size, sha256=digest.hexdigest(), uploaded_by=staff)
    recording.file.save(f"{session.id}-{recording.sha256[:12]}.webm", upload, save=False)
    try:
        with transaction.atomic():
            locked = RemoteSession.objects.select_for_update().get(id=session.id)
            _state_check(locked)
            if locked.recordings.count() >= MAX_PARTS:
                raise DomainError(_("本次会话的录像已达上限。"), code="invalid_state")
            recording.session = locked
            recording.save()
            event_record(
                locked,
                EventAction.RECORDED,
                side=Side.CENTRAL,
                actor=staff,
                note=_("保存通话录像（%(kb)s KB）") % {"kb": max(1, upload.size // 1024)},
                sha256=recording.sha256,
                recording=recording.id,
            )
    except BaseException:
        recording.file.delete(save=False)
        raise
    return recording
