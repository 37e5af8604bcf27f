"""Citizen pages: find a matter, read what to bring, book, see and cancel appointments."""

from __future__ import annotations

import datetime as dt
import itertools

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.front.booking.conf import booking_conf
from apps.shared.accounts.models import Role
from apps.shared.catalog.models import Department
from apps.shared.catalog.selectors import matter_get, matters_search
from govservice.api import DomainError, status_for
from govservice.lib.codes import form_idempotency_key
from govservice.roles import role_required

from .forms import BookForm, ClosureForm, IdempotentForm, RescheduleForm, WaitlistJoinForm, first_error
from .models import Appointment, AppointmentStatus, GreenCategory, HallClosure, WindowGroup
from .selectors import (
    MAX_ID,
    SlotPicker,
    appointment_get_for_citizen,
    booking_rules,
    day_choice,
    full_days_for,
    nearest_free_slots,
    slot_picker,
    slots_open_for,
    waitlist_for_citizen,
)
from .services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    closure_create,
    hall_for_supervisor,
    waitlist_accept,
    waitlist_join,
    waitlist_leave,
)


def _id(value: str) -> int | None:
    return int(value) if value.isdecimal() and int(value) <= MAX_ID else None


def home(request):
    q = request.GET.get("q", "").strip()
    department = request.GET.get("department", "")
    matters = matters_search(q=q, department=department)
    grouped = [(dept, list(items)) for dept, items in itertools.groupby(matters, key=lambda m: m.department)]
    return render(
        request,
        "booking/home.html",
        {
            "q": q,
            "department": department,
            "grouped": grouped,
            "departments": Department.objects.all(),
            "count": len(matters),
        },
    )


def picker_template(request, page: str) -> str:
    """The booking pages' time picker answers htmx with the part it replaces: a day's times (the day picker
    targets #slot-times), or the hall's days and times (the hall picker targets #slots); else the page."""
    if not request.htmx:
        return page
    return "booking/_slot_times.html" if request.htmx.target == "slot-times" else "booking/_slots.html"


def matter_detail(request, code):
    matter = matter_get(code=code)
    picker = slot_picker(matter=matter, hall_param=request.GET.get("hall", ""), day_param=request.GET.get("day", ""))
    full_days: list[dt.date] = []
    if picker.hall is not None and matter.bookable:
        full_days = full_days_for(hall_id=picker.hall.id, matter_code=matter.code)
    return render(
        request,
        picker_template(request, "booking/matter_detail.html"),
        {
            "matter": matter,
            "picker": picker,
            "halls": picker.halls,
            "hall": picker.hall,
            "full_days": full_days,
            "picker_url": reverse("matter", args=[matter.code]),
            "book_url": reverse("book", args=[matter.code]),
            "idempotency_key": form_idempotency_key(),
            "green_categories": GreenCategory.choices,
            "rules": booking_rules(),
        },
    )


@login_required
@require_POST
def book(request, code):
    # The slot picker lives on the matter page: an error goes back there (POST, redirect, GET).
    form = BookForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("matter", code=code)
    try:
        appointment = appointment_book(
            citizen=request.user,
            slot_id=form.cleaned_data["slot"],
            matter_code=code,
            idempotency_key=form.cleaned_data["idempotency_key"],
            green_category=form.cleaned_data["green_category"],
        )
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("matter", code=code)
    messages.success(request, _("预约成功！"))
    return redirect("appointment", code=appointment.code)


@login_required
def appointment_detail(request, code):
    appointment = appointment_get_for_citizen(citizen=request.user, code=code)
    qr = segno.make(appointment.code, micro=False).svg_inline(scale=5)
    context = {
        "appointment": appointment,
        "qr": qr,
        "rules": booking_rules(),
        "idempotency_key": form_idempotency_key(),
    }
    if appointment.status == AppointmentStatus.BOOKED:
        # Reschedule with the booking page's day/time picker: the same matter at the same hall, any bookable
        # time but the current one.
        open_slots = slots_open_for(hall_id=appointment.hall_id, matter_code=appointment.matter_code)[:400]
        days, day, times = day_choice(
            (s for s in open_slots if s.id != appointment.slot_id), request.GET.get("day", "")
        )
        context["picker"] = SlotPicker(days=days, day=day, times=times)
        context["picker_url"] = reverse("appointment", args=[appointment.code])
    elif appointment.status == AppointmentStatus.CANCELLED_BY_HALL:
        context["offers"] = nearest_free_slots(
            hall_id=appointment.hall_id, matter_code=appointment.matter_code, limit=5
        )
    if request.htmx and request.htmx.target == "slot-times":
        return render(request, "booking/_slot_times.html", context)
    return render(request, "booking/appointment_detail.html", context)


@login_required
@require_POST
def appointment_reschedule_view(request, code):
    appointment = get_object_or_404(Appointment, citizen=request.user, code=code)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("appointment", code=code)
    try:
        new = appointment_reschedule(
            citizen=request.user,
            appointment_id=appointment.id,
            slot_id=form.cleaned_data["slot"],
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("appointment", code=code)
    messages.success(request, _("改约成功！原预约已取消。"))
    return redirect("appointment", code=new.code)


@login_required
@require_POST
def appointment_cancel_view(request, code):
    appointment = get_object_or_404(Appointment, citizen=request.user, code=code)
    try:
        appointment_cancel(citizen=request.user, appointment_id=appointment.id)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("预约已取消。"))
    return redirect("appointment", code=code)


def _ics_text(value: str) -> str:
    # RFC 5545 §3.3.11: escape backslash, semicolon, comma and newlines in TEXT values.
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@login_required
def appointment_ics(request, code):
    """The appointment as a calendar event (.ics), with what to bring."""
    appointment = appointment_get_for_citizen(citizen=request.user, code=code)
    stamp = "%Y%m%dT%H%M%SZ"
    utc = dt.UTC
    bring = "；".join(m.name for m in appointment.matter.materials.all() if m.required)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Cloud Window//govservice//ZH",
        "BEGIN:VEVENT",
        f"UID:{appointment.code}@cloudwindow",
        f"DTSTAMP:{timezone.now().astimezone(utc):{stamp}}",
        f"DTSTART:{appointment.slot.start.astimezone(utc):{stamp}}",
        f"DTEND:{appointment.slot.end.astimezone(utc):{stamp}}",
        f"SUMMARY:{_ics_text(f'{appointment.matter.name}（预约码 {appointment.code}）')}",
        f"LOCATION:{_ics_text(f'{appointment.hall.name} {appointment.hall.address}')}",
        f"DESCRIPTION:{_ics_text('请携带：' + bring + '。签到时间：开始前30分钟至开始后15分钟。')}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.code}.ics"'
    return response


@login_required
def waitlist_view(request):
    """The citizen's waitlist: join a full day (POST from the matter page), see offers, accept or leave."""
    if request.method == "POST":
        # Joined from the matter page's full days: an error goes back there (POST, redirect, GET).
        form = WaitlistJoinForm(request.POST)
        matter_code = form.data.get("matter", "")
        back = redirect("matter", code=matter_code) if matter_code else redirect("waitlist")
        if not form.is_valid():
            messages.error(request, first_error(form))
            return back
        try:
            waitlist_join(
                citizen=request.user,
                matter_code=matter_code,
                hall_id=form.cleaned_data["hall"],
                date=form.cleaned_data["date"],
            )
        except DomainError as exc:
            messages.error(request, str(exc.detail))
            return back
        messages.success(request, _("已登记候补。有名额释放时将按登记顺序为您保留，并短信通知。"))
        return redirect("waitlist")
    return render(
        request,
        "booking/waitlist.html",
        {
            "entries": waitlist_for_citizen(citizen=request.user),
            "hold_minutes": booking_conf.BOOKING_WAITLIST_HOLD_MINUTES,
        },
    )


@login_required
@require_POST
def waitlist_action(request, entry_id, action):
    try:
        if action == "accept":
            form = IdempotentForm(request.POST)
            form.is_valid()  # an optional key, cut to length: this form cannot be invalid
            appointment = waitlist_accept(
                citizen=request.user, entry_id=entry_id, idempotency_key=form.cleaned_data.get("idempotency_key", "")
            )
            messages.success(request, _("预约成功！"))
            return redirect("appointment", code=appointment.code)
        if action == "leave":
            waitlist_leave(citizen=request.user, entry_id=entry_id)
            messages.success(request, _("已退出候补。"))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    return redirect("waitlist")


@role_required(Role.HALL_SUPERVISOR)
def supervisor_closures(request):
    """The hall supervisor closes their hall, or one window group, for a day or part of one."""
    hall = hall_for_supervisor(request.user)
    if hall is None:
        return render(request, "error.html", {"message": _("您尚未分配到大厅。")}, status=403)
    groups = list(WindowGroup.objects.filter(hall=hall))
    page = {
        "hall": hall,
        "groups": groups,
        "form": dict.fromkeys(ClosureForm.base_fields, ""),
        "closures": _closures(hall),
    }
    if request.method != "POST":
        return render(request, "booking/supervisor_closures.html", page)
    form = ClosureForm(request.POST)
    page["form"] = form.values()  # what was typed stays in the page's form
    if not form.is_valid():
        page["errors"] = [str(message) for messages in form.errors.values() for message in messages]
        return render(request, "booking/supervisor_closures.html", page, status=400)
    data = form.cleaned_data
    try:
        group = next((g for g in groups if str(g.id) == data["group"]), None)
        if data["group"] and group is None:
            raise DomainError(_("本大厅没有该窗口组。"), code="not_found")
        closure = closure_create(
            actor=request.user,
            hall=hall,
            group=group,
            date=data["date"],
            start=data["start"],
            end=data["end"],
            reason=data["reason"],
            move=data["move"] == "1",
        )
    except DomainError as exc:
        page["errors"] = [str(exc.detail)]
        return render(request, "booking/supervisor_closures.html", page, status=status_for(exc))
    counts = {"closure": closure, "moved": closure.moved_count, "cancelled": closure.cancelled_count}
    if closure.moved_count:
        done = _(
            "已暂停服务：%(closure)s。改约到最近空余时段%(moved)s个，取消预约%(cancelled)s个，已通知市民并推荐最近可约时段。"
        )
    else:
        done = _("已暂停服务：%(closure)s。取消预约%(cancelled)s个，已通知市民并推荐最近可约时段。")
    messages.success(request, done % counts)
    return redirect("supervisor_closures")


def _closures(hall):
    return HallClosure.objects.filter(hall=hall, date__gte=timezone.localdate()).select_related("group", "created_by")[
        :50
    ]
