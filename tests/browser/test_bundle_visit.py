"""一件事 by one booked hall visit, in a real browser (issue 15 part 3): the clerk calls the visit's ticket, is sent to
the bundle's page, sees the merged form and checklist, and answers the visit as a window answers one matter — part by
part: one part accepted and another told of what is missing, or one part refused; the citizen then sees one bundle
status with each part (and what a refusal means for the others)."""

import pytest
from playwright.sync_api import expect

from apps.front.booking.models import Appointment
from apps.front.floor.services import checkin_by_code
from apps.front.intake.models import Case, CaseStatus, DocumentKind
from apps.front.online.services.bundle_visits import bundle_visit_book
from apps.shared.catalog.models import Bundle
from tests.factories import PASSWORD
from tests.journey_helpers import PDF, shift_slot_to_now
from tests.personas_front import make_slot

from .axe import axe_violations
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def called_visit(browser, live_server, citizen, clerk, hall, terminal, newborn, central_peer, tmp_path):
    """The newborn bundle's visit booked, checked in, called by the clerk and open on the bundle's page."""
    Bundle.objects.filter(id=newborn.id).update(hall_visit=True)
    application = bundle_visit_book(
        applicant=citizen, actor=citizen, bundle_code="newborn", slot_id=make_slot(hall, capacity=2).id
    )
    appointment = Appointment.objects.get(id=application.appointment_id)
    shift_slot_to_now(appointment.slot_id)
    checkin_by_code(terminal=terminal, code=appointment.code)

    page = browser.new_context(locale="zh-CN", viewport={"width": 1600, "height": 1000}).new_page()
    login(page, live_server, clerk.username, PASSWORD)
    page.goto(f"{live_server.url}/workbench/")
    page.get_by_role("button", name="叫下一位").click()
    page.get_by_role("link", name="受理材料").click()
    # The single-matter page sends a bundle's ticket to the bundle's page: one checklist for every matter.
    expect(page.locator("h1")).to_contain_text("新生儿出生一件事")
    expect(page.locator("#material-household-register")).to_contain_text("户口登记、医保参保登记")
    assert page.locator('input[name="material_household-register"]').count() == 1
    # The outcome's controls each have their label: no critical or serious axe finding.
    assert axe_violations(page) == []
    page.get_by_label("新生儿姓名").fill("王小宝")
    page.get_by_label("出生日期").fill("2026-11-20")
    page.get_by_label("开户银行").fill("北京银行")
    for key in ("birth-certificate", "household-register"):
        scan = tmp_path / f"{key}.pdf"
        scan.write_bytes(PDF + key.encode())
        page.locator(f"#material_{key}").set_input_files(str(scan))
    return {"page": page, "code": application.code}


def citizen_sees(browser, live_server, citizen, code):
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, live_server, citizen.username, PASSWORD)
    page.goto(f"{live_server.url}/online/bundles/{code}/")
    return page


def test_one_part_is_accepted_and_another_told_what_is_missing(browser, live_server, citizen, called_visit):
    page = called_visit["page"]
    # No photo brought: 户口 (with its papers) is accepted, 社保卡 gets the one written notice.
    page.get_by_role("radio", name="分事项处理").check()
    page.get_by_label("处理 · 社会保障卡申领").select_option("notice")
    page.get_by_label("需补正事项 · 社会保障卡申领").fill("近期免冠照片\n开户银行确认书")
    page.get_by_role("button", name="提交处理结果").click()

    expect(page.locator("#bundle-status")).to_be_visible()
    expect(page.locator("#part-NB-HK")).to_contain_text("已受理")
    expect(page.locator("#part-NB-YB")).to_contain_text("等待")
    cases = {c.matter.code: c for c in Case.objects.filter(citizen=citizen).select_related("matter")}
    assert cases["NB-HK"].status == CaseStatus.ACCEPTED
    card = cases["NB-SB"]
    assert card.status == CaseStatus.RECEIVED and card.notice_items == ["近期免冠照片", "开户银行确认书"]
    assert card.documents.filter(kind=DocumentKind.ONE_TIME_NOTICE).exists()
    expect(page.locator("#part-NB-SB")).to_contain_text(card.number)

    mine = citizen_sees(browser, live_server, citizen, called_visit["code"])
    expect(mine.get_by_text("一件事正在办理")).to_be_visible()
    expect(mine.locator("#part-NB-SB")).to_contain_text("已收件")
    expect(mine.locator("#part-NB-HK")).to_contain_text("已受理")
    expect(mine.get_by_text("在网上补正并重新提交")).to_have_count(0)  # completed at a window, not online


def test_a_refused_part_says_what_it_means_for_the_others(browser, live_server, citizen, called_visit, tmp_path):
    page = called_visit["page"]
    photo = tmp_path / "photo.pdf"
    photo.write_bytes(PDF + b"photo")
    page.locator("#material_photo").set_input_files(str(photo))
    page.get_by_role("radio", name="分事项处理").check()
    page.get_by_label("处理 · 户口登记").select_option("refuse")
    page.get_by_label("不予受理的理由 · 户口登记").fill("申报人不是新生儿的监护人")
    page.get_by_label("应向何机关申请 · 户口登记").fill("新生儿监护人户籍地派出所")
    page.get_by_role("button", name="提交处理结果").click()

    expect(page.locator("#part-NB-HK")).to_contain_text("不予受理")
    expect(page.locator("#part-NB-HK .bearing")).to_contain_text("医保参保登记")
    hukou = Case.objects.get(citizen=citizen, matter__code="NB-HK")
    assert hukou.status == CaseStatus.REJECTED_AT_INTAKE
    assert hukou.documents.get(kind=DocumentKind.REFUSAL).content["refer_to"] == "新生儿监护人户籍地派出所"
    assert Case.objects.get(citizen=citizen, matter__code="NB-SB").status == CaseStatus.ACCEPTED

    mine = citizen_sees(browser, live_server, citizen, called_visit["code"])
    expect(mine.locator(".part-bearing").first).to_contain_text("医保参保登记")
    expect(mine.get_by_text("其余事项不受影响", exact=False).first).to_be_visible()
