"""Citizen case pages, and the clerk's intake at the window."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from apps.accounts.models import Role
from apps.booking.selectors import appointments_for_citizen
from apps.feedback.models import Notification, Score
from apps.hall.services import ticket_get_for_clerk
from govservice.api import DomainError
from govservice.roles import role_required

from .selectors import case_get_for_citizen, cases_for_citizen
from .services import Upload, case_accept


@login_required
def my_services(request):
    return render(
        request,
        "intake/my_services.html",
        {
            "appointments": appointments_for_citizen(citizen=request.user)[:50],
            "cases": cases_for_citizen(citizen=request.user)[:50],
            "inbox": Notification.objects.filter(recipient=request.user, channel="inbox")[:20],
        },
    )


@login_required
def case_detail(request, number):
    case = case_get_for_citizen(citizen=request.user, number=number)
    evaluation = getattr(case, "evaluation", None) if hasattr(case, "evaluation") else None
    return render(request, "intake/case_detail.html", {"case": case, "evaluation": evaluation, "scores": Score.choices})


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def intake_ticket(request, ticket_id):
    try:
        ticket = ticket_get_for_clerk(clerk=request.user, ticket_id=ticket_id)
    except DomainError as exc:
        return render(request, "error.html", {"message": exc.detail}, status=exc.status_code)
    materials = list(ticket.matter.materials.all())
    if request.method == "POST":
        uploads = [Upload(m.id, f) for m in materials for f in request.FILES.getlist(f"material_{m.id}")]
        try:
            case, password = case_accept(clerk=request.user, ticket_id=ticket.id, uploads=uploads)
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            return render(request, "intake/accepted.html", {"case": case, "password": password})
    return render(request, "intake/intake.html", {"ticket": ticket, "materials": materials})
