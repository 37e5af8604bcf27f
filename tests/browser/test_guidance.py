"""A citizen searches "社保卡", answers the guided questions (智能导办), prints the personal checklist and
books from it, in a real browser."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from apps.front.booking.models import Appointment, GroupMatter
from apps.front.guidance.models import Checklist
from apps.front.guidance.services import guidance_load_demo
from tests.factories import PASSWORD
from tests.front.guidance.conftest import make_social_card
from tests.personas_front import make_slot

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_guides_a_citizen_from_search_to_a_booking_with_their_checklist(page, live_server, citizen, hall):
    matter = make_social_card()
    GroupMatter.objects.create(group=hall.groups.get(), matter_code=matter.code)
    guidance_load_demo()
    make_slot(hall, hour=10, capacity=2)
    login(page, live_server, citizen.username, PASSWORD)
    expect(page.get_by_role("link", name="我的办事")).to_be_visible()

    # The catalog's search page (找事项): "社保卡" finds 社会保障卡申领, and the result opens its guide.
    page.goto(f"{live_server.url}/find/")
    page.get_by_label("搜索事项").fill("社保卡")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name=matter.name).click()
    expect(page).to_have_url(re.compile(f"/guide/{matter.code}/$"))
    expect(page.get_by_role("heading", name=matter.name)).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("授权委托书及受托人居民身份证"))).to_be_visible()

    page.get_by_role("group", name="是否代他人办理？").get_by_label("是", exact=True).check()
    page.get_by_role("group", name="申请人是否未满十六周岁？").get_by_label("否", exact=True).check()
    # Forgetting a question keeps the answers given and says which one is missing.
    page.get_by_role("button", name="生成我的清单").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "请回答：“近一年内是否办理过居民身份证或社保业务并留存了合格照片？”"
    )
    expect(page.get_by_role("group", name="是否代他人办理？").get_by_label("是", exact=True)).to_be_checked()
    page.get_by_label("是，已留存合格照片").check()
    page.screenshot(path="/tmp/guidance-guide.png", full_page=True)
    page.get_by_role("button", name="生成我的清单").click()

    expect(page.get_by_role("heading", name=f"我的办事清单：{matter.name}")).to_be_visible()
    code = page.locator("#checklist-code").inner_text()
    checklist = Checklist.objects.get(code=code)
    assert checklist.citizen == citizen
    expect(page.get_by_role("cell", name=re.compile("授权委托书及受托人居民身份证"))).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("近期一寸白底免冠彩色照片"))).to_have_count(0)

    page.screenshot(path="/tmp/guidance-checklist.png", full_page=True)
    # Print: the PDF link gives a real PDF with the personal list in it.
    pdf_url = page.get_by_role("link", name="打印清单（PDF）").get_attribute("href")
    response = page.request.get(f"{live_server.url}{pdf_url}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True).stdout.decode()
    assert "个人办事清单" in text and code in text and "委托书须载明委托事项" in text

    page.get_by_role("link", name="按此清单预约办理").click()
    # The only hall comes preselected; choosing it again reloads the slots (htmx): wait for that first.
    with page.expect_response(lambda r: "/book/?hall=" in r.url):
        page.get_by_label("选择大厅").select_option(label=hall.name)
    page.get_by_text("10:00–10:30").click()
    page.get_by_role("button", name="确认预约").click()
    expect(page.get_by_text("预约成功！")).to_be_visible()
    appointment_code = page.locator("#appointment-code").inner_text()
    appointment = Appointment.objects.get(code=appointment_code)
    assert appointment.citizen == citizen
    checklist.refresh_from_db()
    assert checklist.appointment == appointment
    items = page.locator("#checklist-items")
    expect(items).to_contain_text("授权委托书及受托人居民身份证")
    expect(items).not_to_contain_text("近期一寸白底免冠彩色照片")
    page.screenshot(path="/tmp/guidance-booking.png", full_page=True)
