"""A citizen takes a walk-in ticket at a smart terminal, in a real browser, and it prints on 80 mm paper."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from apps.front.floor.models import GreenReason, Priority, Ticket
from tests.browser_setup import wait_until
from tests.personas_front import TERMINAL_TOKEN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Record print() instead of opening the print dialog (a kiosk browser prints silently).
PRINT_SPY = "window.__printed = 0; window.print = function () { window.__printed += 1; };"
MM = 72 / 25.4


def test_it_issues_a_walk_in_ticket_at_the_kiosk(page, live_server, hall, matter, terminal, clerk):
    page.add_init_script(PRINT_SPY)
    page.set_viewport_size({"width": 1080, "height": 1920})
    page.goto(f"{live_server.url}/terminal/")
    page.get_by_label("设备令牌").fill(TERMINAL_TOKEN)
    page.get_by_role("button", name="激活").click()
    expect(page.get_by_role("heading", name=hall.name)).to_be_visible()
    page.screenshot(path="/tmp/hall-kiosk-home.png")

    page.get_by_role("link", name="现场取号").click()
    # The hall has one window group: its matters come at once (two steps, group then matter, otherwise).
    expect(page.locator("#chosen-matter")).to_have_text("请在上方选择")
    page.get_by_role("radio", name=matter.name).check()
    # The choice stays in view next to 取号.
    expect(page.locator("#chosen-matter")).to_have_text(matter.name)
    page.get_by_role("radio", name="残疾人").check()
    page.screenshot(path="/tmp/hall-kiosk-walk-in.png", full_page=True)
    page.get_by_role("button", name="取号", exact=True).click()

    expect(page.locator("#ticket-number")).to_have_text("A001")
    expect(page.locator("#ticket-green")).to_contain_text("残疾人")
    expect(page.locator("#ticket-matter")).to_have_text(matter.name)
    expect(page.locator("#ticket-ahead")).to_have_text("0 人")
    wait_until(page, "window.__printed === 1")
    page.screenshot(path="/tmp/hall-kiosk-ticket.png", full_page=True)
    ticket = Ticket.objects.get()
    assert (ticket.priority, ticket.green_reason, ticket.terminal) == (
        Priority.GREEN_CHANNEL,
        GreenReason.DISABLED,
        terminal,
    )

    # The paper ticket: one page, 80 mm wide, the number on it (@page of ticket-print.css).
    pdf = PdfReader(
        io.BytesIO(page.pdf(path="/tmp/hall-kiosk-ticket.pdf", prefer_css_page_size=True, print_background=True))
    )
    assert len(pdf.pages) == 1
    width, height = float(pdf.pages[0].mediabox.width), float(pdf.pages[0].mediabox.height)
    assert round(width / MM) == 80 and round(height / MM) == 120
    text = pdf.pages[0].extract_text()
    assert "A001" in text and "完成" not in text  # the buttons do not print
