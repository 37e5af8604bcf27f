"""The pages of online applications, as a browser posts them: the matter page offers "网上申报"; the citizen
fills in the form, uploads, saves a draft and comes back to it, submits; the hall clerk's pre-review queue shows
the limit's colour, the application's answers and materials, and takes the outcome. Another hall's clerk and
another citizen get 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from apps.front.intake.models import Case, CaseStatus
from apps.front.online.models import OnlineApplication
from tests.journey_helpers import PDF, upload

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


ANSWERS = {
    "field_employer": "通州某科技公司",
    "field_left-on": "2026-01-31",
    "field_reason": "合同期满",
    "field_seeking": "true",
}


def apply_through_the_pages(client: Client, matter) -> tuple[str, str]:
    """Returns the application's code and the submitted page's text."""
    started = client.get(f"/matters/{matter.code}/apply/")
    assert started.status_code == 302
    url = started["Location"]
    code = url.rstrip("/").rsplit("/", 1)[1]
    page = client.get(url).content.decode()
    assert 'name="field_left-on"' in page and 'type="date"' in page and "合同期满" in page
    # Saved as a draft, with a wrong date: nothing is lost that was right, the wrong answer is named.
    saved = client.post(
        url,
        {
            "action": "save",
            **ANSWERS,
            "field_left-on": "昨天",
            "material_proof": upload("证明.pdf", PDF, "application/pdf"),
        },
    )
    assert saved.status_code == 400 and "“离职日期”应为日期" in saved.content.decode()
    application = OnlineApplication.objects.get(code=code)
    assert application.files.count() == 1  # the upload was kept
    saved = client.post(url, {"action": "save", **ANSWERS})
    assert saved.status_code == 302
    # Back later: the draft is as it was left.
    page = client.get(url).content.decode()
    assert 'value="通州某科技公司"' in page and "证明.pdf" in page
    undeclared = client.post(
        url, {"action": "submit", **ANSWERS, "method": "electronic", "material_id-card": upload("身份证.png")}
    )
    assert undeclared.status_code == 422 and "申请人声明" in undeclared.content.decode()
    done = client.post(url, {"action": "submit", **ANSWERS, "method": "electronic", "declaration": "on"})
    assert done.status_code == 200, done.content.decode()[:2000]
    return code, done.content.decode()


def test_the_matter_page_offers_to_apply_online(online_matter):
    page = Client().get(f"/matters/{online_matter.code}/").content.decode()
    assert "全程网办" in page and f"/matters/{online_matter.code}/apply/" in page


def test_a_citizen_applies_and_a_clerk_accepts_through_the_pages(citizen, clerk, online_matter, central_peer):
    _code, submitted = apply_through_the_pages(browser(citizen), online_matter)
    number = re.search(r'id="case-number">([A-Z0-9]+)<', submitted).group(1)
    assert re.search(r'id="query-password">\d{6}<', submitted)
    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.RECEIVED and case.online

    desk = browser(clerk)
    queue = desk.get("/workbench/prereview/").content.decode()
    assert number in queue and re.search(r'class="sla sla-(green|yellow|red)"', queue)
    review = desk.get(f"/workbench/prereview/{number}/").content.decode()
    assert "通州某科技公司" in review and "网上申请表" in review
    material = case.materials.get(name="解除劳动关系证明")
    served = desk.get(f"/workbench/prereview/{number}/materials/{material.id}/")
    assert served.status_code == 200 and b"".join(served.streaming_content) == PDF
    assert (
        served["Content-Security-Policy"].startswith("default-src 'none'")
        and served["X-Content-Type-Options"] == "nosniff"
    )
    accepted = desk.post(f"/workbench/prereview/{number}/", {"action": "accept"})
    assert accepted.status_code == 302
    assert Case.objects.get(number=number).status == CaseStatus.ACCEPTED
    mine = browser(citizen).get(f"/cases/{number}/").content.decode()
    assert "受理凭证" in mine


def test_the_outcome_form_says_what_is_missing(citizen, clerk, online_matter, central_peer):
    _code, submitted = apply_through_the_pages(browser(citizen), online_matter)
    number = re.search(r'id="case-number">([A-Z0-9]+)<', submitted).group(1)
    desk = browser(clerk)
    empty = desk.post(f"/workbench/prereview/{number}/", {"action": "notice", "items": "  "})
    assert empty.status_code == 422 and "请列出需要补正的全部事项" in empty.content.decode()
    told = desk.post(f"/workbench/prereview/{number}/", {"action": "notice", "items": "证明缺少盖章\n单位名称不一致"})
    assert told.status_code == 302
    case = Case.objects.get(number=number)
    assert case.notice_items == ["证明缺少盖章", "单位名称不一致"]
    page = browser(citizen).get(f"/cases/{number}/").content.decode()
    assert "在网上补正并重新提交" in page


def test_other_people_get_404(citizen, other_citizen, clerk, other_hall_clerk, online_matter, central_peer):
    code, submitted = apply_through_the_pages(browser(citizen), online_matter)
    number = re.search(r'id="case-number">([A-Z0-9]+)<', submitted).group(1)
    assert browser(other_citizen).get(f"/online/{code}/").status_code == 404
    assert browser(other_citizen).post(f"/online/{code}/discard/").status_code == 404
    assert browser(other_hall_clerk).get(f"/workbench/prereview/{number}/").status_code == 404
    assert number not in browser(other_hall_clerk).get("/workbench/prereview/").content.decode()
    assert browser(citizen).get("/workbench/prereview/").status_code == 403


def test_a_matter_needing_an_original_shows_the_booking_for_the_one_visit(citizen, clerk, visit_matter, central_peer):
    _code, submitted = apply_through_the_pages(browser(citizen), visit_matter)
    number = re.search(r'id="case-number">([A-Z0-9]+)<', submitted).group(1)
    browser(clerk).post(f"/workbench/prereview/{number}/", {"action": "accept"})
    page = browser(citizen).get(f"/cases/{number}/").content.decode()
    assert f'href="/cases/{number}/originals-visit/"' in page and "预约一次到大厅核验原件" in page
