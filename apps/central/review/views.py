"""The approver workbench at central, and the supervisors' dashboard."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from apps.shared.accounts.models import Role
from govservice.api import DomainError
from govservice.lib.charts import bar_chart
from govservice.lib.csvexport import csv_response
from govservice.lib.masking import mask_id_staff
from govservice.lib.stats import PeriodError, period_from, rate
from govservice.roles import role_required

from . import services
from .api import material_file_response
from .forms import CorrectionForm, DecisionForm, NoteForm, ReasonForm, ResultForm, SpecialProcedureForm
from .models import REVIEW_STEPS, Decision, SpecialProcedure
from .selectors import (
    case_get_for_approver,
    case_sla,
    cases_for_approver,
    deliveries_in_period,
    durations_by_department_matter,
    open_case_clocks,
    overdue_by_department,
    overdue_cases,
)

APPROVER_ROLES = (Role.APPROVER, Role.CENTRAL_SUPERVISOR, Role.ADMIN)


# Page actions: each reads its form (None: it posts nothing) and calls one service with the cleaned data.
ACTIONS = {
    "claim": (None, lambda user, case_id, data: services.case_claim(approver=user, case_id=case_id)),
    "release": (None, lambda user, case_id, data: services.case_release(approver=user, case_id=case_id)),
    "pass": (NoteForm, lambda user, case_id, data: services.case_step(approver=user, case_id=case_id, forward=True, note=data["note"])),
    "return": (NoteForm, lambda user, case_id, data: services.case_step(approver=user, case_id=case_id, forward=False, note=data["note"])),
    "correction": (CorrectionForm, lambda user, case_id, data: services.case_request_correction(
        approver=user, case_id=case_id, items=data["items"], deadline=data["deadline"],
    )),
    "special": (SpecialProcedureForm, lambda user, case_id, data: services.case_start_special_procedure(
        approver=user, case_id=case_id, kind=data["kind"], reason=data["reason"], expected_days=data["expected_days"],
    )),
    "special-end": (NoteForm, lambda user, case_id, data: services.case_end_special_procedure(approver=user, case_id=case_id, note=data["note"])),
    "extend": (ReasonForm, lambda user, case_id, data: services.case_extend(approver=user, case_id=case_id, reason=data["reason"])),
    "decide": (DecisionForm, lambda user, case_id, data: services.case_decide(
        approver=user, case_id=case_id, decision=data["decision"], reason=data["reason"]
    )),
    "result": (ResultForm, lambda user, case_id, data: services.case_issue_result(
        approver=user, case_id=case_id, valid_years=data["valid_years"]
    )),
}


@role_required(*APPROVER_ROLES)
def case_list(request):
    cases = list(cases_for_approver(user=request.user).select_related("assignee")[:300])
    rows = [(case, *case_sla(case)) for case in cases]
    return render(request, "review/case_list.html", {"rows": rows, "mine": request.GET.get("mine") == "1"})


@role_required(*APPROVER_ROLES)
def case_detail(request, case_id):
    case = case_get_for_approver(user=request.user, case_id=case_id)
    sla, due = case_sla(case)
    return render(
        request,
        "review/case_detail.html",
        {
            "case": case,
            "masked_id": mask_id_staff(case.applicant_id_number),
            "decisions": Decision.choices,
            "procedures": SpecialProcedure.choices,
            "step_name": REVIEW_STEPS[case.step],
            "steps": REVIEW_STEPS,
            "sla": sla,
            "due": due,
            "certificate": getattr(case, "certificate", None) if hasattr(case, "certificate") else None,
            "today": dt.date.today(),
        },
    )


@require_POST
@role_required(*APPROVER_ROLES)
def case_action(request, case_id, action):
    if action not in ACTIONS:
        messages.error(request, _("没有这个操作。"))
        return redirect("review_case", case_id=case_id)
    form_class, perform = ACTIONS[action]
    # The forms sit on the case page: an error goes back there (POST, redirect, GET) as a message.
    form = form_class(request.POST) if form_class is not None else None
    if form is not None and not form.is_valid():
        messages.error(request, next(str(m) for errors in form.errors.values() for m in errors))
        return redirect("review_case", case_id=case_id)
    try:
        perform(request.user, case_id, form.cleaned_data if form is not None else {})
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("已办理，结果将发回前台并通知申请人。"))
    return redirect("review_case", case_id=case_id)


# The dashboard's CSV downloads (?export=…): header and the row keys, in order. Case numbers, departments,
# matters and figures only; never the applicant.
DASHBOARD_EXPORTS = {
    "durations": (
        (_("部门"), _("事项"), _("决定数"), _("承诺时限内办结"), _("超承诺时限"), _("承诺时限内办结率(%)"), _("用时中位数(工作日)"), _("用时P90(工作日)"), _("承诺时限(工作日)"), _("超法定时限")),
        ("department", "matter", "decided", "within", "late", "within_rate", "median_days", "p90_days", "promised_days", "beyond_legal"),
    ),
    "overdue": (
        (_("办件编号"), _("部门"), _("事项"), _("状态"), _("已用工作日"), _("时限(工作日)"), _("超期工作日")),
        ("number", "department", "matter", "status", "used", "limit", "over"),
    ),
}


@role_required(Role.CENTRAL_SUPERVISOR, Role.ADMIN)
def dashboard(request):
    try:
        period = period_from(request.GET)
    except PeriodError as exc:
        return render(request, "error.html", {"message": str(exc)}, status=400)
    export = request.GET.get("export")
    if export is not None:
        if export not in DASHBOARD_EXPORTS:
            raise Http404(_("没有这张报表。"))
        header, keys = DASHBOARD_EXPORTS[export]
        rows = durations_by_department_matter(period=period) if export == "durations" else overdue_cases()
        return csv_response(
            filename=f"{export}_{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv",
            header=[str(h) for h in header],
            rows=([row[k] for k in keys] for row in rows),
        )
    durations = durations_by_department_matter(period=period)
    decided = sum(r["decided"] for r in durations)
    clocks = open_case_clocks()  # one walk over the open cases for both tables
    overdue = overdue_cases(clocks=clocks)
    chart = bar_chart(
        [(f"{r['department']} · {r['matter']}", r["within_rate"]) for r in durations],
        title=str(_("承诺时限内办结率")), unit="%", maximum=100,
    )
    return render(
        request,
        "review/dashboard.html",
        {
            "rows": overdue_by_department(clocks=clocks),
            "period": period,
            "query": urlencode(period.as_query()),
            "durations": durations,
            "overdue": overdue,
            "chart": chart,
            "decided": decided,
            "delivered": deliveries_in_period(period=period),
            "within_rate": rate(sum(r["within"] for r in durations), decided),
        },
    )


@xframe_options_sameorigin  # shown inline in the case page's viewer
@role_required(*APPROVER_ROLES)
def material(request, case_id, material_id):
    return material_file_response(user=request.user, case_id=case_id, material_id=material_id)
