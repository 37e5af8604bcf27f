"""A citizen books an appointment through the pages, in a real browser."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.booking.models import Appointment
from tests.factories import PASSWORD
from tests.personas_front import make_slot

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_books_an_appointment_through_the_pages(page, live_server, citizen, hall, matter, other_hall):
    make_slot(hall, hour=9, capacity=3)
    make_slot(hall, hour=10, capacity=1)
    login(page, live_server, citizen.username, PASSWORD)
    expect(page.get_by_role("link", name="我的办事")).to_be_visible()

    page.get_by_label("搜索事项").fill("保障卡")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name=matter.name).click()
    expect(page.get_by_role("heading", name=matter.name)).to_be_visible()
    # The one-time checklist is on the page before any trip.
    expect(page.get_by_role("cell", name="居民身份证")).to_be_visible()

    page.get_by_label("选择大厅").select_option(label=hall.name)
    # htmx loads the slots without a reload; remaining places are shown.
    expect(page.get_by_text("余 3")).to_be_visible()
    page.get_by_text("10:00–10:30").click()
    page.get_by_role("button", name="确认预约").click()

    expect(page.get_by_text("预约成功！")).to_be_visible()
    code = page.locator("#appointment-code").inner_text()
    assert re.fullmatch(r"[2-9A-Z]{8}", code)
    expect(page.get_by_text(hall.address)).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    appointment = Appointment.objects.get(code=code)
    assert appointment.citizen == citizen
    assert timezone.localtime(appointment.slot.start).hour == 10
    assert appointment.slot.booked == 1

    page.goto(f"{live_server.url}/me/")
    expect(page.get_by_role("link", name=code)).to_be_visible()
    page.screenshot(path="/tmp/citizen-booking.png", full_page=True)
