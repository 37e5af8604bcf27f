"""A hall supervisor closes a day in a real browser; the citizen's appointment is cancelled by the hall
and their page offers the nearest free slots."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.front.booking.models import Appointment, AppointmentStatus, HallClosure, StaffPost
from apps.front.booking.services import appointment_book
from apps.shared.accounts.models import Role
from tests.factories import PASSWORD, make_user
from tests.personas_front import make_slot

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_closes_a_day_and_the_citizen_sees_it(page, live_server, browser, hall, matter, citizen):
    supervisor = make_user("hallsup", Role.HALL_SUPERVISOR, real_name="陈建国")
    StaffPost.objects.create(user=supervisor, hall=hall)
    slot = make_slot(hall, hour=9, capacity=2)
    later = make_slot(hall, days_ahead=2, hour=10, capacity=2)
    appointment = appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
    day = timezone.localdate() + dt.timedelta(days=1)

    login(page, live_server, supervisor.username, PASSWORD)
    page.get_by_role("link", name="暂停服务").click()
    expect(page.get_by_role("heading", name=f"暂停服务（闭厅） · {hall.name}")).to_be_visible()
    page.get_by_label("日期").fill(day.isoformat())
    page.get_by_label("范围").select_option(label="整个大厅")
    page.get_by_label("原因（将告知市民）").fill("电力检修")
    page.get_by_role("button", name="确认暂停服务").click()
    expect(page.get_by_text("取消预约1个，已通知市民并推荐最近可约时段。")).to_be_visible()
    expect(page.locator("#closures")).to_contain_text("电力检修")
    page.screenshot(path="/tmp/supervisor-closure.png", full_page=True)
    closure = HallClosure.objects.get()
    assert (closure.date, closure.cancelled_count, closure.created_by) == (day, 1, supervisor)
    assert Appointment.objects.get(id=appointment.id).status == AppointmentStatus.CANCELLED_BY_HALL

    # The citizen's appointment page says why, that it does not count against them, and what is free.
    citizen_page = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    login(citizen_page, live_server, citizen.username, PASSWORD)
    citizen_page.goto(f"{live_server.url}/appointments/{appointment.code}/")
    expect(citizen_page.locator("#hall-cancelled")).to_contain_text("电力检修")
    expect(citizen_page.locator("#offers")).to_contain_text(timezone.localtime(later.start).strftime("%H:%M"))
    citizen_page.get_by_role("link", name="重新预约").click()
    expect(citizen_page.get_by_role("heading", name=matter.name)).to_be_visible()
