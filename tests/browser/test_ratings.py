"""好差评 in a real browser: a citizen rates a service badly; the unit calls back (seeing the rater's phone,
logged) and replies with the fix; the citizen rates the fix; the supervisor's overview shows it."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from apps.front.booking.models import StaffPost
from apps.front.intake.models import Case, CaseStatus
from apps.front.ratings.models import FixRating, Rectification, RectificationStatus
from apps.shared.accounts.models import PersonalDataAccess, Role
from tests.factories import PASSWORD, make_user

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bad_rating_is_rectified_rated_again_and_counted(browser, live_server, citizen, hall, matter, clerk):
    from django.utils import timezone

    supervisor = make_user("hallsup", Role.HALL_SUPERVISOR, real_name="陈主管")
    StaffPost.objects.create(user=supervisor, hall=hall)
    case = Case.objects.create(
        number="TZ2026120100042",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.DECIDED,
        decision="approved",
        accepted_at=timezone.now() - dt.timedelta(days=3),
        promised_date=timezone.localdate(),
        decided_at=timezone.now(),
    )

    # The citizen rates the service badly, with a tag of that level and a comment.
    citizen_page = browser.new_context(locale="zh-CN").new_page()
    login(citizen_page, live_server, citizen.username, PASSWORD)
    citizen_page.goto(f"{live_server.url}/cases/{case.number}/")
    rating = citizen_page.locator("#evaluation")
    rating.get_by_label("非常不满意").check()
    # Only the chosen level's tags are offered.
    expect(rating.locator('.tags-for[data-level="1"]')).to_be_hidden()
    rating.locator('.tags-for[data-level="5"]').get_by_label("态度差").check()
    rating.get_by_label("意见建议（选填，500字以内）").fill("窗口人员态度生硬，材料要求前后不一。")
    rating.get_by_role("button", name="提交评价").click()
    expect(citizen_page.locator("#my-evaluation")).to_have_text("非常不满意")
    expect(citizen_page.locator("#rectification-status")).to_contain_text("待回访")
    rectification = Rectification.objects.get()

    # The unit: the clerk takes it, sees the rater's phone (logged), records the call and the fix.
    clerk_page = browser.new_context(locale="zh-CN").new_page()
    login(clerk_page, live_server, clerk.username, PASSWORD)
    clerk_page.goto(f"{live_server.url}/workbench/")
    clerk_page.get_by_role("link", name="差评整改").click()
    clerk_page.get_by_role("link", name=rectification.reference).click()
    expect(clerk_page.locator("#rater-masked")).to_have_text("王** 138****1111")
    clerk_page.get_by_role("button", name="由我回访").click()
    clerk_page.get_by_role("button", name="查看联系方式（用于回访，将被记录）").click()
    expect(clerk_page.locator("#rater-clear")).to_have_text("王小明 13800001111")
    assert PersonalDataAccess.objects.filter(viewer=clerk, subject=citizen).count() == 1
    clerk_page.get_by_label("回访结果").select_option("reached")
    clerk_page.get_by_label("沟通内容").fill("已电话致歉，核实为材料说明不清。")
    clerk_page.get_by_role("button", name="保存回访记录").click()
    expect(clerk_page.locator("#rectification-status")).to_have_text("已回访，整改中")
    clerk_page.get_by_label("整改措施").fill("统一窗口材料说明，开展服务规范培训。")
    clerk_page.get_by_label("答复市民").fill("感谢您的监督，我们已统一材料说明并加强培训。")
    clerk_page.get_by_role("button", name="提交整改答复").click()
    expect(clerk_page.locator("#rectification-status")).to_have_text("已整改答复，待市民评价")
    # Once the call is done, the phone shows masked again and cannot be revealed.
    expect(clerk_page.locator("#rater-masked")).to_have_text("王** 138****1111")
    expect(clerk_page.get_by_role("button", name="查看联系方式（用于回访，将被记录）")).to_have_count(0)

    # The citizen reads the answer on the case page and rates the fix.
    citizen_page.reload()
    expect(citizen_page.locator("#case-fix-reply")).to_contain_text("已统一材料说明")
    citizen_page.get_by_label("基本满意").check()
    citizen_page.get_by_role("button", name="评价整改结果").click()
    expect(citizen_page.locator("#rectification-status")).to_contain_text("您对整改结果的评价：基本满意")
    rectification.refresh_from_db()
    assert (
        rectification.status == RectificationStatus.CLOSED and rectification.fix_rating == FixRating.BASICALLY_SATISFIED
    )

    # The supervisor's overview: one rating, one 差评, fixed: 0 % satisfied, 100 % rectified and called back.
    boss = browser.new_context(locale="zh-CN").new_page()
    login(boss, live_server, supervisor.username, PASSWORD)
    boss.goto(f"{live_server.url}/ratings/overview/")
    row = boss.locator("#by-department tbody tr").first
    expect(row).to_contain_text(matter.department.name)
    cells = row.locator("td")
    expect(cells.nth(1)).to_have_text("1")
    expect(cells.nth(2)).to_have_text("0.0%")
    expect(cells.nth(4)).to_have_text("1")
    expect(cells.nth(6)).to_have_text("100.0%")
    expect(cells.nth(7)).to_have_text("100.0%")
    charts = boss.locator("svg[role=img]")
    expect(charts).to_have_count(2)
    expect(charts.nth(0)).to_have_attribute("aria-label", "各部门满意率")
    expect(charts.nth(1)).to_contain_text("100%")  # 差评整改率: the one 差评 was fixed and answered
    boss.screenshot(path="/tmp/ratings-overview.png", full_page=True)
