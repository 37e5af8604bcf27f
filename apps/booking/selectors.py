"""Reads for booking."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.db.models.functions import Now
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.accounts.models import User

from .models import Appointment, Hall, Slot


def halls_for_matter(matter_code: str) -> QuerySet[Hall]:
    return Hall.objects.filter(groups__matter_links__matter_code=matter_code).distinct().order_by("code")


def slots_open_for(*, hall_id: int, matter_code: str) -> QuerySet[Slot]:
    """Released slots from tomorrow on, of the hall's groups handling the matter, with places left."""
    return (
        Slot.objects.filter(
            hall_id=hall_id,
            group__matter_links__matter_code=matter_code,
            date__gt=timezone.localdate(),
            release_at__lte=Now(),
            booked__lt=F("capacity"),
        )
        .select_related("group")
        .order_by("start")
    )


def appointment_get_for_citizen(*, citizen: User, code: str) -> Appointment:
    """404 when the appointment is not this citizen's: nobody learns another's code exists."""
    return get_object_or_404(
        Appointment.objects.select_related("matter", "hall", "slot", "slot__group"), citizen=citizen, code=code
    )


def appointments_for_citizen(*, citizen: User) -> QuerySet[Appointment]:
    return Appointment.objects.filter(citizen=citizen).select_related("matter", "hall", "slot").order_by("-slot__start")
