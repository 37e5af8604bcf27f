"""The booking path's statements written once: the facts' read PREPAREd once per database connection."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.booking.models import Slot
from tests.personas_front import make_slot


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_the_facts_read_is_prepared_once_per_connection_and_recovers_from_a_failed_first_use(api, citizen, hall, matter):
    full = make_slot(hall, capacity=1)
    Slot.objects.filter(id=full.id).update(booked=1)
    client = api(citizen)

    def refused() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/api/v1/appointments/", {"slot": full.id, "matter": matter.code}, format="json")
        assert (response.status_code, response.json()["code"]) == (409, "slot_full")
        return len(queries)

    assert refused() == 1  # first use on this connection or not: PREPARE and EXECUTE are one call
    assert "booking_facts_early" in _prepared_names()
    assert refused() == 1
    # A first use that failed leaves it unknown whether the statement exists: the next first use starts over.
    state = connection._booking_prepared
    state[1].clear()
    state[2] = True
    assert refused() == 1
    assert "booking_facts_early" in _prepared_names() and state[1] == {"booking_facts_early"} and state[2] is False
    # Kept per connection: a new connection (CONN_MAX_AGE, a broken one replaced) is another object.
    assert state[0] is connection.connection
