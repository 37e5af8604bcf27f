"""Locking a case (to apply central's event, to accept, to deliver) locks the case row only: never the
citizen, matter or hall rows it was read with. A FOR UPDATE on those would make every new case, appointment
or ticket that refers to them (a foreign key takes FOR KEY SHARE) wait behind it, so one busy matter would
serialise the whole hall. Real threads, real PostgreSQL."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.front.intake.handlers import _case
from apps.front.intake.models import Case, CaseStatus


def _new_case_while_locked(lock, number, *, citizen, matter, hall, clerk) -> str:
    """Hold ``lock()`` in one transaction; meanwhile insert a case for the same citizen, matter and hall
    in another connection, with a short lock timeout. Returns "" or the error."""
    locked, done = threading.Event(), threading.Event()
    outcome: list[str] = []

    def holder() -> None:
        try:
            with transaction.atomic():
                lock()
                locked.set()
                done.wait(10)
        finally:
            connection.close()

    def inserter() -> None:
        locked.wait(10)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '500ms'")
                Case.objects.create(
                    number=number,
                    query_password_hash="x",
                    citizen=citizen,
                    matter=matter,
                    hall=hall,
                    clerk=clerk,
                    status=CaseStatus.RECEIVED,
                    received_at=timezone.now(),
                )
            outcome.append("")
        except Exception as exc:  # the lock timeout, if the other transaction locked a referenced row
            outcome.append(f"{type(exc).__name__}: {exc}")
        finally:
            done.set()
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=inserter)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return outcome[0]


@pytest.mark.django_db(transaction=True)
def test_applying_an_event_from_central_does_not_hold_up_new_cases_of_the_same_citizen_and_matter(
    citizen, hall, matter, clerk, central_peer
):
    case = Case.objects.create(
        number="TZ2026120100001",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.IN_REVIEW,
        accepted_at=timezone.now(),
    )
    error = _new_case_while_locked(
        lambda: _case(central_peer, case.number),
        "TZ2026120100002",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
    )
    assert error == ""
    # The check can fail: locking the citizen row as well is what it catches.
    error = _new_case_while_locked(
        lambda: Case.objects.select_for_update().select_related("citizen").get(id=case.id),
        "TZ2026120100003",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
    )
    assert "lock timeout" in error
