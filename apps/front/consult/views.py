"""Pages of consultation tickets: the citizen's questions, the kiosk, the clerks' desk, the supervisors'
report and the public FAQ of a matter."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.front.floor.devices import device_for
from apps.shared.accounts.models import Role
from apps.shared.catalog.models import Department, Matter
from govservice.api import DomainError, status_for
from govservice.roles import role_required

from . import services
from .conf import consult_conf
from .forms import (
    AskForm,
    CallForm,
    ExtendForm,
    FollowUpForm,
    PublishForm,
    RateForm,
    ReplyForm,
    RevealPhoneForm,
    RouteForm,
    TerminalAskForm,
    form_error,
)
from .models import Rating, TicketKind, TicketStatus
from .reports import report_csv, report_scope, ticket_report
from .selectors import (
    faq_for_matter,
    hall_matter_codes,
    halls_for_matter,
    staff_queue,
    ticket_get_for_citizen,
    ticket_get_for_staff,
    tickets_of_citizen,
)

STAFF = (Role.CLERK, Role.HALL_SUPERVISOR, Role.ADMIN)
SUPERVISORS = (Role.HALL_SUPERVISOR, Role.ADMIN)


def _current_matter(code: str) -> Matter | None:
    return Matter.objects.select_related("department").filter(code=code, is_current=True).first() if code else None


# --- Citizens ---------------------------------------------------------------------------------------


def _ask_page(request, *, status: int = 200, error: str = "", values: dict | None = None):
    values = values or {}
    code = values.get("matter") or request.GET.get("matter", "")
    matter = _current_matter(code)
    return render(
        request,
        "consult/ask.html",
        {
            "matter": matter,
            "matters": [] if matter else Matter.objects.filter(is_current=True).order_by("name").only("code", "name"),
            "halls": halls_for_matter(code=matter.code) if matter else [],
            "kinds": TicketKind.choices,
            "values": values,
            "error": error,
        },
        status=status,
    )


@role_required(Role.CITIZEN)
def ask(request):
    if request.method != "POST":
        return _ask_page(request)
    form = AskForm(request.POST)
    values = {k: form.data.get(k, "") for k in ("matter", "hall", "kind", "title", "content")}
    if "title" not in form.data:  # the matter was chosen; now the question
        return _ask_page(request, values=values)
    if not form.is_valid():
        return _ask_page(request, status=400, error=form_error(form), values=values)
    data = form.cleaned_data
    try:
        ticket = services.ticket_ask(
            citizen=request.user,
            matter_code=data["matter"],
            kind=data["kind"],
            title=data["title"],
            content=data["content"],
            hall_id=data["hall"],
        )
    except DomainError as exc:
        return _ask_page(request, status=status_for(exc), error=str(exc.detail), values=values)
    messages.success(request, _("已提交，工单编号 %(code)s。工作人员答复后会通知您。") % {"code": ticket.code})
    return redirect("consult_ticket", code=ticket.code)


@role_required(Role.CITIZEN)
def my_tickets(request):
    return render(request, "consult/my_tickets.html", {"tickets": tickets_of_citizen(user=request.user)[:200]})


def _citizen_page(request, code: str, *, status: int = 200, error: str = "", body: str = ""):
    ticket = ticket_get_for_citizen(user=request.user, code=code)
    return render(
        request,
        "consult/ticket.html",
        {
            "ticket": ticket,
            "thread": ticket.messages.all(),
            "ratings": Rating.choices,
            "error": error,
            "body": body,
            "can_follow_up": ticket.status == TicketStatus.ANSWERED,
            "can_close": ticket.status != TicketStatus.CLOSED,
        },
        status=status,
    )


@role_required(Role.CITIZEN)
def ticket_detail(request, code):
    return _citizen_page(request, code)


@role_required(Role.CITIZEN)
@require_POST
def ticket_action(request, code, action):
    body = request.POST.get("body", "")  # kept on the page when a follow-up is refused
    forms_by_action = {"follow-up": FollowUpForm, "close": None, "rate": RateForm}
    if action not in forms_by_action:
        raise Http404
    form_class = forms_by_action[action]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _citizen_page(request, code, status=400, error=form_error(form), body=body)
    data = form.cleaned_data if form is not None else {}
    try:
        if action == "follow-up":
            services.ticket_follow_up(citizen=request.user, code=code, body=data["body"])
            messages.success(request, _("追问已提交。"))
        elif action == "close":
            services.ticket_close_by_citizen(citizen=request.user, code=code)
            messages.success(request, _("工单已办结。"))
        else:
            services.ticket_rate(citizen=request.user, code=code, score=data["score"], comment=data["comment"])
            messages.success(request, _("感谢您的评价！"))
    except DomainError as exc:
        return _citizen_page(request, code, status=status_for(exc), error=str(exc.detail), body=body)
    return redirect("consult_ticket", code=code)


# --- Kiosk ------------------------------------------------------------------------------------------


def terminal_ask(request):
    """At the hall kiosk: swipe the ID card, choose a matter of this hall, ask."""
    terminal = device_for(request)
    if terminal is None:
        return redirect("terminal")
    matters = Matter.objects.filter(is_current=True, code__in=hall_matter_codes(hall_id=terminal.hall_id)).order_by(
        "name"
    )
    context = {
        "terminal": terminal,
        "matters": matters,
        "kinds": TicketKind.choices,
        "values": {},
        "error": "",
        "ticket": None,
    }
    if request.method == "POST":
        form = TerminalAskForm(request.POST)
        values = {k: form.data.get(k, "") for k in ("matter", "kind", "title", "content")}
        if not form.is_valid():
            return render(
                request,
                "consult/terminal_ask.html",
                {**context, "values": values, "error": form_error(form)},
                status=400,
            )
        data = form.cleaned_data
        try:
            ticket = services.ticket_ask_at_terminal(
                terminal=terminal,
                id_number=data["id_number"],
                matter_code=data["matter"],
                kind=data["kind"],
                title=data["title"],
                content=data["content"],
            )
        except DomainError as exc:
            # The ID number is never sent back to the page; everything else is kept.
            return render(
                request,
                "consult/terminal_ask.html",
                {**context, "values": values, "error": str(exc.detail)},
                status=status_for(exc),
            )
        context["ticket"] = ticket
    return render(request, "consult/terminal_ask.html", context)


# --- Clerks -----------------------------------------------------------------------------------------


@role_required(*STAFF)
def desk(request):
    return render(
        request, "consult/desk.html", {"queue": staff_queue(user=request.user), "today": timezone.localdate()}
    )


def _desk_page(
    request, code: str, *, status: int = 200, error: str = "", values: dict | None = None, revealed_phone: str = ""
):
    ticket = ticket_get_for_staff(user=request.user, code=code)
    return render(
        request,
        "consult/desk_ticket.html",
        {
            "ticket": ticket,
            "thread": ticket.messages.select_related("author"),
            "events": ticket.events.select_related("actor", "department"),
            "departments": Department.objects.order_by("code"),
            "is_owner": ticket.owner_id == request.user.id,
            "is_supervisor": services.supervises(request.user, ticket),
            "error": error,
            "values": values or {},
            "revealed_phone": revealed_phone,
        },
        status=status,
    )


@role_required(*STAFF)
def desk_ticket(request, code):
    return _desk_page(request, code)


@role_required(*STAFF)
@require_POST
def desk_action(request, code, action):
    p = request.POST
    user = request.user
    forms_by_action = {
        "claim": None,
        "reply": ReplyForm,
        "route": RouteForm,
        "close": None,
        "extend": ExtendForm,
        "reveal-phone": RevealPhoneForm,
        "publish": PublishForm,
    }
    if action not in forms_by_action:
        raise Http404
    form_class = forms_by_action[action]
    form = form_class(p) if form_class else None
    if form is not None and not form.is_valid():
        return _desk_page(request, code, status=400, error=form_error(form), values=p.dict())
    data = form.cleaned_data if form is not None else {}
    try:
        if action == "claim":
            services.ticket_claim(clerk=user, code=code)
            messages.success(request, _("已受理，您是本工单的首问责任人。"))
        elif action == "reply":
            services.ticket_reply(actor=user, code=code, body=data["body"])
            messages.success(request, _("答复已发送，市民会收到通知。"))
        elif action == "route":
            services.ticket_route(actor=user, code=code, department_code=data["department"], note=data["note"])
            messages.success(request, _("已转办。"))
        elif action == "close":
            services.ticket_close_by_staff(actor=user, code=code)
            messages.success(request, _("工单已办结。"))
        elif action == "extend":
            services.ticket_extend(supervisor=user, code=code, days=data["days"], reason=data["reason"])
            messages.success(request, _("已延期。"))
        elif action == "reveal-phone":
            phone = services.ticket_phone_reveal(actor=user, code=code, reason=data["reason"])
            # Shown once on this response, never in a URL or a redirect.
            return _desk_page(request, code, revealed_phone=phone)
        else:
            services.faq_publish(supervisor=user, code=code, question=data["question"], answer=data["answer"])
            messages.success(request, _("已发布到该事项的常见问题。"))
    except DomainError as exc:
        return _desk_page(request, code, status=status_for(exc), error=str(exc.detail), values=p.dict())
    if action == "claim" or ticket_visible(request, code):
        return redirect("consult_desk_ticket", code=code)
    return redirect("consult_desk")


def ticket_visible(request, code: str) -> bool:
    try:
        ticket_get_for_staff(user=request.user, code=code)
    except Http404:
        return False
    return True


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def desk_call(request):
    """A clerk logs a phone call; they own the ticket from the start."""
    context = {
        "matters": Matter.objects.filter(is_current=True).order_by("name").only("code", "name"),
        "kinds": TicketKind.choices,
        "values": {},
        "error": "",
    }
    if request.method == "POST":
        form = CallForm(request.POST)
        values = {
            k: form.data.get(k, "") for k in ("matter", "kind", "title", "content", "caller_name", "caller_phone")
        }
        if not form.is_valid():
            return render(
                request, "consult/call.html", {**context, "values": values, "error": form_error(form)}, status=400
            )
        data = form.cleaned_data
        try:
            ticket = services.ticket_log_call(
                clerk=request.user,
                matter_code=data["matter"],
                kind=data["kind"],
                title=data["title"],
                content=data["content"],
                caller_name=data["caller_name"],
                caller_phone=data["caller_phone"],
                id_number=data["id_number"],
            )
        except DomainError as exc:
            return render(
                request,
                "consult/call.html",
                {**context, "values": values, "error": str(exc.detail)},
                status=status_for(exc),
            )
        messages.success(request, _("来电已登记，工单编号 %(code)s。") % {"code": ticket.code})
        return redirect("consult_desk_ticket", code=ticket.code)
    return render(request, "consult/call.html", context)


# --- Supervisors ------------------------------------------------------------------------------------


@role_required(*SUPERVISORS)
def reports(request):
    try:
        scope = report_scope(user=request.user, params=request.GET)
    except DomainError as exc:
        return render(request, "error.html", {"message": str(exc.detail)}, status=status_for(exc))
    rows = ticket_report(tickets=scope.tickets, by=scope.by, today=timezone.localdate())
    if request.GET.get("export") == "csv":
        return report_csv(rows, by=scope.by, filename=f"consult-{scope.by}-{scope.date_from}-{scope.date_to}.csv")
    return render(
        request,
        "consult/reports.html",
        {"rows": rows, "scope": scope, "written_target_seconds": consult_conf.CONSULT_WRITTEN_ANSWER_SECONDS},
    )


# --- Public -----------------------------------------------------------------------------------------


def matter_faq(request, code):
    matter = _current_matter(code)
    if matter is None:
        raise Http404(_("未找到该事项。"))
    return render(request, "consult/faq.html", {"matter": matter, "faq": faq_for_matter(code)})
