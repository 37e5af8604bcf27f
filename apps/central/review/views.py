"""The approver workbench at central, and the supervisors' dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from apps.shared.accounts.models import Role
from apps.shared.catalog.models import Department
from apps.shared.workcalendar.selectors import calendar_get
from govservice.api import DomainError
from govservice.lib.charts import bar_chart
from govservice.lib.csvexport import csv_response
from govservice.lib.masking import mask_id_staff
from govservice.lib.replica import replica_reads
from govservice.lib.stats import PeriodError, period_from, rate
from govservice.roles import role_required

from . import services
from .api import material_file_response
from .bundles import bundle_reading, bundle_statistics
from .forms import (
    SLA_LABELS,
    AssignForm,
    CaseQueryForm,
    CorrectionForm,
    DecisionForm,
    NoteForm,
    ReasonForm,
    ResultForm,
    SpecialProcedureForm,
    TransferForm,
)
from .models import REVIEW_STEPS, Decision, ExtensionRequest, ExtensionStatus, ReviewStatus, SpecialProcedure
from .selectors import (
    OPEN,
    approvers_by_department,
    case_get_for_approver,
    case_reading,
    case_readings,
    cases_for_approver,
    cases_search,
    deliveries_in_period,
    durations_by_department_matter,
    open_case_clocks,
    overdue_by_department,
    overdue_cases,
    platforms_summary,
    received_by_applicant_kind,
)

APPROVER_ROLES = (Role.APPROVER, Role.CENTRAL_SUPERVISOR, Role.ADMIN)


# Page actions: each reads its form (None: it posts nothing) and calls one service with the cleaned data.
ACTIONS = {
    "claim": (None, lambda user, case_id, data: services.case_claim(approver=user, case_id=case_id)),
    "release": (None, lambda user, case_id, data: services.case_release(approver=user, case_id=case_id)),
    "pass": (
        NoteForm,
        lambda user, case_id, data: services.case_step(approver=user, case_id=case_id, forward=True, note=data["note"]),
    ),
    "return": (
        NoteForm,
        lambda user, case_id, data: services.case_step(
            approver=user, case_id=case_id, forward=False, note=data["note"]
        ),
    ),
    "correction": (
        CorrectionForm,
        lambda user, case_id, data: services.case_request_correction(
            approver=user,
            case_id=case_id,
            items=data["items"],
            deadline=data["deadline"],
        ),
    ),
    "special": (
        SpecialProcedureForm,
        lambda user, case_id, data: services.case_start_special_procedure(
            approver=user,
            case_id=case_id,
            kind=data["kind"],
            reason=data["reason"],
            expected_days=data["expected_days"],
        ),
    ),
    "special-end": (
        NoteForm,
        lambda user, case_id, data: services.case_end_special_procedure(
            approver=user, case_id=case_id, note=data["note"]
        ),
    ),
    "extend": (
        ReasonForm,
        lambda user, case_id, data: services.case_extension_request(
            approver=user, case_id=case_id, reason=data["reason"]
        ),
    ),
    "decide": (
        DecisionForm,
        lambda user, case_id, data: services.case_decide(
            approver=user, case_id=case_id, decision=data["decision"], reason=data["reason"]
        ),
    ),
    "result": (
        ResultForm,
        lambda user, case_id, data: services.case_issue_result(
            approver=user, case_id=case_id, valid_years=data["valid_years"]
        ),
    ),
    # A central supervisor's (行政机关负责人).
    "assign": (
        AssignForm,
        lambda user, case_id, data: services.case_assign(
            supervisor=user, case_id=case_id, approver_id=data["approver"], reason=data["reason"]
        ),
    ),
    "take-over": (
        ReasonForm,
        lambda user, case_id, data: services.case_take_over(supervisor=user, case_id=case_id, reason=data["reason"]),
    ),
    "extend-approve": (
        ReasonForm,
        lambda user, case_id, data: services.case_extension_approve(
            supervisor=user, case_id=case_id, note=data["reason"]
        ),
    ),
    "extend-refuse": (
        ReasonForm,
        lambda user, case_id, data: services.case_extension_refuse(
            supervisor=user, case_id=case_id, reason=data["reason"]
        ),
    ),
    "transfer": (
        TransferForm,
        lambda user, case_id, data: services.case_transfer(
            supervisor=user, case_id=case_id, department_code=data["department"], reason=data["reason"]
        ),
    ),
    "void": (
        ReasonForm,
        lambda user, case_id, data: services.case_void(supervisor=user, case_id=case_id, reason=data["reason"]),
    ),
}

# What the page says after each action (the front is told only of some).
DONE = {
    "extend": _("延期申请已提交，待负责人审批。"),
    "extend-refuse": _("已不批准延期，审批人员可见理由。"),
    "assign": _("已分派。"),
    "take-over": _("已接办，您可以办理本件。"),
}
LIST_PAGE_SIZE = 50


@role_required(*APPROVER_ROLES)
def case_list(request):
    """The queue: filters (status, department, step, colours, mine or unassigned, case number), newest or
    most urgent first, 50 a page; a central supervisor assigns from here."""
    data = request.GET.copy()
    data.setdefault("status", OPEN)  # the page opens on the cases still being worked on
    form = CaseQueryForm(data)
    if not form.is_valid():
        return render(request, "review/case_list.html", {"form": form, "rows": [], "page": None}, status=400)
    paginator = Paginator(cases_search(user=request.user, query=form.query()), LIST_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    cases = list(page.object_list)
    readings = case_readings(cases)
    supervisor = request.user.role == Role.CENTRAL_SUPERVISOR
    approvers = approvers_by_department([c.department_id for c in cases]) if supervisor else {}
    for case in cases:
        case.step_words = REVIEW_STEPS[case.step]  # type: ignore[attr-defined]  # the step in words (issue 17)
    rows = [(case, readings[case.id], approvers.get(case.department_id, [])) for case in cases]
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "review/case_list.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "supervisor": supervisor,
            "sla_labels": {str(k): v for k, v in SLA_LABELS.items()},
            "here": request.get_full_path(),
        },
    )


def status_words(code: str) -> str:
    """A status in words (a code the statuses do not know is shown as it is)."""
    try:
        return str(ReviewStatus(code).label)
    except ValueError:
        return code


# The action panels of the case page, by the action they post (issue 17: one shown at a time).
PANEL_LABELS = {
    "result": _("出具结果（证照）"),
    "decide": _("作出决定"),
    "pass": _("环节流转"),
    "correction": _("要求补正（计时暂停）"),
    "special": _("特别程序（计时暂停）"),
    "special-end": _("结束特别程序"),
    "extend": _("申请延期"),
    "extend-approve": _("审批延期申请"),
    "assign": _("分派"),
    "take-over": _("接办"),
    "transfer": _("转办"),
    "void": _("作废（误立案件）"),
}


def holder_panels(case, *, holder: bool, pending, certificate) -> list[str]:
    """The actions the holder of a case can take now, the current step's first (its panel opens first):
    nothing that no longer applies is offered (issue 17)."""
    if not holder:
        return []
    panels = []
    if case.can_issue_result and certificate is None:
        panels.append("result")
    if case.can_decide:
        panels.append("decide")
    if case.under_review:
        if not case.steps_done or case.step > 0:
            panels.append("pass")  # on to the next step, or back to the one before
        panels += ["correction", "special"]
    if case.in_special_procedure:
        panels.append("special-end")
    # Within the legal period only (Art. 42): past it the panel would only be refused.
    if case.can_extend and pending is None and services.extension_in_time(case):
        panels.append("extend")
    return panels


def supervisor_panels(case, *, supervisor: bool, holder: bool, pending, approvers) -> list[str]:
    if not supervisor or case.finished:
        return []
    panels = []
    if pending is not None:
        panels.append("extend-approve")
    if approvers:
        panels.append("assign")
    if not holder:
        panels.append("take-over")
    if case.can_transfer:
        panels.append("transfer")
    if case.can_void:
        panels.append("void")
    return panels


@role_required(*APPROVER_ROLES)
def case_detail(request, case_id):
    case = case_get_for_approver(user=request.user, case_id=case_id)
    reading = case_reading(case, today=timezone.localdate(), calendar=calendar_get())
    supervisor = request.user.role == Role.CENTRAL_SUPERVISOR
    pending = next((r for r in case.extension_requests.all() if r.status == ExtensionStatus.REQUESTED), None)
    holder = case.assignee_id == request.user.id
    certificate = getattr(case, "certificate", None) if hasattr(case, "certificate") else None
    approvers = approvers_by_department([case.department_id]).get(case.department_id, []) if supervisor else []
    events = list(case.events.select_related("actor"))
    for event in events:
        event.status_words = status_words(event.to_status)  # type: ignore[attr-defined]
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
            "sla": reading.sla or "green",
            "due": reading.due,
            "legal_sla": reading.legal_sla or "green",
            "legal_due": reading.legal_due,
            "holder": holder,
            "supervisor": supervisor,
            "pending_extension": pending,
            "extension_days": case.extension_workdays,
            "approvers": approvers,
            "departments": Department.objects.exclude(id=case.department_id).order_by("code") if supervisor else [],
            "certificate": certificate,
            "today": timezone.localdate(),
            "bundle": bundle_reading(case, visible=cases_for_approver(user=request.user)),
            # Issue 17: statuses in words, and one action panel at a time (the current step's first).
            "events": events,
            "panels": [
                (name, PANEL_LABELS[name])
                for name in holder_panels(case, holder=holder, pending=pending, certificate=certificate)
            ],
            "supervisor_panels": [
                (name, PANEL_LABELS[name])
                for name in supervisor_panels(
                    case, supervisor=supervisor, holder=holder, pending=pending, approvers=approvers
                )
            ],
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
        messages.success(request, DONE.get(action, _("已办理，结果将发回前台并通知申请人。")))
    # The queue's assign form comes back to the queue as it was (filters and page).
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("review_case", case_id=case_id)


# The dashboard's CSV downloads (?export=…): header and the row keys, in order. Case numbers, departments,
# matters and figures only; never the applicant.
DASHBOARD_EXPORTS = {
    "durations": (
        (
            _("部门"),
            _("事项"),
            _("决定数"),
            _("承诺时限内办结"),
            _("超承诺时限"),
            _("承诺时限内办结率(%)"),
            _("用时中位数(工作日)"),
            _("用时P90(工作日)"),
            _("承诺时限(工作日)"),
            _("超法定时限"),
        ),
        (
            "department",
            "matter",
            "decided",
            "within",
            "late",
            "within_rate",
            "median_days",
            "p90_days",
            "promised_days",
            "beyond_legal",
        ),
    ),
    "overdue": (
        (_("办件编号"), _("部门"), _("事项"), _("状态"), _("已用工作日"), _("时限(工作日)"), _("超期工作日")),
        ("number", "department", "matter", "status", "used", "limit", "over"),
    ),
    "applicants": (
        (_("申请人类别"), _("收件数"), _("已决定"), _("准予"), _("准予率(%)")),
        ("applicant", "received", "decided", "approved", "approved_rate"),
    ),
}


@role_required(Role.CENTRAL_SUPERVISOR, Role.ADMIN)
@replica_reads()
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
        if export == "durations":
            rows = durations_by_department_matter(period=period)
        elif export == "applicants":
            rows = received_by_applicant_kind(period=period)
        else:
            rows = overdue_cases()
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
        title=str(_("承诺时限内办结率")),
        unit="%",
        maximum=100,
    )
    return render(
        request,
        "review/dashboard.html",
        {
            "extensions_waiting": ExtensionRequest.objects.filter(status=ExtensionStatus.REQUESTED).count(),
            "rows": overdue_by_department(clocks=clocks),
            "period": period,
            "query": urlencode(period.as_query()),
            "durations": durations,
            "overdue": overdue,
            "chart": chart,
            "decided": decided,
            "delivered": deliveries_in_period(period=period),
            "platforms": platforms_summary(period=period, clocks=clocks),
            "within_rate": rate(sum(r["within"] for r in durations), decided),
            "bundles": bundle_statistics(period=period),
            "applicants": received_by_applicant_kind(period=period),
        },
    )


@xframe_options_sameorigin  # shown inline in the case page's viewer
@role_required(*APPROVER_ROLES)
def material(request, case_id, material_id):
    return material_file_response(user=request.user, case_id=case_id, material_id=material_id)
