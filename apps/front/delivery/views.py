"""Pages: the public status lookup, the citizen's delivery choice, and the clerk's pickup desk. (The
e-licence is downloaded through intake's document view, which reports the owner's download here.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.shared.accounts.models import Role
from govservice.api import DomainError, status_for
from govservice.roles import role_required
from govservice.throttling import client_ip

from .forms import DeliveryChoiceForm, PickupForm, PickupLookupForm, TrackForm, form_error
from .selectors import case_public_status, delivery_for_staff, pickups_waiting
from .services import case_lookup, delivery_choose, delivery_choose_at_window, delivery_pickup


def track(request):
    """办件查询: number and query password, no account. The answer is a page, never a redirect to one:
    nothing that identifies the case goes into a URL or the browser's history."""
    context: dict = {"number": ""}
    status = 200
    if request.method == "POST":
        form = TrackForm(request.POST)
        context["number"] = str(form["number"].value() or "").strip().upper()
        if not form.is_valid():
            context["error"] = form_error(form)
            return render(request, "delivery/track.html", context, status=400)
        try:
            case = case_lookup(
                number=form.cleaned_data["number"], password=form.cleaned_data["password"], ip=client_ip(request)
            )
        except DomainError as exc:
            context["error"] = exc.detail
            status = status_for(exc)
        else:
            context["result"] = case_public_status(case)
    return render(request, "delivery/track.html", context, status=status)


@login_required
@require_POST
def choose(request, number):
    form = DeliveryChoiceForm(request.POST)
    if not form.is_valid():
        return render(request, "error.html", {"message": form_error(form)}, status=400)
    try:
        delivery_choose(citizen=request.user, number=number, **form.cleaned_data)
    except DomainError as exc:
        if status_for(exc) == 404:
            raise Http404 from None
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("领取方式已保存。"))
    return redirect("case", number=number)


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
@require_POST
def choose_at_window(request, number):
    """At intake, the clerk records how the applicant wants the result (the outcome page's form)."""
    form = DeliveryChoiceForm(request.POST)
    if not form.is_valid():
        return render(request, "error.html", {"message": form_error(form)}, status=400)
    try:
        delivery_choose_at_window(clerk=request.user, number=number, **form.cleaned_data)
    except Http404:
        return render(request, "error.html", {"message": _("本大厅无此办件。")}, status=404)
    except DomainError as exc:
        return render(request, "error.html", {"message": exc.detail}, status=status_for(exc))
    messages.success(request, _("已登记办件%(number)s的结果领取方式。") % {"number": number})
    return redirect("workbench")


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def pickup(request):
    """The clerk's pickup desk: results waiting at this hall; find one by case number, check the
    collector's ID (typed, or read by the card reader into the field), hand over, print the 送达回执."""
    lookup = PickupLookupForm(request.POST if "number" in request.POST else request.GET)
    number = lookup.cleaned_data["number"] if lookup.is_valid() else ""
    context: dict = {"waiting": pickups_waiting(user=request.user)[:50], "number": number}
    status = 200
    if not lookup.is_valid():
        context["error"] = _("办件编号有误，请核对。")
        return render(request, "delivery/pickup.html", context, status=400)
    if number:
        try:
            context["case"], context["delivery"] = delivery_for_staff(user=request.user, number=number)
        except Http404:
            context["error"] = _("本大厅无此办件。")
            return render(request, "delivery/pickup.html", context, status=404)
        if request.method == "POST":
            form = PickupForm(request.POST)
            if not form.is_valid():
                context["error"] = form_error(form)
                return render(request, "delivery/pickup.html", context, status=400)
            try:
                context["delivery"] = delivery_pickup(
                    clerk=request.user, number=number, id_number=form.cleaned_data["id_number"]
                )
            except DomainError as exc:
                context["error"] = exc.detail
                status = status_for(exc)
            else:
                context["handed_over"] = True
    return render(request, "delivery/pickup.html", context, status=status)
