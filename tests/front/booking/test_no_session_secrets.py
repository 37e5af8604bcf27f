"""No secret of a session is rendered, stored in a business table or shown in the admin (issue 12, finding
2): the booking page once built its idempotency key from the citizen's session id, stored it with the
appointment and showed it to hall supervisors, who could paste it into a cookie and act as the citizen."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.front.booking.models import Appointment

pytestmark = pytest.mark.django_db


def AUDIT():
    return apps.get_model("booking", "AppointmentAudit")


KEY = re.compile(r'name="idempotency_key" value="([^"]*)"')


def test_it_never_writes_the_session_id_into_the_booking_page(client, citizen, slot, matter, hall):
    client.force_login(citizen)
    first = client.get(f"/matters/{matter.code}/?hall={hall.id}").content.decode()
    again = client.get(f"/matters/{matter.code}/?hall={hall.id}").content.decode()
    session_key = client.session.session_key
    assert session_key and session_key not in first and session_key not in again
    keys = KEY.findall(first) + KEY.findall(again)
    assert len(keys) == 2 and keys[0] != keys[1] and all(len(key) == 32 for key in keys)


def test_a_booking_through_the_page_stores_no_session_id(client, citizen, slot, matter, hall):
    client.force_login(citizen)
    page = client.get(f"/matters/{matter.code}/?hall={hall.id}").content.decode()
    (key,) = KEY.findall(page)
    response = client.post(f"/matters/{matter.code}/book/", {"slot": slot.id, "idempotency_key": key})
    assert response.status_code == 302
    appointment = Appointment.objects.get(citizen=citizen)
    assert appointment.idempotency_key == key and client.session.session_key not in appointment.idempotency_key
    audit = AUDIT().objects.filter(pgh_obj=appointment).values_list("idempotency_key", flat=True)
    assert list(audit) and client.session.session_key not in "".join(audit)


def test_the_admin_never_shows_an_appointments_idempotency_key(admin_client, citizen, slot, matter, hall):
    appointment = Appointment.objects.create(
        code="ADMKEY01",
        citizen=citizen,
        matter=matter,
        matter_code=matter.code,
        slot=slot,
        hall=hall,
        idempotency_key="retry-token-0123456789",
    )
    page = admin_client.get(f"/admin/booking/appointment/{appointment.pk}/change/")
    assert page.status_code == 200 and "ADMKEY01" in page.content.decode()
    assert "retry-token-0123456789" not in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_migration_replaces_the_session_ids_already_stored(citizen, slot, matter, hall):
    session_shaped = "k" * 32 + f"-{matter.code}-1764000000"
    kept = "0f1e2d3c-api-client-key"
    Appointment.objects.create(
        code="OLDKEY01",
        citizen=citizen,
        matter=matter,
        matter_code=matter.code,
        slot=slot,
        hall=hall,
        idempotency_key=session_shaped,
    )
    other = Appointment.objects.create(
        code="OLDKEY02", citizen=citizen, matter=matter, matter_code="OTHER", slot=slot, hall=hall, idempotency_key=kept
    )
    before = [("booking", "0006_waitlist_unfilled")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    scrubbed = Appointment.objects.get(code="OLDKEY01").idempotency_key
    assert scrubbed.startswith("scrubbed-") and "k" * 32 not in scrubbed
    assert Appointment.objects.get(pk=other.pk).idempotency_key == kept
    audit = "".join(AUDIT().objects.values_list("idempotency_key", flat=True))
    assert "k" * 32 not in audit and kept in audit
