"""Kiosk pages for smart terminals, and the clerk's calling workbench."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.booking.models import StaffPost
from govservice.api import DomainError
from govservice.roles import role_required

from .models import Ticket, TicketStatus
from .services import checkin_by_code, people_ahead, terminal_authenticate, ticket_call_next

SESSION_KEY = "terminal_token"


def _terminal(request):
    token = request.session.get(SESSION_KEY, "")
    return terminal_authenticate(token) if token else None


def terminal_home(request):
    """A terminal is activated once with its device token (kept in the kiosk's session)."""
    if request.method == "POST" and "token" in request.POST:
        if terminal_authenticate(request.POST["token"].strip()) is None:
            return render(request, "hall/terminal_activate.html", {"error": "终端令牌无效。"}, status=400)
        request.session[SESSION_KEY] = request.POST["token"].strip()
        return redirect("terminal")
    terminal = _terminal(request)
    if terminal is None:
        return render(request, "hall/terminal_activate.html", {})
    return render(request, "hall/terminal.html", {"terminal": terminal})


@require_POST
def terminal_checkin(request):
    terminal = _terminal(request)
    if terminal is None:
        return redirect("terminal")
    try:
        ticket = checkin_by_code(terminal=terminal, code=request.POST.get("code", ""))
    except DomainError as exc:
        return render(request, "hall/terminal.html", {"terminal": terminal, "error": exc.detail}, status=exc.status_code)
    return render(request, "hall/ticket.html", {"terminal": terminal, "ticket": ticket, "ahead": people_ahead(ticket)})


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
                messages.info(request, "当前没有等候的号码。 Nobody is waiting.")
            else:
                messages.success(request, f"请 {ticket.label} 号到 {ticket.window.number} 号窗口办理。")
                return redirect("intake_ticket", ticket_id=ticket.id)
    waiting = called = []
    if post and post.window:
        base = Ticket.objects.filter(group=post.window.group).select_related("matter").order_by("priority", "booked_start", "checked_in_at")
        waiting = base.filter(status=TicketStatus.WAITING)[:50]
        called = base.filter(status__in=[TicketStatus.CALLED, TicketStatus.SERVING], window=post.window)[:10]
    return render(request, "hall/workbench.html", {"post": post, "waiting": waiting, "called": called})
