"""A hall supervisor opens the reports from the menu and reads a figure, a chart and the 满意度 table;
a CSV downloads with the byte-order mark Excel needs."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.front.booking.models import Appointment, AppointmentStatus, Slot, StaffPost
from apps.front.floor.models import Ticket, TicketStatus
from apps.front.ratings.models import Evaluation, Rectification, RectificationStatus, ServiceKind
from apps.shared.accounts.models import Role
from tests.factories import PASSWORD, make_user

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hall_data(hall, matter, citizen):
    """Yesterday: four appointments, one a no-show; two tickets served at window 1, one rated 非常不满意."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(9, 0)))
    group = hall.groups.get()
    slot = Slot.objects.create(
        hall=hall, group=group, date=yesterday, start=start, end=start + dt.timedelta(minutes=30), capacity=10
    )
    for index, status in enumerate([AppointmentStatus.COMPLETED] * 3 + [AppointmentStatus.NO_SHOW]):
        Appointment.objects.create(
            code=f"B{index:07d}",
            citizen=citizen,
            matter=matter,
            matter_code=matter.code,
            slot=slot,
            hall=hall,
            status=status,
        )
    tickets = []
    for number, (wait, service) in enumerate([(4, 6), (8, 12)], start=1):
        called = start + dt.timedelta(minutes=wait)
        tickets.append(
            Ticket.objects.create(
                hall=hall,
                group=group,
                service_date=yesterday,
                number=number,
                prefix="A",
                matter=matter,
                status=TicketStatus.DONE,
                checked_in_at=start,
                called_at=called,
                started_at=called,
                finished_at=called + dt.timedelta(minutes=service),
                window=hall.windows.get(),
            )
        )
    bad = Evaluation.objects.create(
        kind=ServiceKind.TICKET,
        ticket=tickets[0],
        citizen=citizen,
        score=5,
        hall=hall,
        matter=matter,
        department=matter.department,
    )
    Rectification.objects.create(
        evaluation=bad,
        hall=hall,
        department=matter.department,
        status=RectificationStatus.OPEN,
        due_date=timezone.localdate() + dt.timedelta(days=7),
        appeal_due=timezone.localdate() + dt.timedelta(days=3),
    )
    Evaluation.objects.create(
        kind=ServiceKind.TICKET,
        ticket=tickets[1],
        citizen=citizen,
        score=1,
        hall=hall,
        matter=matter,
        department=matter.department,
    )


def test_it_shows_a_supervisor_the_figures_and_charts_of_their_hall(page, live_server, hall, hall_data):
    supervisor = make_user("hallsup", Role.HALL_SUPERVISOR, real_name="陈主管")
    StaffPost.objects.create(user=supervisor, hall=hall)
    login(page, live_server, supervisor.username, PASSWORD)
    page.get_by_role("link", name="统计报表").click()
    expect(page.get_by_role("heading", name=f"统计报表 · {hall.name}")).to_be_visible()

    figures = page.locator("#report-figures")
    expect(figures.locator("div", has_text="爽约率").locator("dd")).to_have_text("25.0%")
    expect(figures.locator("div", has_text="满意率").locator("dd")).to_have_text("50.0%")

    bookings = page.locator("#report-bookings")
    chart = bookings.get_by_role("img", name="各事项爽约率")
    expect(chart).to_be_visible()
    expect(chart.locator("text.value")).to_have_text("25%")
    box = chart.locator("rect").bounding_box()
    assert box is not None and box["width"] > 10  # a real bar, a quarter of the track

    windows = page.locator("#report-windows")
    expect(windows.get_by_role("img", name="各窗口办理时长中位数")).to_be_visible()
    expect(windows.locator("tbody tr").first).to_contain_text("9.0")  # services of 6 and 12 minutes

    satisfaction = page.locator("section", has=page.get_by_role("heading", name="满意度"))
    expect(satisfaction.locator("tbody tr").first).to_contain_text("社会保障卡申领")
    expect(satisfaction.locator("tbody tr").first.locator("td").nth(5)).to_have_text("1")  # one 差评
    page.screenshot(path="/tmp/reports-front.png", full_page=True)

    with page.expect_download() as download_info:
        bookings.get_by_role("link", name="导出CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"bookings_{hall.code}_")
    with open(download.path(), "rb") as saved:
        content = saved.read()
    assert content.startswith("\ufeff".encode())
    assert "爽约率(%)" in content.decode("utf-8-sig") and "25.0" in content.decode("utf-8-sig")


def test_it_changes_the_period_from_the_form(page, live_server, hall, hall_data):
    supervisor = make_user("hallsup", Role.HALL_SUPERVISOR, real_name="陈主管")
    StaffPost.objects.create(user=supervisor, hall=hall)
    login(page, live_server, supervisor.username, PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    today = timezone.localdate().isoformat()
    page.get_by_label("开始日期").fill(today)
    page.get_by_label("结束日期").fill(today)
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#report-figures div", has_text="预约数").locator("dd")).to_have_text("0")
    expect(page.locator("#report-bookings")).to_contain_text("本期暂无数据。")
