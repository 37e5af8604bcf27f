"""The booking pages on a phone (issue 17): a day picker, then that day's times only; htmx loads a day's
times alone and tells screen readers; someone not signed in is told before choosing and comes back after
signing in; rescheduling uses the same picker and cancelling asks first. The endpoints the forms post to,
and their field names, are unchanged."""

from __future__ import annotations

import re

import pytest

from apps.front.booking.models import Appointment, AppointmentStatus
from apps.front.booking.selectors import day_choice
from apps.front.booking.services import appointment_book
from tests.personas_front import make_slot

pytestmark = pytest.mark.django_db

DAYS = re.compile(r'<input type="radio" name="day" value="([\d-]+)"( checked)?>')
TIMES = re.compile(r'<input type="radio" name="slot" value="(\d+)" required( disabled)?')


@pytest.fixture
def week(hall, matter):
    """Three open times on the first day, two on the third (one day between without any)."""
    first = [make_slot(hall, days_ahead=1, hour=h, capacity=2) for h in (9, 10, 11)]
    third = [make_slot(hall, days_ahead=3, hour=h, capacity=2) for h in (9, 14)]
    return first, third


def test_it_shows_the_days_then_one_days_times(client, citizen, matter, hall, week):
    first, third = week
    client.force_login(citizen)
    page = client.get(f"/matters/{matter.code}/?hall={hall.id}").content.decode()
    days = DAYS.findall(page)
    assert [d for d, _ in days] == [first[0].date.isoformat(), third[0].date.isoformat()]
    assert days[0][1] == " checked"  # the first day is chosen
    assert [int(i) for i, _ in TIMES.findall(page)] == [s.id for s in first]
    assert "3 个时段" in page and "2 个时段" in page
    assert 'class="confirm-bar"' in page and "确认预约" in page

    page = client.get(f"/matters/{matter.code}/?hall={hall.id}&day={third[0].date.isoformat()}").content.decode()
    assert [int(i) for i, _ in TIMES.findall(page)] == [s.id for s in third]


def test_htmx_loads_a_days_times_alone_and_tells_screen_readers(client, citizen, matter, hall, week):
    _, third = week
    client.force_login(citizen)
    response = client.get(
        f"/matters/{matter.code}/?hall={hall.id}&day={third[0].date.isoformat()}",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="slot-times",
    )
    part = response.content.decode()
    assert "<html" not in part and 'name="day"' not in part  # only the times; the day picker stays as it is
    assert [int(i) for i, _ in TIMES.findall(part)] == [s.id for s in third]
    assert re.search(r'<p id="picker-status" hx-swap-oob="innerHTML">已载入\d+月\d+日的可选时间：2个。</p>', part)

    # Choosing a hall loads its days and the first day's times, and says so too.
    part = client.get(
        f"/matters/{matter.code}/?hall={hall.id}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="slots"
    ).content.decode()
    assert len(DAYS.findall(part)) == 2 and f"已载入{hall.name}的可预约日期：2天。" in part


@pytest.mark.parametrize("day", ["2026-02-30", "someday", "1999-01-01"])
def test_a_day_that_is_not_offered_shows_the_first(client, citizen, matter, hall, week, day):
    first, _ = week
    client.force_login(citizen)
    response = client.get(f"/matters/{matter.code}/", {"hall": hall.id, "day": day})
    assert response.status_code == 200
    assert [int(i) for i, _ in TIMES.findall(response.content.decode())] == [s.id for s in first]


def test_a_day_with_a_nul_is_refused_at_the_door(client, citizen, matter, hall, week):
    """A NUL anywhere in an address is a 400 page before any view (govservice/middleware.py), never a 500."""
    client.force_login(citizen)
    response = client.get(f"/matters/{matter.code}/", {"hall": hall.id, "day": "2026-1-1\x00"})
    assert response.status_code == 400 and "空字符" in response.content.decode()


def test_someone_not_signed_in_is_told_before_choosing(client, matter, hall, week):
    page = client.get(f"/matters/{matter.code}/?hall={hall.id}").content.decode()
    assert "预约需要先登录。" in page
    link = re.search(r'<a class="button-link" href="([^"]+)">登录后选择时间</a>', page).group(1)
    assert link == f"/accounts/login/?next=/matters/{matter.code}/%3Fhall%3D{hall.id}%23booking"
    assert all(disabled for _, disabled in TIMES.findall(page))  # the times are shown, not choosable
    assert "确认预约" not in page


def test_day_choice_groups_slots_by_day(hall, matter, week):
    first, third = week
    days, day, times = day_choice(first + third, third[0].date.isoformat())
    assert days == [(first[0].date, 3), (third[0].date, 2)] and day == third[0].date and times == third
    assert day_choice([], "") == ([], None, [])


def test_rescheduling_uses_the_day_picker_and_cancelling_asks_first(client, citizen, matter, hall, week):
    first, third = week
    booked = appointment_book(citizen=citizen, slot_id=first[0].id, matter_code=matter.code)
    client.force_login(citizen)
    page = client.get(f"/appointments/{booked.code}/").content.decode()
    assert [d for d, _ in DAYS.findall(page)] == [first[0].date.isoformat(), third[0].date.isoformat()]
    # The current time is not offered again.
    assert [int(i) for i, _ in TIMES.findall(page)] == [first[1].id, first[2].id]
    assert f'action="/appointments/{booked.code}/reschedule/" id="reschedule-form"' in page
    part = client.get(
        f"/appointments/{booked.code}/?day={third[0].date.isoformat()}",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="slot-times",
    ).content.decode()
    assert [int(i) for i, _ in TIMES.findall(part)] == [s.id for s in third]

    # Cancelling: the first tap opens the question; the button inside posts to the same endpoint as before.
    step = re.search(r'<details class="confirm-step" id="cancel-step">(.*?)</details>', page, re.S).group(1)
    assert "确定取消" in step and f'action="/appointments/{booked.code}/cancel/"' in step and "确认取消预约" in step

    key = re.search(r'id="reschedule-form">.*?name="idempotency_key" value="(\w+)"', page, re.S).group(1)
    response = client.post(f"/appointments/{booked.code}/reschedule/", {"slot": third[1].id, "idempotency_key": key})
    assert response.status_code == 302
    assert Appointment.objects.get(code=booked.code).status == AppointmentStatus.CANCELLED_BY_CITIZEN
