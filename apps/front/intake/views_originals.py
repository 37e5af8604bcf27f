"""The one visit of an online application to have originals seen (issue 15; services/originals.py): the clerk
checks the originals from the ticket of that visit. Booking it (the applicant or their agent) is online's page
(apps/front/online/views_originals.py), where the mandates are checked."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.front.floor.services import ticket_get_for_clerk
from apps.shared.accounts.models import Role
from govservice.api import DomainError, status_for
from govservice.roles import role_required

from .forms import form_errors
from .models import OriginalOutcome
from .services import original_mark, originals_check_for_ticket, originals_to_see


class OriginalForm(forms.Form):
    material = forms.IntegerField(label=gettext_lazy("材料"), min_value=1, max_value=2**63 - 1)
    outcome = forms.ChoiceField(label=gettext_lazy("核验结果"), choices=OriginalOutcome.choices)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def originals_check(request, ticket_id, number):
    """The case's originals check, opened by the ticket of the visit booked for it: each original marked seen
    (the evidence becomes level B) or a mismatch recorded. Never a new case."""
    try:
        ticket = ticket_get_for_clerk(clerk=request.user, ticket_id=ticket_id)
        check = originals_check_for_ticket(ticket)
        if check is None or check.case.number != number or check.case.citizen_id != ticket.citizen_id:
            raise DomainError(_("该办件不是本号申请人预约核验原件的办件。"), code="not_this_applicant")
    except DomainError as exc:
        return render(request, "error.html", {"message": exc.detail}, status=status_for(exc))
    status = 200
    if request.method == "POST":
        form = OriginalForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                original_mark(
                    clerk=request.user,
                    ticket_id=ticket.id,
                    number=number,
                    material_id=data["material"],
                    outcome=data["outcome"],
                    note=data["note"],
                )
            except DomainError as exc:
                messages.error(request, str(exc.detail))
                status = status_for(exc)
            else:
                messages.success(request, _("核验结果已记录。"))
                return redirect("originals_check", ticket_id=ticket.id, number=number)
        else:
            for error in form_errors(form):
                messages.error(request, error)
            status = 400
        check.refresh_from_db()
    return render(
        request,
        "intake/originals_check.html",
        {"ticket": ticket, "check": check, "case": check.case, "originals": originals_to_see(check.case)},
        status=status,
    )
