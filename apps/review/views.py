"""The approver workbench at central."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from apps.accounts.models import Role
from govservice.api import DomainError
from govservice.lib.masking import mask_id_staff
from govservice.roles import role_required

from .api import material_file_response
from .models import Decision
from .selectors import case_get_for_approver, cases_for_approver
from .services import case_decide

APPROVER_ROLES = (Role.APPROVER, Role.CENTRAL_SUPERVISOR, Role.ADMIN)


@role_required(*APPROVER_ROLES)
def case_list(request):
    return render(request, "review/case_list.html", {"cases": cases_for_approver(user=request.user)[:200]})


@role_required(*APPROVER_ROLES)
def case_detail(request, case_id):
    case = case_get_for_approver(user=request.user, case_id=case_id)
    if request.method == "POST":
        try:
            case_decide(
                approver=request.user, case_id=case.id, decision=request.POST.get("decision", ""), reason=request.POST.get("reason", "")
            )
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, "审批决定已作出，结果正在发回前台。")
            return redirect("review_case", case_id=case.id)
    return render(
        request,
        "review/case_detail.html",
        {"case": case, "masked_id": mask_id_staff(case.applicant_id_number), "decisions": Decision.choices},
    )


@xframe_options_sameorigin  # shown inline in the case page's viewer
@role_required(*APPROVER_ROLES)
def material(request, case_id, material_id):
    return material_file_response(user=request.user, case_id=case_id, material_id=material_id)
