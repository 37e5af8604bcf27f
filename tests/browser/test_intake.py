"""At the hall, in a real browser: a kiosk check-in with an appointment code, then a clerk calls the
number and accepts the case with an upload; the receipt voucher opens as a PDF."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from apps.front.booking.services import appointment_book
from apps.front.intake.models import Case, CaseStatus
from tests.factories import PASSWORD
from tests.journey_helpers import PDF, shift_slot_to_now
from tests.personas_front import TERMINAL_TOKEN, make_slot

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_checks_in_at_the_kiosk_and_accepts_at_the_window(
    browser, live_server, citizen, hall, matter, terminal, clerk, central_peer, tmp_path
):
    slot = make_slot(hall, hour=9)
    appointment = appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
    shift_slot_to_now(slot.id)

    kiosk = browser.new_context(locale="zh-CN").new_page()
    kiosk.goto(f"{live_server.url}/terminal/")
    kiosk.get_by_label("设备令牌").fill(TERMINAL_TOKEN)
    kiosk.get_by_role("button", name="激活").click()
    # A QR or ID-card reader types like a keyboard and ends with Enter.
    kiosk.get_by_label("请输入预约码、扫描预约二维码或刷身份证").fill(appointment.code.lower())
    kiosk.get_by_label("请输入预约码、扫描预约二维码或刷身份证").press("Enter")
    expect(kiosk.get_by_text("A001")).to_be_visible()

    clerk_page = browser.new_context(locale="zh-CN").new_page()
    login(clerk_page, live_server, clerk.username, PASSWORD)
    clerk_page.goto(f"{live_server.url}/workbench/")
    clerk_page.get_by_role("button", name="叫下一位").click()
    clerk_page.get_by_role("link", name="受理材料").click()
    expect(clerk_page.get_by_text("王小明")).to_be_visible()
    expect(clerk_page.get_by_text(citizen.masked_id)).to_be_visible()
    scan = tmp_path / "身份证.pdf"
    scan.write_bytes(PDF)
    clerk_page.get_by_label("居民身份证").set_input_files(str(scan))
    clerk_page.get_by_role("radio", name="受理", exact=True).check()
    clerk_page.get_by_role("button", name="受理并转交审批").click()

    expect(clerk_page.locator("#outcome")).to_have_text("已受理")
    number = clerk_page.locator("#case-number").inner_text()
    password = clerk_page.locator("#query-password").inner_text()
    assert len(password) == 6 and password.isdigit()
    receipt = clerk_page.get_by_role("link", name="受理凭证（PDF）")
    pdf = clerk_page.request.get(live_server.url + receipt.get_attribute("href"))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "受理凭证" in text and number in text
    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.ACCEPTED and case.materials.get().original_name == "身份证.pdf"


def test_a_held_case_is_continued_one_outcome_at_a_time(
    browser, live_server, citizen, hall, matter, terminal, clerk, central_peer, tmp_path
):
    from apps.front.floor.services import ticket_call_next, ticket_walk_in
    from apps.front.intake.services import case_notify_missing

    ticket_walk_in(terminal=terminal, matter_code=matter.code, id_number=citizen.id_number)
    held, _ = case_notify_missing(clerk=clerk, ticket_id=ticket_call_next(clerk=clerk).id, items=["缺少居民身份证原件"])
    page = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080}).new_page()
    login(page, live_server, clerk.username, PASSWORD)
    page.goto(f"{live_server.url}/workbench/cases/")
    page.get_by_role("link", name=held.number).click()
    expect(page.locator("#notice-items")).to_contain_text("缺少居民身份证原件")
    # Nothing chosen yet: no outcome's fields; each choice shows its own only.
    for outcome in ("supplement", "accept", "notice", "refuse"):
        expect(page.locator(f"#fields-{outcome}")).to_be_hidden()
    page.get_by_role("radio", name="不予受理").check()
    expect(page.locator("#fields-refuse")).to_be_visible()
    expect(page.get_by_label("不予受理理由")).to_be_visible()
    expect(page.locator("#fields-accept")).to_be_hidden()
    # The applicant brought the ID card: it joins the same case, which the hall goes on holding...
    scan = tmp_path / "身份证.pdf"
    scan.write_bytes(PDF)
    page.get_by_label("居民身份证").set_input_files(str(scan))
    page.get_by_role("radio", name="仅补充材料（继续暂存）").check()
    expect(page.locator("#fields-refuse")).to_be_hidden()
    page.get_by_role("button", name="补充材料").click()
    expect(page.locator("#received-materials")).to_contain_text("居民身份证")
    # ...and is accepted on the same page: no second case.
    page.get_by_role("radio", name="受理", exact=True).check()
    page.get_by_role("button", name="受理并转交审批").click()
    expect(page.locator("#case-status")).to_have_text("已受理")
    assert page.locator("#held-outcome").count() == 0
    assert Case.objects.filter(citizen=citizen).count() == 1
    assert Case.objects.get().status == CaseStatus.ACCEPTED
