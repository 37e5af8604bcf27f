"""Call-next's fast path (README "Benchmarks"): one statement finds the window, claims the ticket and reads
what the answer shows; the answer is TicketSerializer's, from an instance built once per process."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.front.floor.api import TicketSerializer
from apps.front.floor.models import Priority, Ticket, TicketEvent
from tests.front.floor.factories import make_ticket


@pytest.mark.django_db
def test_the_call_next_answer_is_exactly_the_serializers(api, clerk, hall, matter):
    group = hall.groups.get()
    make_ticket(group, matter, display_name="李*")
    green = make_ticket(group, matter, priority=Priority.GREEN_CHANNEL, display_name="张*")
    client = api(clerk)
    for expected_id in (green.id, None):
        body = client.post("/api/v1/workbench/call-next/").json()
        ticket = Ticket.objects.select_related("matter", "group", "window").get(id=body["id"])
        assert body == TicketSerializer(ticket).data
        if expected_id is not None:
            assert body["id"] == expected_id  # the green channel first
        assert (body["status"], body["window"], body["people_ahead"], body["estimated_wait_minutes"]) == (
            "called",
            1,
            0,
            0,
        )
        assert ticket.served_by_id == clerk.id and ticket.called_at <= timezone.now()
        # The CALL event, written by the claim statement itself: one per call, as ticket_event_record writes it.
        event = TicketEvent.objects.get(ticket=ticket)
        assert (event.action, event.actor_id, event.window_id, event.hall_id) == (
            "call",
            clerk.id,
            ticket.window_id,
            hall.id,
        )
        assert (event.from_status, event.to_status, event.note, event.at) == ("waiting", "called", "", ticket.called_at)
    assert client.post("/api/v1/workbench/call-next/").status_code == 204
