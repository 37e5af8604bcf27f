"""The personal checklist carried into a booking, and from the appointment into the online pre-filing."""

from __future__ import annotations

import re

import pytest

from apps.front.booking.models import Appointment
from apps.front.guidance.demo import SOCIAL_CARD
from apps.front.guidance.models import Checklist

from .conftest import page_client

pytestmark = pytest.mark.django_db


def answer(client, **answers) -> Checklist:
    before = set(Checklist.objects.values_list("id", flat=True))
    response = client.post(f"/guide/{SOCIAL_CARD}/", {f"q_{k}": v for k, v in answers.items()})
    assert response.status_code == 302
    return Checklist.objects.exclude(id__in=before).get()


def test_it_books_from_the_checklist_and_the_appointment_shows_it(card_matter, citizen, slot, hall):
    client = page_client(citizen)
    checklist = answer(client, proxy="yes", minor="no", photo="kept")
    page = client.get(f"/checklists/{checklist.code}/book/").content.decode()
    assert hall.name in page and f'value="{slot.id}"' in page
    # Booking's time picker, posting to the checklist's own confirm (never the matter's book view).
    assert f'action="/checklists/{checklist.code}/book/confirm/" id="book-form"' in page
    # A random key per form, never built from the session (tests/front/booking/test_no_session_secrets.py).
    assert re.search(r'name="idempotency_key" value="[0-9a-f]{32}"', page)
    fragment = client.get(
        f"/checklists/{checklist.code}/book/?hall={hall.id}", headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment and f'action="/checklists/{checklist.code}/book/confirm/"' in fragment
    response = client.post(f"/checklists/{checklist.code}/book/confirm/", {"slot": slot.id, "idempotency_key": "k1"})
    appointment = Appointment.objects.get(citizen=citizen)
    assert response["Location"] == f"/appointments/{appointment.code}/"
    checklist.refresh_from_db()
    assert checklist.appointment == appointment
    html = client.get(f"/appointments/{appointment.code}/").content.decode()
    assert checklist.code in html
    items = html.split('id="checklist-items"')[1].split("</ul>")[0]
    assert "授权委托书及受托人居民身份证" in items and "申请人居民身份证" in items
    assert "近期一寸白底免冠彩色照片" not in items and "监护人居民身份证" not in items
    # The online pre-filing asks only for what the checklist needs.
    uploads = html.split('action="/appointments/')[1].split("</form>")[0]
    ids = {m.key: m.id for m in card_matter.materials.all()}
    assert f'name="material_{ids["power-of-attorney"]}"' in uploads
    assert f'name="material_{ids["photo"]}"' not in uploads
    # Booked once: the checklist page links to the appointment instead of offering a second booking.
    assert f"/appointments/{appointment.code}/" in client.get(f"/checklists/{checklist.code}/").content.decode()
    again = client.post(
        f"/checklists/{checklist.code}/book/confirm/", {"slot": slot.id, "idempotency_key": "k2"}, follow=True
    )
    assert "这份清单已用于预约" in again.content.decode()
    assert Appointment.objects.filter(citizen=citizen).count() == 1


def test_it_makes_an_anonymous_checklist_the_booking_citizens(card_matter, citizen, slot):
    checklist = answer(page_client(), proxy="no", minor="yes", photo="none")
    client = page_client(citizen)
    client.post(f"/checklists/{checklist.code}/book/confirm/", {"slot": slot.id})
    checklist.refresh_from_db()
    assert checklist.citizen == citizen and checklist.appointment is not None


def test_it_keeps_the_checklist_when_the_booking_fails(card_matter, citizen, slot):
    client = page_client(citizen)
    checklist = answer(client, proxy="no", minor="no", photo="none")
    response = client.post(f"/checklists/{checklist.code}/book/confirm/", {"slot": "abc"}, follow=True)
    assert "请选择一个预约时段" in response.content.decode()
    response = client.post(f"/checklists/{checklist.code}/book/confirm/", {"slot": 999999}, follow=True)
    assert "预约时段不存在" in response.content.decode()
    checklist.refresh_from_db()
    assert checklist.appointment is None and not Appointment.objects.exists()


def test_it_shows_the_generic_list_on_an_appointment_booked_without_a_checklist(api, card_matter, citizen, slot):
    code = (
        api(citizen)
        .post("/api/v1/appointments/", {"slot": slot.id, "matter": card_matter.code}, format="json")
        .json()["code"]
    )
    html = page_client(citizen).get(f"/appointments/{code}/").content.decode()
    assert 'id="checklist-items"' not in html and "监护人居民身份证" in html


def test_it_answers_a_repeated_booking_request_with_the_same_appointment(card_matter, citizen, slot):
    client = page_client(citizen)
    checklist = answer(client, proxy="no", minor="no", photo="none")
    first = client.post(f"/checklists/{checklist.code}/book/confirm/", {"slot": slot.id, "idempotency_key": "same"})
    second = client.post(f"/checklists/{checklist.code}/book/confirm/", {"slot": slot.id, "idempotency_key": "same"})
    appointment = Appointment.objects.get(citizen=citizen)
    assert first["Location"] == second["Location"] == f"/appointments/{appointment.code}/"
    slot.refresh_from_db()
    assert slot.booked == 1


def test_it_carries_the_green_channel_choice_into_the_booking(card_matter, citizen, slot):
    client = page_client(citizen)
    checklist = answer(client, proxy="no", minor="no", photo="none")
    assert "绿色通道" in client.get(f"/checklists/{checklist.code}/book/").content.decode()
    client.post(f"/checklists/{checklist.code}/book/confirm/", {"slot": slot.id, "green_category": "disabled"})
    assert Appointment.objects.get(citizen=citizen).green_category == "disabled"


@pytest.mark.parametrize("value", ["", "x", "²", str(2**63), "-1"])
def test_a_slot_or_hall_that_is_no_id_gets_a_message_not_an_error(card_matter, citizen, slot, hall, value):
    client = page_client(citizen)
    checklist = answer(client, proxy="yes", minor="no", photo="kept")
    assert client.get(f"/checklists/{checklist.code}/book/", {"hall": value}).status_code == 200
    response = client.post(
        f"/checklists/{checklist.code}/book/confirm/", {"slot": value, "idempotency_key": "k1"}, follow=True
    )
    assert response.status_code == 200
    assert "请选择一个预约时段" in response.content.decode()
    assert not Appointment.objects.filter(citizen=citizen).exists()
