"""Appointment messages sent by periodic jobs, each exactly once: the confirmation, the reminder the day
before and the one an hour before. A conditional UPDATE of the appointment's marker claims the message in
the same transaction that writes it, so a job run twice (or two beats) never sends one twice."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.front.notifications.services import notify

from ..models import Appointment, AppointmentStatus
from .appointments import message_context

DAY = dt.timedelta(hours=24)
HOUR = dt.timedelta(hours=1)


def _send(appointment_ids: list[int], *, marker: str, event: str, now: dt.datetime) -> int:
    sent = 0
    for appointment_id in appointment_ids:
        with transaction.atomic():
            claimed = Appointment.objects.filter(
                id=appointment_id, status=AppointmentStatus.BOOKED, **{f"{marker}__isnull": True}
            ).update(**{marker: now})
            if not claimed:
                continue
            appointment = Appointment.objects.select_related("citizen", "matter", "hall", "slot").get(id=appointment_id)
            notify(recipient=appointment.citizen, event=event, context=message_context(appointment))
            sent += 1
    return sent


def appointment_messages_send(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    now = now or timezone.now()
    booked = Appointment.objects.filter(status=AppointmentStatus.BOOKED, slot__start__gt=now)
    confirmations = list(booked.filter(confirmed_sent_at__isnull=True).values_list("id", flat=True)[:limit])
    day_before = list(
        booked.filter(
            reminded_day_at__isnull=True,
            slot__start__lte=now + DAY,
            slot__start__gt=now + HOUR,
            # Booked within the last day before the start: the confirmation was that day's message.
            created_at__lte=F("slot__start") - DAY,
        ).values_list("id", flat=True)[:limit]
    )
    hour_before = list(
        booked.filter(reminded_hour_at__isnull=True, slot__start__lte=now + HOUR).values_list("id", flat=True)[:limit]
    )
    return {
        "confirmed": _send(confirmations, marker="confirmed_sent_at", event="booking.confirmed", now=now),
        "day_before": _send(day_before, marker="reminded_day_at", event="booking.reminder", now=now),
        "hour_before": _send(hour_before, marker="reminded_hour_at", event="booking.reminder_hour", now=now),
    }
