"""Issue 12's blockers 2 and 3 in a real browser: no session secret is ever written into a page or a business
row, and staff signed in at a kiosk are a step-up that ends by itself (the unit tests beside the services
cover each rule; these show them where an attacker would look: in the page and at the kiosk)."""

import pytest
from playwright.sync_api import expect

from apps.front.booking.models import Appointment
from tests.factories import PASSWORD
from tests.personas_front import TERMINAL_TOKEN, make_slot

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_session_secret_reaches_a_page_or_a_booking(page, live_server, citizen, hall, matter):
    make_slot(hall, hour=10, capacity=2)
    login(page, live_server, citizen.username, PASSWORD)
    expect(page.get_by_role("link", name="我的办事")).to_be_visible()
    secrets = [c["value"] for c in page.context.cookies() if c["name"] in ("sessionid", "csrftoken")]
    session = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")

    page.goto(f"{live_server.url}/matters/{matter.code}/")
    with page.expect_response(lambda r: f"/matters/{matter.code}/" in r.url):
        page.get_by_label("选择大厅").select_option(label=hall.name)
    html = page.content()
    assert session not in html
    # The booking form's key is random per form: two loads of the page give two keys, neither from the session.
    first_key = page.locator('input[name="idempotency_key"]').first.get_attribute("value")
    page.reload()
    with page.expect_response(lambda r: f"/matters/{matter.code}/" in r.url):
        page.get_by_label("选择大厅").select_option(label=hall.name)
    second_key = page.locator('input[name="idempotency_key"]').first.get_attribute("value")
    assert first_key and second_key and first_key != second_key
    page.get_by_text("10:00–10:30").click()
    page.get_by_role("button", name="确认预约").click()
    expect(page.get_by_text("预约成功！")).to_be_visible()
    assert session not in page.content()

    stored = Appointment.objects.get(citizen=citizen).idempotency_key
    assert stored and not any(secret in stored or stored in secret for secret in secrets)


def test_a_clerk_signed_in_at_a_kiosk_is_gone_after_the_idle_time(page, live_server, hall, terminal, clerk, settings):
    settings.KIOSK_STAFF_IDLE_SECONDS = 2
    page.goto(f"{live_server.url}/terminal/")
    page.get_by_label("设备令牌").fill(TERMINAL_TOKEN)
    page.get_by_role("button", name="激活").click()
    expect(page.get_by_role("heading", name=hall.name)).to_be_visible()

    # 帮办: the clerk signs in at the kiosk to help a citizen.
    login(page, live_server, clerk.username, PASSWORD)
    page.goto(f"{live_server.url}/workbench/")
    assert "/workbench/" in page.url and "/accounts/login/" not in page.url

    # The clerk walks away; the next person at the kiosk opens the workbench.
    page.wait_for_timeout(3000)
    page.goto(f"{live_server.url}/workbench/")
    assert "/accounts/login/" in page.url
    page.goto(f"{live_server.url}/workbench/pickup/")
    assert "/accounts/login/" in page.url
    # The kiosk itself is still activated: its own screen, not the activation form.
    page.goto(f"{live_server.url}/terminal/")
    expect(page.get_by_role("heading", name=hall.name)).to_be_visible()
    expect(page.get_by_label("设备令牌")).to_have_count(0)
