import threading

import pytest

from govservice.lib.ratelimit import hit


@pytest.mark.django_db
def test_it_limits_bookings_per_citizen_with_a_clear_answer(settings, api, citizen, slot, matter):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "booking": (2, 1000, 60)}
    client = api(citizen)
    answers = [
        client.post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json") for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 409, 429]
    assert answers[2].json()["code"] == "throttled"
    assert "频繁" in answers[2].json()["detail"]
    assert int(answers[2].headers["Retry-After"]) >= 1


@pytest.mark.django_db
def test_it_limits_per_ip_across_citizens(settings, api, citizen, other_citizen, slot, matter):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "booking": (100, 1, 60)}
    assert (
        api(citizen).post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json").status_code
        == 201
    )
    assert (
        api(other_citizen)
        .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        .status_code
        == 429
    )


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_escape_the_per_ip_limit(
    settings, api, citizen, other_citizen, slot, matter
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "booking": (100, 1, 60)}
    body = {"slot": slot.id, "matter": matter.code}
    assert api(citizen).post("/api/v1/appointments/", body, format="json").status_code == 201
    forged = api(other_citizen).post("/api/v1/appointments/", body, format="json", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert forged.status_code == 429


def test_it_admits_exactly_the_limit_under_concurrency():
    barrier = threading.Barrier(24)
    results = []

    def worker():
        barrier.wait()
        results.append(hit("race", "one-citizen", limit=7, window_seconds=3600)[0])

    threads = [threading.Thread(target=worker) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 7
    assert len(results) == 24


@pytest.mark.django_db(transaction=True)
def test_it_answers_busy_when_a_lock_is_held_too_long(api, citizen, slot, matter):
    """A pile-up on one row ends in a clear 429 "busy" within the lock timeout, and nothing is kept."""
    from django.db import connection, transaction

    from apps.front.booking.models import Appointment, Slot

    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        with transaction.atomic():
            Slot.objects.select_for_update().get(id=slot.id)
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(5)
        response = api(citizen).post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
    finally:
        release.set()
        holder.join()
    assert response.status_code == 429
    assert response.json()["code"] == "busy"
    assert response["Retry-After"] == "1"
    assert not Appointment.objects.filter(citizen=citizen).exists()
    assert Slot.objects.get(id=slot.id).booked == 0
