"""Staff-only booking work with its own pages: a clerk books a phone caller (or someone at the desk) on the
share of a slot reserved for them, and a hall supervisor lifts a citizen's online-booking block (no-shows,
late cancellations) with a recorded reason, outside the admin (DOMAIN.md §3)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.shared.accounts.models import Role, User
from apps.shared.accounts.selectors import citizen_verified_by_id_number
from apps.shared.catalog.models import Matter
from govservice.api import DomainError, status_for
from govservice.lib.codes import form_idempotency_key
from govservice.roles import role_required

from .forms import StaffBookForm, StandingLookupForm, WaiverForm, first_error
from .models import BookingStanding, GroupMatter, PenaltyWaiver, StaffPost
from .selectors import reserved_slots_for, standings_blocked
from .services import appointment_book_by_staff, penalty_waive


def _hall_matters(hall_id: int) -> list[Matter]:
    codes = GroupMatter.objects.filter(group__hall_id=hall_id).values("matter_code")
    return list(Matter.objects.filter(code__in=codes, is_current=True, bookable=True).order_by("code"))


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def staff_booking(request):
    """电话预约: the matter first (in the address), then the caller's ID number and a slot (posted)."""
    post = StaffPost.objects.select_related("hall").filter(user=request.user).first()
    if post is None:
        return render(request, "error.html", {"message": _("您尚未分配到大厅。")}, status=403)
    matters = _hall_matters(post.hall_id)
    code = (request.POST.get("matter") or request.GET.get("matter") or "").strip()
    matter = next((m for m in matters if m.code == code), None)
    page = {
        "hall": post.hall,
        "matters": matters,
        "matter": matter,
        "slots": [],
        "errors": [],
        "booked": None,
        "idempotency_key": form_idempotency_key(),
    }
    status = 200
    if request.method == "POST":
        form = StaffBookForm(request.POST)
        if not form.is_valid():
            page["errors"], status = [first_error(form)], 400
        else:
            data = form.cleaned_data
            try:
                citizen = citizen_verified_by_id_number(data["id_number"])
                if citizen is None:
                    raise DomainError(_("未找到该身份证号码对应的市民账户，请先为其注册。"), code="citizen_not_found")
                page["booked"] = appointment_book_by_staff(
                    staff=request.user,
                    citizen=citizen,
                    slot_id=data["slot"],
                    matter_code=data["matter"],
                    idempotency_key=data["idempotency_key"],
                )
            except DomainError as exc:
                page["errors"], status = [str(exc.detail)], status_for(exc)
    if matter is not None:
        page["slots"] = list(reserved_slots_for(hall_id=post.hall_id, matter_code=matter.code))
    return render(request, "booking/staff_booking.html", page, status=status)


def _waiver_page(request, **extra):
    page = {
        "blocked": list(standings_blocked()[:100]),
        "waivers": PenaltyWaiver.objects.select_related("citizen", "staff")[:20],
        "found": None,
        "errors": [],
        **extra,
    }
    return page


@role_required(Role.HALL_SUPERVISOR)
def supervisor_penalties(request):
    """The citizens whose online booking is blocked, one found by ID number (posted), and the waiver of a
    block with its reason; the recent waivers below (who, why, when)."""
    if request.method != "POST":
        return render(request, "booking/supervisor_penalties.html", _waiver_page(request))
    if "id_number" in request.POST:
        lookup = StandingLookupForm(request.POST)
        if not lookup.is_valid():
            return render(
                request,
                "booking/supervisor_penalties.html",
                _waiver_page(request, errors=[first_error(lookup)]),
                status=400,
            )
        citizen = citizen_verified_by_id_number(lookup.cleaned_data["id_number"])
        if citizen is None:
            page = _waiver_page(request, errors=[_("未找到该身份证号码对应的市民账户。")])
            return render(request, "booking/supervisor_penalties.html", page, status=404)
        standing = BookingStanding.objects.filter(citizen=citizen).first()
        return render(request, "booking/supervisor_penalties.html", _waiver_page(request, found=(citizen, standing)))
    form = WaiverForm(request.POST)
    if not form.is_valid():
        return render(
            request, "booking/supervisor_penalties.html", _waiver_page(request, errors=[first_error(form)]), status=400
        )
    citizen = User.objects.filter(id=form.cleaned_data["citizen"], role=Role.CITIZEN).first()
    if citizen is None:
        return render(
            request,
            "booking/supervisor_penalties.html",
            _waiver_page(request, errors=[_("未找到该市民。")]),
            status=404,
        )
    try:
        penalty_waive(staff=request.user, citizen=citizen, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return render(
            request,
            "booking/supervisor_penalties.html",
            _waiver_page(request, errors=[str(exc.detail)]),
            status=status_for(exc),
        )
    messages.success(request, _("已解除%(name)s的网上预约暂停，并豁免违约记录。") % {"name": citizen.masked_name})
    return redirect("supervisor_penalties")
