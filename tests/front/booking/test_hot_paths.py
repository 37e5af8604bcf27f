"""The flash-crowd paths kept cheap (README "Benchmarks"): the early refusal before any transaction, the
availability answer from plain rows, the rate-limit counters in one round trip. Each one's answers must be
exactly those of the slow path it replaced."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from apps.front.booking.api import SlotSerializer
from apps.front.booking.fastpath import BOOKING_LOCK_CLASS
from apps.front.booking.models import Appointment, Slot
from apps.front.booking.selectors import slots_open_for
from govservice.lib.ratelimit import hit_many
from tests.factories import make_user
from tests.personas_front import make_slot


@pytest.mark.django_db
def test_a_visibly_full_slot_is_refused_by_one_read_without_a_transaction(api, citizen, hall, matter):
    full = make_slot(hall, capacity=1)
    Slot.objects.filter(id=full.id).update(booked=1)
    client = api(citizen)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/appointments/", {"slot": full.id, "matter": matter.code}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "slot_full"
    assert "已约满" in response.json()["detail"]
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert not Appointment.objects.filter(citizen=citizen).exists()
    # The test runs inside a transaction, as a checklist booking does: the early read's look at the citizen's
    # booking lock must leave nothing held (a held lock would deadlock against that citizen's next booking).
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_the_early_read_refuses_in_the_order_of_the_rules(api, citizen, hall, matter):
    """A citizen who already holds the matter is told "duplicate", not "full", as the transaction would."""
    free, full = make_slot(hall, capacity=1, hour=9), make_slot(hall, capacity=1, hour=10)
    client = api(citizen)
    assert (
        client.post("/api/v1/appointments/", {"slot": free.id, "matter": matter.code}, format="json").status_code == 201
    )
    Slot.objects.filter(id=full.id).update(booked=1)
    response = client.post("/api/v1/appointments/", {"slot": full.id, "matter": matter.code}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "duplicate")


@pytest.mark.django_db
def test_a_success_costs_one_read_and_a_short_transaction(api, citizen, slot, matter):
    client = api(citizen)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
        )
    assert response.status_code == 201
    body = response.json()
    assert (body["matter"], body["hall"], body["address"]) == (matter.name, slot.hall.name, slot.hall.address)
    assert body["start"] == timezone.localtime(slot.start).isoformat()
    # early read, citizen lock, read under the lock, insert, conditional UPDATE, event (+ savepoints in tests)
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 6, statements
    again = client.post(
        "/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert again.json()["code"] == body["code"]
    assert Slot.objects.get(id=slot.id).booked == 1


@pytest.mark.django_db(transaction=True)
def test_a_retry_while_the_first_request_is_in_flight_waits_for_its_result(api, hall, matter):
    """The slot looks full when the retry arrives, but the first request (holding the citizen's booking
    lock) is about to take a place freed meanwhile: the retry must not refuse early; it waits on the
    citizen lock and answers with the first request's appointment."""
    citizen = make_user("13800000042", role="citizen", real_name="王小明")
    slot = make_slot(hall, capacity=1)
    Slot.objects.filter(id=slot.id).update(booked=1)
    holding, answered = threading.Event(), {}

    def first_request():
        # What _book holds while it works: the citizen row, then the citizen's booking lock.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM accounts_user WHERE id = %s FOR NO KEY UPDATE", [citizen.id])
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [BOOKING_LOCK_CLASS, citizen.id])
            holding.set()
            # Until the retry waits on the citizen lock (or has answered without waiting: the defect).
            for _ in range(1000):
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                        " WHERE NOT l.granted AND a.datname = current_database()"
                    )
                    if cursor.fetchone()[0] or "retry" in answered:
                        break
                threading.Event().wait(0.01)
            Slot.objects.filter(id=slot.id).update(booked=F("booked") - 1)  # a place frees up ...
            Slot.objects.filter(id=slot.id).update(booked=F("booked") + 1)  # ... and the first request takes it
            answered["first"] = Appointment.objects.create(
                code="FIRST001", citizen=citizen, matter=matter, matter_code=matter.code, slot=slot,
                hall=hall, idempotency_key="same-key",
            ).code  # fmt: skip
        connection.close()

    def retry():
        answered["retry"] = api(citizen).post(
            "/api/v1/appointments/",
            {"slot": slot.id, "matter": matter.code},
            format="json",
            HTTP_IDEMPOTENCY_KEY="same-key",
        )
        connection.close()

    first = threading.Thread(target=first_request)
    first.start()
    assert holding.wait(5)
    second = threading.Thread(target=retry)
    second.start()
    first.join(10)
    second.join(10)
    response = answered["retry"]
    assert response.status_code == 201, response.json()
    assert response.json()["code"] == answered["first"] == "FIRST001"
    assert Slot.objects.get(id=slot.id).booked == 1


@pytest.mark.django_db
def test_availability_rows_are_exactly_what_the_serializer_wrote(api, hall, matter, settings):
    settings.BOOKING_RESALE_MINUTES = 30
    plain = make_slot(hall, capacity=3, hour=9)
    held = make_slot(hall, capacity=4, hour=10)
    make_slot(hall, capacity=5, hour=11, days_ahead=2)
    Slot.objects.filter(id=plain.id).update(booked=1)
    Slot.objects.filter(id=held.id).update(
        booked=1, waitlist_held=1, resale_held=1, resale_until=timezone.now() + dt.timedelta(minutes=5)
    )
    expected = JSONRenderer().render(
        SlotSerializer(slots_open_for(hall_id=hall.id, matter_code=matter.code), many=True).data
    )
    with CaptureQueriesContext(connection) as queries:
        response = api(None).get(f"/api/v1/slots/?hall={hall.id}&matter={matter.code}")
    assert response.status_code == 200
    assert response.content == expected
    assert [s["remaining"] for s in response.json()] == [2, 1, 5]
    assert len(queries) == 1


@pytest.mark.django_db
def test_availability_query_count_does_not_grow_with_slots(api, hall, matter):
    counts = []
    for hour in (9, 10, 11):
        make_slot(hall, capacity=2, hour=hour)
        with CaptureQueriesContext(connection) as queries:
            assert api(None).get(f"/api/v1/slots/?hall={hall.id}&matter={matter.code}").status_code == 200
        counts.append(len(queries))
    assert counts == [1, 1, 1]


def test_both_counters_are_counted_in_one_round_trip_and_each_limit_holds():
    counters = [("pair:ip", "127.0.0.9", 3), ("pair:user", "77", 2)]
    answers = [hit_many(counters, window_seconds=3600) for _ in range(4)]
    assert [allowed for allowed, _ in answers] == [True, True, False, False]
    assert all(0 < retry <= 3600 for _, retry in answers)
    # The per-user counter refused the third; the IP counter counted it too and refuses from the fourth on.
    assert hit_many([("pair:ip", "127.0.0.9", 3)], window_seconds=3600)[0] is False


@pytest.mark.parametrize(
    "body",
    [
        {"slot": 7, "matter": "M-001"},
        {"slot": 7, "matter": "事项-001"},
        {"slot": 2**63 - 1, "matter": "M" * 64},
        {"slot": 2**63, "matter": "M-001"},
        {"slot": 0, "matter": "M-001"},
        {"slot": True, "matter": "M-001"},
        {"slot": "7", "matter": "M-001"},
        {"slot": 7.0, "matter": "M-001"},
        {"slot": 7, "matter": "M" * 65},
        {"slot": 7, "matter": " M-001"},
        {"slot": 7, "matter": "M-001\n"},
        {"slot": 7, "matter": "M\x00001"},
        {"slot": 7, "matter": "M\ud800"},
        {"slot": 7, "matter": ""},
        {"slot": 7, "matter": 1},
        {"slot": 7},
        {"slot": 7, "matter": "M-001", "green_category": ""},
        {"slot": 7, "matter": "M-001", "extra": "ignored"},
    ],
)
def test_the_plain_booking_body_is_read_exactly_as_the_serializer_reads_it(body):
    from apps.front.booking.api import BookSerializer, _plain_booking

    plain = _plain_booking(body)
    serializer = BookSerializer(data=body)
    if plain is not None:
        assert serializer.is_valid(), serializer.errors
        assert plain == dict(serializer.validated_data)
    elif "green_category" not in body and serializer.is_valid():
        # Valid bodies the fast path leaves to the serializer: only those it would change on the way in.
        assert (
            body["slot"] != serializer.validated_data["slot"]
            or type(body["slot"]) is not int
            or body["matter"] != serializer.validated_data["matter"]
        )
