"""Central's pages of the remote window: the department's ringing queue (the desk), the session page where the
staff member talks to the hall and works on the application, the supervisors' view and the session log.

The session page talks to this site only: short JSON requests (poll, signal, form, actions), and the browser's
own WebRTC connection to the hall for media, chat and typing (static/js/remote_*.js)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.shared.accounts.models import Role
from apps.shared.exchange.remote import form_rows
from govservice.api import DomainError, error_json, status_for
from govservice.lib.filetypes import EXTENSIONS, FILE_VIEWER_CSP, UNKNOWN_TYPE, is_viewable, sniff
from govservice.lib.masking import mask_id_staff, mask_name
from govservice.parsers import json_object
from govservice.roles import role_required

from . import services
from .api import page_settings
from .conf import remote_conf
from .forms import ConcludeForm, IdentityForm, NoteForm, PointForm, ScanRequestForm, first_error
from .models import RemoteSession, SessionRecording, SessionScan, Side
from .selectors import SUPERVISORS, active_for_staff, queue_for_staff, queue_rows, session_for_log, supervisor_overview

STAFF = (Role.APPROVER, Role.CENTRAL_SUPERVISOR, Role.ADMIN)


@role_required(*STAFF)
def desk(request, status: int = 200, error: str = ""):
    """The department's ringing queue (the page polls it) and one's own live sessions."""
    services.sessions_expire()
    return render(
        request,
        "remote/desk.html",
        {
            "queue": queue_rows(queue_for_staff(staff=request.user)),
            "active": active_for_staff(staff=request.user),
            "has_post": services.staff_department_id(request.user) is not None,
            "supervisor": request.user.role in SUPERVISORS,
            "error": error,
        },
        status=status,
    )


@never_cache
@role_required(*STAFF)
@require_GET
def desk_queue(request):
    services.sessions_expire()
    return JsonResponse(
        {"queue": queue_rows(queue_for_staff(staff=request.user))}, json_dumps_params={"ensure_ascii": False}
    )


@role_required(*STAFF)
@require_POST
def answer(request, session_id):
    try:
        session = services.session_answer(staff=request.user, session_id=str(session_id))
    except DomainError as exc:
        return desk(request, status=status_for(exc), error=exc.detail)
    return redirect("remote_session", session_id=session.id)


def _staff_session(request, session_id, *, lock: bool = False) -> RemoteSession:
    return services.staff_session(staff=request.user, session_id=str(session_id), lock=lock)


@never_cache
@role_required(*STAFF)
def session_page(request, session_id):
    try:
        session = _staff_session(request, session_id)
    except DomainError:
        raise Http404 from None
    materials = list(session.matter.materials.all())
    urls = {
        name: reverse(f"remote_session_{name}", args=[session.id])
        for name in ("poll", "signal", "form", "point", "scan_request", "identity", "note", "conclude", "hangup")
    }
    urls["recording"] = reverse("remote_session_recording", args=[session.id])
    return render(
        request,
        "remote/session.html",
        {
            "session": session,
            "applicant_name": mask_name(session.applicant_name),
            "applicant_id": mask_id_staff(session.applicant_id_number),
            "materials": materials,
            "form_fields": [
                (row, str(session.form.get(row.name, ""))) for row in form_rows(session.matter, session.form)
            ],
            "page": {
                **page_settings(),
                "role": "central",
                "urls": urls,
                "form_seq": session.form_seq,
                # Recorded only with the applicant's consent to it (a session opened before recording was on: not).
                "recording": remote_conf.REMOTE_RECORDING and session.recording_consent,
                # The page cuts its recording into parts below the size a part may have (recordings.py refuses more).
                "recording_max_bytes": remote_conf.REMOTE_RECORDING_MAX_BYTES,
            },
            "outcome_form": ConcludeForm(),
        },
    )


@never_cache
@role_required(*STAFF)
@require_GET
def session_poll(request, session_id):
    try:
        session = _staff_session(request, session_id)
    except DomainError as exc:
        return error_json(exc)
    state = services.poll(
        session,
        side=Side.CENTRAL,
        after=request.GET.get("after"),
        form_seq=request.GET.get("form_seq"),
        pointer_seq=request.GET.get("pointer_seq"),
        start=request.GET.get("start") == "1",
    )
    # Central's own: the registry's answer and a link to each uploaded scan (never relayed to the hall).
    state["registry_match"] = session.registry_match
    for scan in state["scans"]:
        if scan["uploaded"]:
            scan["url"] = reverse("remote_scan", args=[session.id, scan["id"]])
    return JsonResponse(state, json_dumps_params={"ensure_ascii": False})


@role_required(*STAFF)
@require_POST
def session_signal(request, session_id):
    try:
        session = _staff_session(request, session_id)
        data = json_object(request.body)
        signal_id = services.signal_send(
            session=session, sender=Side.CENTRAL, kind=data.get("kind"), body=data.get("body")
        )
    except DomainError as exc:
        return error_json(exc)
    return JsonResponse({"id": signal_id})


@role_required(*STAFF)
@require_POST
def session_form(request, session_id):
    try:
        session = _staff_session(request, session_id)
        seq = services.form_update(session=session, fields=json_object(request.body).get("fields"))
    except DomainError as exc:
        return error_json(exc)
    return JsonResponse({"form_seq": seq})


def _valid(form_class: type[forms.Form], data: dict[str, Any]) -> dict[str, Any]:
    form = form_class(data)
    if not form.is_valid():
        raise DomainError(first_error(form), code="invalid")
    return form.cleaned_data


def _point(request, session: RemoteSession, data: dict[str, Any]) -> dict[str, Any]:
    cleaned = _valid(PointForm, data)
    return {
        "pointer_seq": services.pointer_set(
            staff=request.user, session=session, target=cleaned["target"], note=cleaned["note"]
        )
    }


def _scan_request(request, session: RemoteSession, data: dict[str, Any]) -> dict[str, Any]:
    scan = services.scan_request(
        staff=request.user, session=session, material_key=_valid(ScanRequestForm, data)["material"]
    )
    return {"scan": scan.id}


def _identity(request, session: RemoteSession, data: dict[str, Any]) -> dict[str, Any]:
    services.identity_confirm(staff=request.user, session=session, reason=_valid(IdentityForm, data)["reason"])
    return {"identity_confirmed": True}


def _note(request, session: RemoteSession, data: dict[str, Any]) -> dict[str, Any]:
    services.note_save(session=session, text=_valid(NoteForm, data)["text"])
    return {"saved": True}


def _conclude(request, session: RemoteSession, data: dict[str, Any]) -> dict[str, Any]:
    cleaned = _valid(ConcludeForm, data)
    session = services.session_conclude(
        staff=request.user,
        session=session,
        outcome=cleaned["outcome"],
        items=cleaned["items"],
        reason=cleaned["reason"],
        refer_to=cleaned["refer_to"],
    )
    return {"status": session.status, "outcome": session.outcome}


def _hangup(request, session: RemoteSession, data: dict[str, Any]) -> dict[str, Any]:
    session = services.session_end(session=session, side=Side.CENTRAL, actor=request.user)
    return {"status": session.status, "outcome": session.outcome}


ACTIONS = {
    "point": _point,
    "scan_request": _scan_request,
    "identity": _identity,
    "note": _note,
    "conclude": _conclude,
    "hangup": _hangup,
}


@role_required(*STAFF)
@require_POST
def session_action(request, session_id, action: str):
    handler = ACTIONS.get(action.replace("-", "_"))
    if handler is None:
        raise Http404
    try:
        session = _staff_session(request, session_id)
        return JsonResponse(
            handler(request, session, json_object(request.body)), json_dumps_params={"ensure_ascii": False}
        )
    except DomainError as exc:
        return error_json(exc)


@role_required(*STAFF)
@require_POST
def session_recording(request, session_id):
    """A recording of the call from this page's browser (REMOTE_RECORDING; refused when it is off)."""
    try:
        session = _staff_session(request, session_id)
        recording = services.recording_receive(staff=request.user, session=session, upload=request.FILES.get("file"))
    except DomainError as exc:
        return error_json(exc)
    return JsonResponse({"recording": recording.id, "size": recording.size, "sha256": recording.sha256})


@role_required(*STAFF)
@require_GET
def recording_file(request, session_id, recording_id: int):
    """A recording, for the staff member who answered the session, or a supervisor (404 for anyone else)."""
    session = session_for_log(user=request.user, session_id=str(session_id))
    recording = SessionRecording.objects.filter(session=session, id=recording_id).first() if session else None
    if session is None or recording is None:
        raise Http404
    response = FileResponse(recording.file.open("rb"), content_type="video/webm")
    response["Content-Disposition"] = f'attachment; filename="remote-{session.id}-{recording.id}.webm"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(*STAFF)
@require_GET
def scan_file(request, session_id, scan_id: int):
    """A scan, for the staff member who answered the session, or a supervisor (404 for anyone else)."""
    session = session_for_log(user=request.user, session_id=str(session_id))
    scan = (
        SessionScan.objects.filter(session=session, id=scan_id, uploaded_at__isnull=False).first() if session else None
    )
    if scan is None:
        raise Http404
    with scan.file.open("rb") as handle:
        head = handle.read(16)
    content_type = sniff(head) or UNKNOWN_TYPE
    response = FileResponse(scan.file.open("rb"), content_type=content_type)
    disposition = "inline" if is_viewable(content_type) else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="scan-{scan.id}{EXTENSIONS.get(content_type, "")}"'
    response["Content-Security-Policy"] = FILE_VIEWER_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(*SUPERVISORS)
def overview(request):
    services.sessions_expire()
    return render(request, "remote/overview.html", supervisor_overview())


@role_required(*STAFF)
def session_log(request, session_id):
    session = session_for_log(user=request.user, session_id=str(session_id))
    if session is None:
        raise Http404
    return render(
        request,
        "remote/log.html",
        {
            "session": session,
            "events": session.events.all(),
            "scans": session.scans.all(),
            "recordings": session.recordings.all(),
        },
    )
