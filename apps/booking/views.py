"""Citizen pages: find a matter, read what to bring, book, see and cancel appointments."""

from __future__ import annotations

import datetime as dt
import itertools

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.catalog.models import Department
from apps.catalog.selectors import matter_get, matters_search
from govservice.api import DomainError

from .models import Appointment
from .selectors import appointment_get_for_citizen, halls_for_matter, slots_open_for
from .services import appointment_book, appointment_cancel


def home(request):
    q = request.GET.get("q", "").strip()
    department = request.GET.get("department", "")
    matters = matters_search(q=q, department=department)
    grouped = [(dept, list(items)) for dept, items in itertools.groupby(matters, key=lambda m: m.department)]
    return render(
        request,
        "booking/home.html",
        {"q": q, "department": department, "grouped": grouped, "departments": Department.objects.all(), "count": len(matters)},
    )


def matter_detail(request, code):
    matter = matter_get(code=code)
    halls = list(halls_for_matter(matter.code))
    hall = None
    days = []
    hall_param = request.GET.get("hall", "")
    if hall_param.isdigit():
        hall = next((h for h in halls if h.id == int(hall_param)), None)
    elif len(halls) == 1:
        hall = halls[0]
    if hall is not None and matter.bookable:
        slots = slots_open_for(hall_id=hall.id, matter_code=matter.code)
        days = [(day, list(items)) for day, items in itertools.groupby(slots, key=lambda s: s.date)]
    template = "booking/_slots.html" if request.htmx else "booking/matter_detail.html"
    return render(request, template, {"matter": matter, "halls": halls, "hall": hall, "days": days})


@login_required
@require_POST
def book(request, code):
    slot = request.POST.get("slot", "")
    if not slot.isdigit():
        messages.error(request, "请选择一个预约时段。 Please choose a time.")
        return redirect("matter", code=code)
    try:
        appointment = appointment_book(
            citizen=request.user, slot_id=int(slot), matter_code=code, idempotency_key=request.POST.get("idempotency_key", "")[:64]
        )
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("matter", code=code)
    messages.success(request, "预约成功！")
    return redirect("appointment", code=appointment.code)


@login_required
def appointment_detail(request, code):
    appointment = appointment_get_for_citizen(citizen=request.user, code=code)
    qr = segno.make(appointment.code, micro=False).svg_inline(scale=5)
    return render(request, "booking/appointment_detail.html", {"appointment": appointment, "qr": qr})


@login_required
@require_POST
def appointment_cancel_view(request, code):
    appointment = get_object_or_404(Appointment, citizen=request.user, code=code)
    try:
        appointment_cancel(citizen=request.user, appointment_id=appointment.id)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, "预约已取消。")
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
