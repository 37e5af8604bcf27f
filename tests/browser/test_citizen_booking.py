"""A citizen books, reschedules and cancels an appointment through the pages, in a real browser."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.front.booking.models import Appointment, AppointmentStatus, Slot
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

    # htmx reloads the slots for the hall: wait for that answer before choosing, or the swap would
    # replace the form under the click.
    with page.expect_response(lambda r: f"/matters/{matter.code}/" in r.url):
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


def test_it_reschedules_and_then_cancels_through_the_pages(page, live_server, citizen, hall, matter):
    page.set_viewport_size({"width": 360, "height": 800})
    nine = make_slot(hall, hour=9, capacity=2)
    make_slot(hall, hour=10, capacity=1)
    eleven = make_slot(hall, days_ahead=2, hour=11, capacity=1)
    login(page, live_server, citizen.username, PASSWORD)
    page.goto(f"{live_server.url}/matters/{matter.code}/?hall={hall.id}")
    page.get_by_text("09:00–09:30").click()
    # The confirm bar names the chosen time and stays in view at the bottom of the phone's screen.
    bar = page.locator("#book-form .confirm-bar")
    expect(bar).to_contain_text("09:00–09:30")
    assert bar.bounding_box()["y"] + bar.bounding_box()["height"] <= 800
    bar.get_by_role("button", name="确认预约").click()
    expect(page.get_by_text("预约成功！")).to_be_visible()
    first_code = page.locator("#appointment-code").inner_text()

    # Reschedule with the same day/time picker: the other day, then its time, with its remaining places.
    form = page.locator("#reschedule-form")
    expect(form.locator("input[name=slot]")).to_have_count(1)  # the first day's other time (not the booked one)
    expect(form.get_by_text("10:00–10:30")).to_be_visible()
    with page.expect_response(lambda r: f"/appointments/{first_code}/" in r.url):
        page.locator("#day-form").get_by_text(f"{eleven.date.month}月{eleven.date.day}日").click()
    expect(page.locator("#picker-status")).to_have_text(
        f"已载入{eleven.date.month}月{eleven.date.day}日的可选时间：1个。"
    )
    expect(form.get_by_text("余 1")).to_be_visible()
    form.get_by_text("11:00–11:30").click()
    expect(form.locator(".confirm-bar")).to_contain_text("11:00–11:30")
    form.get_by_role("button", name="改约到所选时段").click()
    expect(page.get_by_text("改约成功！原预约已取消。")).to_be_visible()
    second_code = page.locator("#appointment-code").inner_text()
    assert second_code != first_code
    new = Appointment.objects.get(code=second_code)
    assert new.slot_id == eleven.id and new.rescheduled_from.code == first_code
    assert Appointment.objects.get(code=first_code).status == AppointmentStatus.CANCELLED_BY_CITIZEN
    assert (Slot.objects.get(id=nine.id).booked, Slot.objects.get(id=eleven.id).booked) == (0, 1)

    # Cancel, with the free-cancellation rule stated beside it; the first tap only asks.
    expect(page.get_by_text("开始前2小时以前取消不计违约")).to_be_visible()
    page.get_by_text("取消预约…").click()
    expect(page.get_by_text("取消后名额会释放给他人，不能恢复。")).to_be_visible()
    assert Appointment.objects.get(code=second_code).status == AppointmentStatus.BOOKED
    page.get_by_role("button", name="确认取消预约").click()
    expect(page.get_by_text("预约已取消。")).to_be_visible()
    expect(page.locator(".status")).to_have_text("已取消")
    assert Appointment.objects.get(code=second_code).status == AppointmentStatus.CANCELLED_BY_CITIZEN
    assert Slot.objects.get(id=eleven.id).booked == 0
    page.screenshot(path="/tmp/citizen-reschedule-cancel.png", full_page=True)


def test_a_refusal_is_explained_on_the_page(page, live_server, citizen, other_citizen, hall, matter):
    from apps.front.booking.services import appointment_book

    slot = make_slot(hall, hour=9, capacity=1)
    login(page, live_server, citizen.username, PASSWORD)
    page.goto(f"{live_server.url}/matters/{matter.code}/?hall={hall.id}")
    page.get_by_text("09:00–09:30").click()
    # Someone else takes the last place while the citizen is choosing.
    appointment_book(citizen=other_citizen, slot_id=slot.id, matter_code=matter.code)
    page.get_by_role("button", name="确认预约").click()
    expect(page.get_by_text("该时段已约满，请选择其他时段；当天全部约满时可登记候补。")).to_be_visible()
    # The full day now offers the waitlist.
    expect(page.get_by_role("button", name=re.compile("候补"))).to_be_visible()
    assert not Appointment.objects.filter(citizen=citizen).exists()


def tab_to(page, selector: str, *, limit: int = 40) -> int:
    """Press Tab until the focused element matches ``selector``; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return presses
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def test_it_books_with_the_keyboard_only(page, live_server, citizen, hall, matter):
    """Issue 17: a day picker, then that day's times, each a small radio group: a few arrow presses, not a
    hundred; the times load where the focus is, and the screen reader hears it."""
    for days in (1, 2):
        for hour in (9, 10, 11, 14, 15, 16):
            make_slot(hall, days_ahead=days, hour=hour, capacity=2)
    login(page, live_server, citizen.username, PASSWORD)
    page.goto(f"{live_server.url}/matters/{matter.code}/?hall={hall.id}")

    tab_to(page, "input[name=day]:checked")  # the day group: the chosen day holds the focus
    with page.expect_response(lambda r: "day=" in r.url):
        page.keyboard.press("ArrowRight")  # the next day; its times load
    second_day = page.evaluate("document.activeElement.value")
    expect(page.locator("#picker-status")).to_contain_text("的可选时间：6个。")
    assert page.evaluate("document.activeElement.name") == "day"  # the focus stayed on the day

    tab_to(page, "input[name=slot]", limit=3)  # next stop: the times, one group of six
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # the third time of the day: 11:00
    expect(page.locator("#chosen-time")).to_contain_text("11:00–11:30")
    tab_to(page, "#book-form button[type=submit]", limit=4)  # past the green channel, to 确认预约
    page.keyboard.press("Enter")

    expect(page.get_by_text("预约成功！")).to_be_visible()
    appointment = Appointment.objects.get(citizen=citizen)
    assert appointment.slot.date.isoformat() == second_day and timezone.localtime(appointment.slot.start).hour == 11
