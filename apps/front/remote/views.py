"""The hall's pages of the remote window: starting a session at a kiosk or from a window, the session page
(video, chat, the shared form, scans, the outcome and its voucher), and the hall's session log.

The session page talks only to this site (same origin, the kiosk's or the clerk's session): short JSON
requests that this site relays to central with the join ticket, and the browser's own WebRTC connection to
central's staff for media, chat and typing (static/js/remote_*.js)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from apps.front.floor.conf import floor_conf
from apps.front.floor.services import ticket_get_for_clerk
from apps.front.intake.documents import document_pdf
from apps.shared.accounts.models import Role
from apps.shared.exchange.remote import form_rows
from govservice.api import DomainError, error_json, status_for
from govservice.lib.filetypes import FILE_VIEWER_CSP
from govservice.parsers import form_has_nul, json_object, refuse_nul
from govservice.roles import role_required

from . import services
from .conf import remote_conf
from .devices import clerk_device, forget, held, kiosk_device, remember
from .forms import KioskStartForm, ScanForm, WindowStartForm, first_error
from .models import HallSession
from .selectors import live_session_of, sessions_for_log

HALL_STAFF = (Role.CLERK, Role.HALL_SUPERVISOR)


# --- Starting -----------------------------------------------------------------------------------------


def kiosk_start(request):
    """At a kiosk: the citizen chooses a matter served remotely, swipes the ID card and agrees to the record."""
    device = kiosk_device(request)
    if device is None:
        return redirect("terminal")
    context: dict[str, Any] = {
        "terminal": device.terminal,
        "matters": services.remote_matters(hall=device.hall),
        "error": "",
        "selected": "",
        "recording": remote_conf.REMOTE_RECORDING,
    }
    if request.method != "POST":
        return render(request, "remote/kiosk_start.html", context)
    if form_has_nul(request.POST):
        return render(request, "remote/kiosk_start.html", {**context, "error": refuse_nul().detail}, status=400)
    form = KioskStartForm(request.POST)
    context["selected"] = form.data.get("matter", "")
    if not form.is_valid():
        return render(request, "remote/kiosk_start.html", {**context, "error": first_error(form)}, status=400)
    data = form.cleaned_data
    try:
        session, joined = services.session_start_at_kiosk(
            device=device, matter_code=data["matter"], id_number=data["id_number"], consent=data["consent"]
        )
    except DomainError as exc:
        # The ID number is never sent back to the page; a session still going on this kiosk is offered.
        context |= {"error": exc.detail, "open_session": live_session_of(device=device.key)}
        return render(request, "remote/kiosk_start.html", context, status=status_for(exc))
    remember(request, str(session.id), ticket=joined["ticket"], page=joined["page"])
    return redirect("remote_hall", session_id=session.id)


@role_required(*HALL_STAFF)
def window_start(request, ticket_id: int):
    """From the workbench: the clerk brings in the matter's department by video for the ticket served."""
    device = clerk_device(request)
    try:
        if device is None:
            raise DomainError(_("您尚未分配窗口，请联系大厅主管。"), code="no_window")
        ticket = ticket_get_for_clerk(clerk=request.user, ticket_id=ticket_id)
    except DomainError as exc:
        return render(request, "error.html", {"message": exc.detail}, status=status_for(exc))
    context = {
        "ticket": ticket,
        "error": "",
        "served": ticket.matter.remote_window,
        "recording": remote_conf.REMOTE_RECORDING,
    }
    if request.method != "POST":
        return render(request, "remote/window_start.html", context)
    form = WindowStartForm(request.POST)
    form.is_valid()  # one optional checkbox: this form cannot be invalid
    try:
        session, joined = services.session_start_at_window(
            device=device, ticket_id=ticket.id, consent=form.cleaned_data["consent"]
        )
    except DomainError as exc:
        context |= {"error": exc.detail, "open_session": live_session_of(device=device.key)}
        return render(request, "remote/window_start.html", context, status=status_for(exc))
    remember(request, str(session.id), ticket=joined["ticket"], page=joined["page"])
    return redirect("remote_hall", session_id=session.id)


# --- The session page ---------------------------------------------------------------------------------


def _own_session(request, session_id, *, page: bool = False) -> HallSession:
    """The session, if this browser is the kiosk or the clerk that started it (404 for anyone else). A poll needs
    its own row only; the page joins what it shows."""
    sessions = (
        HallSession.objects.select_related("matter", "hall", "citizen", "case") if page else HallSession.objects.all()
    )
    session = sessions.filter(id=session_id).first()
    if session is None:
        raise Http404
    if session.terminal_id is not None:
        device = kiosk_device(request)
        if device is None or device.terminal is None or device.terminal.pk != session.terminal_id:
            raise Http404
    elif not request.user.is_authenticated or request.user.pk != session.clerk_id:
        raise Http404
    return session


def _join_ticket(request, session: HallSession) -> str:
    ticket = held(request, str(session.id)).get("ticket")
    if not isinstance(ticket, str) or not ticket:
        # Another browser of the same clerk: the ticket lives only where the session was started.
        raise DomainError(_("本设备未持有该远程会话的凭证。"), code="join_refused")
    return ticket


def _keep_renewed(request, session: HallSession, answer: dict[str, Any]) -> dict[str, Any]:
    """A fresh join ticket central handed out replaces the old one here; it never goes to the page."""
    renewed = answer.pop("ticket", None)
    if isinstance(renewed, str) and renewed:
        remember(request, str(session.id), ticket=renewed)
    return answer


@never_cache
def hall_page(request, session_id):
    session = _own_session(request, session_id, page=True)
    page_settings = held(request, str(session.id)).get("page") or {
        "ice_servers": [],
        "poll_ms": 800,
        "poll_connected_ms": 800,
    }
    urls = {
        name: reverse(f"remote_hall_{name}", args=[session.id]) for name in ("poll", "signal", "form", "scan", "hangup")
    }
    urls["document"] = reverse("remote_hall_document", args=[session.id, "CODE"])
    # A kiosk goes back to its start (clearing the language and 关怀模式) when done or left idle after the end:
    # the outcome shows a case number and a query password the next person must not see.
    urls["done"] = reverse("terminal_reset") if session.terminal_id else reverse("workbench")
    return render(
        request,
        "remote/hall.html",
        {
            "session": session,
            "kiosk": session.terminal_id is not None,
            "materials": list(session.matter.materials.all()),
            "form_fields": [
                (row, str(session.form.get(row.name, ""))) for row in form_rows(session.matter, session.form)
            ],
            "page": {
                **page_settings,
                "role": "hall",
                "urls": urls,
                "status": session.status,
                "idle_seconds": floor_conf.KIOSK_IDLE_SECONDS if session.terminal_id else 0,
                # A kiosk prints the case's documents by itself, as it prints a queue ticket; a window offers them.
                "autoprint": session.terminal_id is not None,
            },
        },
    )


@never_cache
@require_GET
def hall_poll(request, session_id):
    try:
        session = _own_session(request, session_id)
        answer = services.session_poll(
            session=session,
            join_ticket=_join_ticket(request, session) if session.live else "",
            after=request.GET.get("after"),
            form_seq=request.GET.get("form_seq"),
            pointer_seq=request.GET.get("pointer_seq"),
            start=request.GET.get("start") == "1",
        )
    except DomainError as exc:
        return error_json(exc)
    return JsonResponse(_keep_renewed(request, session, answer), json_dumps_params={"ensure_ascii": False})


@require_POST
def hall_signal(request, session_id):
    try:
        session = _own_session(request, session_id)
        data = json_object(request.body)
        answer = services.session_signal(
            session=session, join_ticket=_join_ticket(request, session), kind=data.get("kind"), body=data.get("body")
        )
    except DomainError as exc:
        return error_json(exc)
    return JsonResponse(_keep_renewed(request, session, answer))


@require_POST
def hall_form(request, session_id):
    try:
        session = _own_session(request, session_id)
        answer = services.session_form(
            session=session, join_ticket=_join_ticket(request, session), fields=json_object(request.body).get("fields")
        )
    except DomainError as exc:
        return error_json(exc)
    return JsonResponse(_keep_renewed(request, session, answer))


@require_POST
def hall_scan(request, session_id):
    try:
        session = _own_session(request, session_id)
        if form_has_nul(request.POST, request.FILES):
            raise refuse_nul()
        form = ScanForm(request.POST, request.FILES)
        if not form.is_valid():
            raise DomainError(first_error(form), code="invalid")
        scan = services.session_scan(
            session=session,
            join_ticket=_join_ticket(request, session),
            material_key=form.cleaned_data["material"],
            upload=form.cleaned_data["file"],
            uploaded_by=session.clerk or session.citizen,
        )
    except DomainError as exc:
        return error_json(exc)
    return JsonResponse({"scan": scan.id, "material": scan.material.key, "sha256": scan.sha256})


@require_POST
def hall_hangup(request, session_id):
    try:
        session = _own_session(request, session_id)
        services.session_hangup(session=session, join_ticket=_join_ticket(request, session), actor=session.clerk)
    except DomainError as exc:
        return error_json(exc)
    forget(request, str(session.id))
    return JsonResponse({"status": "ended"})


@require_GET
@xframe_options_sameorigin
def hall_document(request, session_id, code: str):
    """The voucher of the case this session made, printed at the hall (the kiosk or the clerk that started it)."""
    session = _own_session(request, session_id)
    case = session.case
    document = case.documents.filter(verification_code=code).first() if case is not None else None
    if case is None or document is None:
        raise Http404
    response = HttpResponse(document_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.kind}-{case.number}.pdf"'
    # The hall's page prints it from a frame of its own (remote_page.js): the browser's PDF viewer shows it there.
    response["Content-Security-Policy"] = FILE_VIEWER_CSP
    return response


@role_required(Role.HALL_SUPERVISOR, Role.ADMIN)
def hall_log(request):
    """The hall's session log: who asked, when, from which device, how long, how it ended, which case."""
    return render(
        request,
        "remote/hall_log.html",
        {"sessions": sessions_for_log(user=request.user), "recording": remote_conf.REMOTE_RECORDING},
    )
