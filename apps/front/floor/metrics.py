"""The halls' queues as the operators see them (apps/shared/observability): today's tickets per hall, one
grouped query on the (hall, day, status) index."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, Q
from django.utils import timezone

from apps.shared.observability.registry import gauge

from .models import Ticket, TicketStatus


def _today_by_hall() -> list[Any]:
    return list(
        Ticket.objects.filter(service_date=timezone.localdate())
        .values("hall__code")
        .annotate(
            waiting=Count("id", filter=Q(status=TicketStatus.WAITING)),
            oldest=Min("checked_in_at", filter=Q(status=TicketStatus.WAITING)),
            waited=Avg(
                ExpressionWrapper(F("called_at") - F("checked_in_at"), output_field=DurationField()),
                filter=Q(called_at__isnull=False),
            ),
        )
        .order_by("hall__code")
    )


@gauge("hall_queue_length", "Tickets waiting to be called now, per hall.", ["hall"])
def hall_queue_length():
    return [((row["hall__code"],), row["waiting"]) for row in _today_by_hall()]


@gauge(
    "hall_queue_oldest_wait_seconds", "How long the longest-waiting ticket has waited, per hall (0: nobody).", ["hall"]
)
def hall_queue_oldest_wait():
    now = timezone.now()
    return [
        ((row["hall__code"],), (now - row["oldest"]).total_seconds() if row["oldest"] else 0.0)
        for row in _today_by_hall()
    ]


@gauge("hall_wait_seconds_avg", "Average wait from check-in to call of today's called tickets, per hall.", ["hall"])
def hall_wait_avg():
    return [((row["hall__code"],), row["waited"].total_seconds() if row["waited"] else 0.0) for row in _today_by_hall()]
