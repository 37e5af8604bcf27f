"""The one visit of an online application to have originals seen (issue 15; services/originals.py): the
citizen books it for the case, and the clerk checks the originals from the ticket of that visit."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.front.booking.selectors import slots_open_for
from apps.front.floor.services import ticket_get_for_clerk
from apps.shared.accounts.models import Role
from govservice.api import DomainError, status_for
from govservice.roles import role_required

from .forms import form_errors
from .models import OriginalOutcome, OriginalsCheck
from .selectors import case_get_for_citizen
from .services import original_mark, original_visit_book, originals_check_for_ticket, originals_to_see

# The slots offered on the page: the first ones open at the case's hall.
SLOTS_SHOWN = 40


class VisitForm(forms.Form):
    slot = forms.IntegerField(label=gettext_lazy("时段"), min_value=1, max_value=2**63 - 1)


class OriginalForm(forms.Form):
    material = forms.IntegerField(label=gettext_lazy("材料"), min_value=1, max_value=2**63 - 1)
    outcome = forms.ChoiceField(label=gettext_lazy("核验结果"), choices=OriginalOutcome.choices)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)


@login_required
def original_visit(request, number):
    """Book the one visit for this case (its hall, its matter): the appointment names the case."""
    case = case_get_for_citizen(citizen=request.user, number=number)
    status = 200
    if request.method == "POST":
        form = VisitForm(request.POST)
        if form.is_valid():
            try:
                check = original_visit_book(citizen=request.user, number=case.number, slot_id=form.cleaned_data["slot"])
            except DomainError as exc:
                messages.error(request, str(exc.detail))
                status = status_for(exc)
            else:
                assert check.appointment is not None
                messages.success(
                    request, _("已预约到大厅核验原件，预约码 %(code)s。") % {"code": check.appointment.code}
                )
                return redirect("case", number=case.number)
        else:
            for error in form_errors(form):
                messages.error(request, error)
            status = 400
    check = OriginalsCheck.objects.filter(case=case).select_related("appointment__slot").first()
    slots = []
    if case.needs_original_visit and (check is None or check.completed_at is None):
        slots = list(slots_open_for(hall_id=case.hall_id, matter_code=case.matter.code)[:SLOTS_SHOWN])
    return render(
        request,
        "intake/original_visit.html",
        {"case": case, "check": check, "slots": slots, "originals": originals_to_see(case)},
        status=status,
    )


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
                    clerk=request.user, ticket_id=ticket.id, number=number, material_id=data["material"],
                    outcome=data["outcome"], note=data["note"],
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
