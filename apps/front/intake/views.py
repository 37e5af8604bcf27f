"""The citizen's case pages (my services, a case, its supplement, withdrawal and deferred items, a document and its
verification, pre-filing before a visit) and the platform question of a person's cases elsewhere. The clerk's
intake at the window and the hall's held cases are views_window.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.front.booking.models import Appointment, StaffPost
from apps.front.booking.selectors import appointments_for_citizen
from apps.front.notifications.models import Notification
from apps.shared.accounts.models import PersonalDataAccess, Role
from apps.shared.exchange import contract
from apps.shared.exchange.questions import answer, question_receive
from govservice.api import DomainError, status_for

from . import hooks
from .documents import document_pdf, document_verify
from .forms import WithdrawForm, form_errors
from .models import CaseStatus, Document
from .selectors import (
    case_get_for_citizen,
    cases_for_citizen,
)
from .services import (
    Upload,
    case_commitment_supply,
    case_prefile,
    case_supplement,
    case_withdraw,
)
from .shared import cases_elsewhere, platform_cases_answer


@login_required
def my_services(request):
    return render(
        request,
        "intake/my_services.html",
        {
            "appointments": appointments_for_citizen(citizen=request.user)[:50],
            "cases": cases_for_citizen(citizen=request.user)[:50],
            "inbox": Notification.objects.filter(recipient=request.user, channel="inbox").select_related("case")[:20],
            # DOMAIN.md §8: citizens may see who looked at their file.
            "accesses": PersonalDataAccess.objects.filter(subject=request.user).select_related("viewer")[:20],
            # One person across platforms (issue 16): asked of the other platforms now, never stored here.
            "elsewhere": cases_elsewhere(citizen=request.user),
        },
    )


@login_required
def case_detail(request, number):
    case = case_get_for_citizen(citizen=request.user, number=number)
    evaluation = getattr(case, "evaluation", None) if hasattr(case, "evaluation") else None
    return render(request, "intake/case_detail.html", {"case": case, "evaluation": evaluation})


@login_required
def deferred(request, number):
    """The applicant uploads the deferred items (容缺) online, each under its material."""
    if request.method == "POST":
        case = case_get_for_citizen(citizen=request.user, number=number)
        uploads = [
            Upload(m.id, f) for m in case.matter.materials.all() for f in request.FILES.getlist(f"material_{m.id}")
        ]
        try:
            case = case_commitment_supply(actor=request.user, number=case.number, uploads=uploads)
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            if case.commitment_met_at:
                messages.success(request, _("容缺材料已全部补交，审批总后台将继续审查。"))
            else:
                messages.success(
                    request, _("已补交，尚需补交：%(items)s。") % {"items": "、".join(case.commitment_outstanding)}
                )
    return redirect("case", number=number)


@login_required
def document_download(request, code):
    """A document, for the citizen it concerns or the staff of the hall that issued it."""
    document = get_object_or_404(Document.objects.select_related("case"), verification_code=code)
    case = document.case
    user = request.user
    allowed = case.citizen_id == user.id or (
        user.role in (Role.CLERK, Role.HALL_SUPERVISOR)
        and StaffPost.objects.filter(user=user, hall_id=case.hall_id).exists()
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


@login_required
def prefile(request, code):
    """在线预填 from the appointment page."""
    if request.method != "POST":
        return redirect("appointment", code=code)
    appointment = get_object_or_404(Appointment.objects.select_related("matter"), citizen=request.user, code=code)
    uploads = [
        Upload(m.id, f) for m in appointment.matter.materials.all() for f in request.FILES.getlist(f"material_{m.id}")
    ]
    try:
        case, password = case_prefile(citizen=request.user, appointment_code=code, uploads=uploads)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        if password:
            messages.success(
                request,
                _("已在线预填，办件编号 %(number)s，查询密码 %(password)s（请妥善保存，仅显示一次）。")
                % {"number": case.number, "password": password},
            )
        else:
            messages.success(request, _("已补充上传材料。"))
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
            messages.success(request, _("补正材料已提交，审批总后台将继续审查。"))
    return redirect("case", number=number)


@login_required
def withdraw(request, number):
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if not form.is_valid():
            return render(request, "error.html", {"message": " ".join(form_errors(form))}, status=400)
        try:
            case = case_withdraw(citizen=request.user, number=number, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            done = case.status == CaseStatus.WITHDRAWN
            messages.success(request, _("办件已撤回。") if done else _("撤回申请已提交，待审批总后台确认。"))
    return redirect("case", number=number)


# A question names one person and a purpose: a few hundred bytes.
PLATFORM_CASES_MAX_BODY = 4096


@csrf_exempt  # machine-to-machine: authenticated by the HMAC signature, not a session
@require_POST
def platform_cases(request):
    """POST a ``contract.PlatformCasesQuestion`` signed by another platform's key: the person's cases here
    (``contract.PlatformCasesAnswer``), read now and never copied there (one person across platforms); 403
    ``not_a_platform`` for a peer that is not one of this platform's (EXCHANGE_PLATFORM_PEERS)."""
    asked = question_receive(request, contract.PlatformCasesQuestion, max_body=PLATFORM_CASES_MAX_BODY)
    if isinstance(asked, JsonResponse):
        return asked
    peer, question = asked
    try:
        given = platform_cases_answer(peer=peer, question=question, platform_name=str(settings.SITE_NAME))
    except DomainError as exc:
        return answer({"code": exc.code, "detail": exc.detail}, status_for(exc))
    return answer(given.model_dump(mode="json"))
