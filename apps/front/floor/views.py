"""Kiosk pages for smart terminals, the clerk's calling workbench and the hall's display board."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.front.booking.models import StaffPost
from apps.front.floor.conf import floor_conf
from apps.shared.accounts.models import Role
from apps.shared.catalog.selectors import matter_get
from govservice.api import DomainError, status_for
from govservice.care import clear_reader_choices
from govservice.lib.codes import form_idempotency_key
from govservice.roles import role_required

from .devices import device_activate, device_for
from .forms import CheckinForm, DeviceTokenForm, TicketNoteForm, TransferForm, WalkInForm
from .models import GreenReason, Ticket
from .selectors import board_for, board_hall, estimated_wait_minutes, kiosk_matters, people_ahead, workbench_for
from .services import (
    checkin_by_code,
    terminal_authenticate,
    ticket_call_next,
    ticket_finish,
    ticket_mark_missed,
    ticket_park,
    ticket_recall,
    ticket_resume,
    ticket_start,
    ticket_transfer,
    ticket_walk_in,
    todays_appointment_code,
)


def _terminal(request):
    return device_for(request)


# --- Kiosk ------------------------------------------------------------------------------------------


def terminal_home(request):
    """A terminal is activated once with its device token (kept in the kiosk's session)."""
    if request.method == "POST" and "token" in request.POST:
        activation = DeviceTokenForm(request.POST)
        terminal = terminal_authenticate(activation.cleaned_data["token"]) if activation.is_valid() else None
        if terminal is None:
            return render(request, "floor/terminal_activate.html", {"error": _("终端令牌无效。")}, status=400)
        device_activate(request, terminal)  # a kiosk stays activated; its token is not kept
        return redirect("terminal")
    terminal = _terminal(request)
    if terminal is None:
        return render(request, "floor/terminal_activate.html", {})
    return render(request, "floor/terminal.html", {"terminal": terminal})


@require_GET
@never_cache
def terminal_reset(request):
    """Where an idle kiosk screen goes (kiosk.js, after KIOSK_IDLE_SECONDS): the start screen, in the site's
    language and the standard mode, whatever the last person chose. What they typed went with their page."""
    return clear_reader_choices(redirect("terminal"))


def _walk_in_page(request, terminal, *, status: int = 200, **context):
    """Two steps on a touch screen: the window group (its letter in ``?group=``), then one of its matters
    (``?matter=`` or the one sent back preselects it). A hall with one group starts at its matters."""
    groups = context.setdefault("groups", kiosk_matters(hall=terminal.hall))
    selected = context.setdefault("selected", request.GET.get("matter", ""))
    letter = request.GET.get("group", "")
    group = next((g for g in groups if selected in {m.code for m in g.matters}), None) if selected else None
    group = (
        group
        or next((g for g in groups if g.group.letter == letter), None)
        or (groups[0] if len(groups) == 1 else None)
    )
    context["chosen_group"] = group
    context["chosen_matter"] = next((m for m in group.matters if m.code == selected), None) if group else None
    return render(
        request,
        "floor/walk_in.html",
        {
            "terminal": terminal,
            "green_reasons": GreenReason.choices,
            # One key per form shown: pressing twice, or a resent POST, gives the same ticket.
            "idempotency_key": form_idempotency_key(),
            **context,
        },
        status=status,
    )


@require_POST
def terminal_checkin(request):
    terminal = _terminal(request)
    if terminal is None:
        return redirect("terminal")
    form = CheckinForm(request.POST)
    form.is_valid()  # one optional text field: this form cannot be invalid
    code = form.cleaned_data["code"]
    try:
        ticket = checkin_by_code(terminal=terminal, code=code)
    except DomainError as exc:
        if exc.error_code == "too_late":
            # DOMAIN.md §3: later arrivals join the walk-in queue, for the matter they booked. An ID card
            # was read when 18 characters came in: the page carries the appointment code, never the ID.
            late_code = code.strip().upper()
            if len(late_code) == 18:
                late_code = todays_appointment_code(terminal=terminal, id_number=late_code)
            return _walk_in_page(request, terminal, late_code=late_code, error=exc.detail, groups=[])
        # The code stays in the field, to be corrected rather than typed again.
        return render(
            request,
            "floor/terminal.html",
            {"terminal": terminal, "error": exc.detail, "code": code},
            status=status_for(exc),
        )
    return redirect("terminal_ticket", ticket_id=ticket.id)


def terminal_walk_in(request):
    terminal = _terminal(request)
    if terminal is None:
        return redirect("terminal")
    if request.method != "POST":
        return _walk_in_page(request, terminal)
    form = WalkInForm(request.POST)
    form.is_valid()  # optional text fields: this form cannot be invalid; the service decides what they mean
    data = form.cleaned_data
    late_code = data["appointment_code"]
    try:
        ticket = ticket_walk_in(
            terminal=terminal,
            matter_code=data["matter"],
            green_channel=data["green_channel"],
            id_number=data["id_number"],
            appointment_code=late_code,
            idempotency_key=data["idempotency_key"],
        )
    except DomainError as exc:
        return _walk_in_page(
            request,
            terminal,
            status=status_for(exc),
            error=exc.detail,
            late_code=late_code,
            selected=data["matter"],
            chosen_green=data["green_channel"],
            **({"groups": []} if late_code else {}),
        )
    return redirect("terminal_ticket", ticket_id=ticket.id)


@never_cache
def terminal_ticket(request, ticket_id: int):
    """The printable ticket (80 mm), with its rating code: only on the kiosk that issued it, and only for a
    few minutes (a reprint), so that nobody reads other people's codes by trying ticket ids."""
    terminal = _terminal(request)
    if terminal is None:
        return redirect("terminal")
    ticket = (
        Ticket.objects.select_related("matter", "group", "hall")
        .filter(
            id=ticket_id,
            terminal=terminal,
            service_date=timezone.localdate(),
            checked_in_at__gte=timezone.now() - dt.timedelta(minutes=floor_conf.HALL_TICKET_REPRINT_MINUTES),
        )
        .first()
    )
    if ticket is None:
        raise Http404
    ahead = people_ahead(ticket)
    return render(
        request,
        "floor/ticket.html",
        {"terminal": terminal, "ticket": ticket, "ahead": ahead, "wait": estimated_wait_minutes(ticket, ahead=ahead)},
    )


# --- Workbench --------------------------------------------------------------------------------------


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def workbench(request):
    post = StaffPost.objects.select_related("hall", "window", "window__group").filter(user=request.user).first()
    if request.method == "POST":
        try:
            ticket = ticket_call_next(clerk=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            if ticket is None:
                messages.info(request, _("当前没有等候的号码。"))
            else:
                messages.success(
                    request,
                    _("已叫号：请 %(label)s 号到 %(window)s 号窗口办理。")
                    % {"label": ticket.label, "window": ticket.window.number},
                )
        return redirect("workbench")
    bench = workbench_for(post=post) if post is not None and post.window is not None else None
    return render(
        request, "floor/workbench.html", {"post": post, "bench": bench, "max_recalls": floor_conf.HALL_MAX_RECALLS}
    )


@require_GET
@never_cache
def workbench_queue(request):
    """The window's waiting queue, which the workbench swaps every two seconds (htmx), as the board does.
    Polled in the background: a lost session or another role answers a status htmx leaves unswapped,
    never a login page inside the table."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    if request.user.role not in (Role.CLERK, Role.HALL_SUPERVISOR):
        return HttpResponse(status=403)
    post = StaffPost.objects.select_related("hall", "window", "window__group").filter(user=request.user).first()
    if post is None or post.window is None:
        return HttpResponse(status=204)
    return render(request, "floor/_queue.html", {"bench": workbench_for(post=post)})


# The clerk's buttons: each runs one service on a ticket at the clerk's window.
TICKET_ACTIONS = {
    "recall": ticket_recall,
    "missed": ticket_mark_missed,
    "start": ticket_start,
    "finish": ticket_finish,
    "resume": ticket_resume,
}
ACTION_MESSAGES = {
    "recall": gettext_noop("已重呼 %(label)s。"),
    "missed": gettext_noop("%(label)s 已标记过号。"),
    "start": gettext_noop("%(label)s 开始办理。"),
    "finish": gettext_noop("%(label)s 已办结。"),
    "resume": gettext_noop("已恢复并重新呼叫 %(label)s。"),
    "park": gettext_noop("%(label)s 已挂起。"),
    "transfer": gettext_noop("%(label)s 已转至其他窗口组。"),
}


def _run_action(action: str, *, clerk, ticket_id: int, data) -> Ticket:
    form = TransferForm(data) if action == "transfer" else TicketNoteForm(data)
    if not form.is_valid():
        raise DomainError(next(str(m) for errors in form.errors.values() for m in errors), code="group_required")
    note = form.cleaned_data["note"]
    if action == "park":
        return ticket_park(clerk=clerk, ticket_id=ticket_id, note=note)
    if action == "transfer":
        return ticket_transfer(clerk=clerk, ticket_id=ticket_id, group_id=form.cleaned_data["group"], note=note)
    return TICKET_ACTIONS[action](clerk=clerk, ticket_id=ticket_id)


@require_POST
@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def workbench_action(request, ticket_id: int, action: str):
    if action not in ACTION_MESSAGES:
        raise Http404
    try:
        ticket = _run_action(action, clerk=request.user, ticket_id=ticket_id, data=request.POST)
    except DomainError as exc:
        if status_for(exc) == 404:
            raise Http404 from None
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _(ACTION_MESSAGES[action]) % {"label": ticket.label})
        if action == "finish":
            # 一次一评: the window tablet (apps.front.ratings) now offers this service for rating.
            messages.info(request, _("请邀请市民在窗口评价器上对本次服务进行评价（自愿）。"))
    return redirect("workbench")


# --- Display board ----------------------------------------------------------------------------------


@require_GET
def board(request, hall_code: str):
    """The hall's call board: public, no login, nothing personal beyond masked names (DOMAIN.md §8)."""
    hall = board_hall(code=hall_code)
    return render(request, "floor/board.html", {"board": board_for(hall=hall)})


@require_GET
@never_cache
def board_live(request, hall_code: str):
    """The part of the board that htmx swaps every two seconds."""
    hall = board_hall(code=hall_code)
    return render(request, "floor/_board.html", {"board": board_for(hall=hall)})


def terminal_guide(request):
    """The matter guide at the kiosk: the hall's matters, and the one-time checklist of the one chosen."""
    terminal = _terminal(request)
    if terminal is None:
        return redirect("terminal")
    groups = kiosk_matters(hall=terminal.hall)
    codes = {m.code for g in groups for m in g.matters}
    code = request.GET.get("matter", "")
    matter = matter_get(code=code) if code in codes else None
    # Category browsing on a touch screen: a group (?group=), then its matters, then one matter's list.
    letter = request.GET.get("group", "")

    def shown(entry) -> bool:
        return (matter is not None and matter.code in {m.code for m in entry.matters}) or (
            matter is None and entry.group.letter == letter
        )

    group = next((g for g in groups if shown(g)), None) or (groups[0] if len(groups) == 1 else None)
    context = {"terminal": terminal, "groups": groups, "chosen_group": group, "matter": matter}
    return render(request, "floor/terminal_guide.html", context)
