"""The one visit of an online application to have its originals seen (最多跑一次; services/originals.py): booked,
seen and cancelled for the case by its applicant or by someone acting for them, at the address the receipt gives.
The clerk's side (the check at the window, from the visit's ticket) is intake's views_originals.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.front.intake.models import Case, OriginalsCheck
from apps.front.intake.services import originals_to_see
from govservice.api import DomainError, status_for

from .forms import form_errors
from .services import originals_visit_book, originals_visit_cancel, visit_authority, visit_case_for, visit_slots


class VisitForm(forms.Form):
    slot = forms.IntegerField(label=gettext_lazy("时段"), min_value=1, max_value=2**63 - 1)


def _case_page(case: Case, *, acting: bool) -> str:
    """Where the person goes back to: the applicant's case page, or the agent's page of the principal's case."""
    if acting:
        return reverse("mandates:case", args=[case.citizen_id, case.number])
    return reverse("case", args=[case.number])


@login_required
def original_visit(request, number):
    """Book (or cancel) the one visit for this case (its hall, its matter): the appointment names the case. Someone
    acting for the applicant sees the page only within their authority now, and is told why not otherwise."""
    case = visit_case_for(user=request.user, number=number)
    acting = case.citizen_id != request.user.pk
    try:
        authority = visit_authority(user=request.user, case=case)
    except DomainError as exc:
        return render(request, "error.html", {"message": exc.detail}, status=status_for(exc))
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            try:
                originals_visit_cancel(actor=request.user, number=case.number)
            except DomainError as exc:
                messages.error(request, str(exc.detail))
                status = status_for(exc)
            else:
                messages.success(request, _("已取消核验原件的预约，可重新预约。"))
                return redirect("original_visit", number=case.number)
        else:
            form = VisitForm(request.POST)
            if form.is_valid():
                try:
                    check = originals_visit_book(
                        actor=request.user, number=case.number, slot_id=form.cleaned_data["slot"]
                    )
                except DomainError as exc:
                    messages.error(request, str(exc.detail))
                    status = status_for(exc)
                else:
                    assert check.appointment is not None
                    if acting:
                        text = _("已为%(name)s预约到大厅核验原件，预约码 %(code)s。") % {
                            "name": case.citizen.real_name,
                            "code": check.appointment.code,
                        }
                    else:
                        text = _("已预约到大厅核验原件，预约码 %(code)s。") % {"code": check.appointment.code}
                    messages.success(request, text)
                    return redirect(_case_page(case, acting=acting))
            else:
                for error in form_errors(form):
                    messages.error(request, error)
                status = 400
    check = OriginalsCheck.objects.filter(case=case).select_related("appointment__slot", "appointment__agent").first()
    slots = []
    if case.needs_original_visit and (check is None or check.completed_at is None):
        slots = visit_slots(case)
    context = {
        "case": case,
        "check": check,
        "slots": slots,
        "originals": originals_to_see(case),
        "acting": authority is not None,
        "back": _case_page(case, acting=acting),
    }
    return render(request, "online/original_visit.html", context, status=status)
