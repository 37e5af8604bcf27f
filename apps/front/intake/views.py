"""Citizen case pages, and the clerk's intake at the window."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from apps.front.booking.models import Appointment, StaffPost
from apps.front.booking.selectors import appointments_for_citizen
from apps.front.floor.devices import device_for, kiosk_staff_end
from apps.front.floor.selectors import kiosk_matters
from apps.front.floor.services import ticket_get_for_clerk
from apps.front.notifications.models import Notification
from apps.shared.accounts.models import PersonalDataAccess, Role
from apps.shared.accounts.services import id_number_reveal
from govservice.api import DomainError, status_for
from govservice.roles import role_required

from . import hooks
from .api import reuses_from
from .documents import document_pdf, document_verify
from .models import CaseStatus, Document
from .selectors import case_get_for_citizen, cases_for_citizen, evidence_for_matter
from .services import (
    Upload,
    case_accept,
    case_notify_missing,
    case_prefile,
    case_receive,
    case_refuse,
    case_start_assisted,
    case_supplement,
    case_withdraw,
    prefiled_for_ticket,
)


@login_required
def my_services(request):
    return render(
        request,
        "intake/my_services.html",
        {
            "appointments": appointments_for_citizen(citizen=request.user)[:50],
            "cases": cases_for_citizen(citizen=request.user)[:50],
            "inbox": Notification.objects.filter(recipient=request.user, channel="inbox")[:20],
            # DOMAIN.md §8: citizens may see who looked at their file.
            "accesses": PersonalDataAccess.objects.filter(subject=request.user).select_related("viewer")[:20],
        },
    )


@login_required
def case_detail(request, number):
    case = case_get_for_citizen(citizen=request.user, number=number)
    evaluation = getattr(case, "evaluation", None) if hasattr(case, "evaluation") else None
    return render(request, "intake/case_detail.html", {"case": case, "evaluation": evaluation})


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def intake_ticket(request, ticket_id):
    """The intake workbench: the checklist, uploads, and the four outcomes of 行政许可法 Art. 32."""
    try:
        ticket = ticket_get_for_clerk(clerk=request.user, ticket_id=ticket_id)
    except DomainError as exc:
        return render(request, "error.html", {"message": exc.detail}, status=status_for(exc))
    materials = list(ticket.matter.materials.all())
    if request.method == "POST":
        uploads = [Upload(m.id, f) for m in materials for f in request.FILES.getlist(f"material_{m.id}")]
        action = request.POST.get("action", "accept")
        try:
            if action == "refuse":
                case, password = case_refuse(
                    clerk=request.user, ticket_id=ticket.id, reason=request.POST.get("reason", ""),
                    refer_to=request.POST.get("refer_to", ""), uploads=uploads,
                )
            elif action == "notice":
                case, password = case_notify_missing(
                    clerk=request.user, ticket_id=ticket.id, items=_lines(request.POST.get("items", "")), uploads=uploads
                )
            elif action == "receive":
                case, password = case_receive(clerk=request.user, ticket_id=ticket.id, uploads=uploads)
            else:
                case, password = case_accept(
                    clerk=request.user, ticket_id=ticket.id, uploads=uploads, reuses=reuses_from(request.POST),
                    commitment_items=request.POST.getlist("commitment_items"),
                    commitment_signed=request.POST.get("commitment_signed") == "on",
                )
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            return render(request, "intake/outcome.html", {"case": case, "password": password, "documents": case.documents.all()})
    offered = evidence_for_matter(citizen=ticket.citizen, matter=ticket.matter) if ticket.citizen else {}
    prefiled = prefiled_for_ticket(ticket)
    rows = [(m, offered.get(m.id, [])) for m in materials]
    return render(
        request,
        "intake/intake.html",
        {"ticket": ticket, "rows": rows, "prefiled": prefiled, "commitment_allowed": not ticket.citizen.credit_restricted if ticket.citizen else False},
    )


@login_required
def document_download(request, code):
    """A document, for the citizen it concerns or the staff of the hall that issued it."""
    document = get_object_or_404(Document.objects.select_related("case"), verification_code=code)
    case = document.case
    user = request.user
    allowed = case.citizen_id == user.id or (
        user.role in (Role.CLERK, Role.HALL_SUPERVISOR) and StaffPost.objects.filter(user=user, hall_id=case.hall_id).exists()
    )
    if not allowed:
        raise Http404
    pdf = document_pdf(document)
    if case.citizen_id == user.id:
        # For an electronic delivery, the owner's first download of the e-licence is the handover.
        for receiver in hooks.document_downloaded.receivers():
            receiver(citizen=user, document=document)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.kind}-{case.number}.pdf"'
    return response


def verify(request, code=""):
    """Public: is this document genuine? Reached by the QR code, or by typing the code; a copy can be
    uploaded to check it has not been altered. Reveals no personal data."""
    code = (code or request.GET.get("code", "")).strip()
    result = None
    if code:
        pdf = None
        if request.method == "POST" and request.FILES.get("copy"):
            pdf = request.FILES["copy"].read(settings.UPLOAD_MAX_BYTES + 1)
        result = document_verify(code=code, pdf=pdf)
    status = 404 if result is not None and not result["found"] else 200
    return render(request, "intake/verify.html", {"code": code, "result": result}, status=status)


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def reveal_id(request, ticket_id):
    """The clear ID number for the applicant at this window, with a reason; every view is logged and
    the citizen can see it (DOMAIN.md §8)."""
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        ticket = ticket_get_for_clerk(clerk=request.user, ticket_id=ticket_id)
        if ticket.citizen is None:
            raise DomainError("该号码无实名申请人。 No registered applicant.", code="no_applicant")
        value = id_number_reveal(
            viewer=request.user, subject=ticket.citizen, reason=request.POST.get("reason", ""), case_reference=ticket.label
        )
    except DomainError as exc:
        return render(request, "intake/_reveal.html", {"error": exc.detail}, status=status_for(exc))
    return render(request, "intake/_reveal.html", {"value": value})


@login_required
def prefile(request, code):
    """在线预填 from the appointment page."""
    if request.method != "POST":
        return redirect("appointment", code=code)
    appointment = get_object_or_404(Appointment.objects.select_related("matter"), citizen=request.user, code=code)
    uploads = [Upload(m.id, f) for m in appointment.matter.materials.all() for f in request.FILES.getlist(f"material_{m.id}")]
    try:
        case, password = case_prefile(citizen=request.user, appointment_code=code, uploads=uploads)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        if password:
            messages.success(request, f"已在线预填，办件编号 {case.number}，查询密码 {password}（请妥善保存，仅显示一次）。")
        else:
            messages.success(request, "已补充上传材料。")
    return redirect("appointment", code=code)


@login_required
def supplement(request, number):
    if request.method == "POST":
        case = case_get_for_citizen(citizen=request.user, number=number)
        uploads = [Upload(None, f) for f in request.FILES.getlist("files")]
        try:
            case_supplement(citizen=request.user, number=case.number, uploads=uploads)
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, "补正材料已提交，审批总后台将继续审查。")
    return redirect("case", number=number)


@login_required
def withdraw(request, number):
    if request.method == "POST":
        try:
            case = case_withdraw(citizen=request.user, number=number, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            done = case.status == CaseStatus.WITHDRAWN
            messages.success(request, "办件已撤回。" if done else "撤回申请已提交，待审批总后台确认。")
    return redirect("case", number=number)


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def assist(request):
    """帮办 at a smart terminal: a hall helper reads the citizen's ID card, picks the matter, scans the
    materials, and the case waits at the window as pre-filed."""
    terminal = device_for(request)
    if terminal is None:
        return redirect("terminal")
    groups = kiosk_matters(hall=terminal.hall)
    matters = {m.code: m for g in groups for m in g.matters}
    matter = matters.get(request.POST.get("matter") or request.GET.get("matter", ""))
    materials = list(matter.materials.all()) if matter else []
    context = {"terminal": terminal, "groups": groups, "matter": matter, "materials": materials}
    if request.method == "POST" and matter is not None:
        uploads = [Upload(m.id, f) for m in materials for f in request.FILES.getlist(f"material_{m.id}")]
        try:
            case, password = case_start_assisted(
                helper=request.user, terminal=terminal, id_number=request.POST.get("id_number", ""), matter_code=matter.code, uploads=uploads
            )
        except DomainError as exc:
            return render(request, "intake/assist.html", {**context, "error": exc.detail}, status=status_for(exc))
        # The assisted case is done: the helper's step-up at this kiosk ends with it (apps/front/floor/devices.py).
        kiosk_staff_end(request)
        return render(request, "intake/assist.html", {**context, "case": case, "password": password})
    return render(request, "intake/assist.html", context)
