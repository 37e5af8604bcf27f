"""In a real browser, across both sites: an approver claims a case, reads its materials and asks for a
correction; the citizen uploads it at the front; the approver approves and issues the certificate; the
citizen sees the result and the certificate's public verification page. And a fully online application (issue
15) from the matter page to the e-licence; and a parent's 新生儿出生一件事, each part decided at central."""

import re

import pytest
import requests
from playwright.sync_api import expect

from apps.front.booking.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser_setup import login
from tests.journey_helpers import PDF

from .journey import (
    ONLINE_MATTER,
    PASSWORD,
    accepted_case,
    central_approver,
    central_decides,
    central_decides_and_issues,
    eventually,
    register,
    token,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_it_corrects_approves_and_verifies_across_both_sites(sites, browser, tmp_path):
    front, central = sites
    username, citizen_token = register(front, central, real_name="钱晓")
    number = accepted_case(front, central, citizen_token)
    eventually(lambda: central.sql("SELECT id FROM review_reviewcase WHERE front_number = %s", (number,)))
    case_id = central.sql("SELECT id FROM review_reviewcase WHERE front_number = %s", (number,))[0][0]

    approver = browser.new_context(locale="zh-CN").new_page()
    login(approver, central, "approver", DEMO_PASSWORD)
    approver.get_by_role("link", name=number).click()
    approver.get_by_role("button", name="认领本件").click()
    expect(approver.locator("#assignee")).to_contain_text("刘洋")
    # The materials open in the page's viewer.
    first = approver.locator("ul.materials li").first
    expect(first.locator("a")).to_be_visible()
    material = approver.request.get(central.url + first.locator("a").get_attribute("href"))
    assert material.status == 200 and material.body() == PDF
    # One action panel at a time (issue 17): the current step's is open, the correction one is chosen.
    approver.locator("label.choice", has_text="要求补正（计时暂停）").click()
    approver.get_by_label("需补正的全部事项（每行一项）").fill("申请人居民身份证复印件不清晰，请重新上传")
    approver.get_by_label("补正期限").fill("2030-01-31")
    approver.get_by_role("button", name="发送补正通知").click()
    expect(approver.locator("#review-status")).to_have_text("待补正")

    citizen = browser.new_context(locale="zh-CN").new_page()
    login(citizen, front, username, PASSWORD)
    eventually(lambda: front.sql("SELECT status FROM intake_case WHERE number = %s", (number,)) == [("correction",)])
    citizen.goto(f"{front.url}/cases/{number}/")
    expect(citizen.locator("#correction").get_by_text("申请人居民身份证复印件不清晰，请重新上传")).to_be_visible()
    scan = tmp_path / "身份证.pdf"
    scan.write_bytes(PDF)
    citizen.get_by_label("上传补正材料（PDF/JPEG/PNG，可多选）").set_input_files(str(scan))
    citizen.get_by_role("button", name="提交补正").click()
    expect(citizen.get_by_text("补正材料已提交")).to_be_visible()
    expect(citizen.locator("#case-status")).to_have_text("审批中")

    eventually(
        lambda: central.sql("SELECT status FROM review_reviewcase WHERE id = %s", (case_id,)) == [("in_review",)]
    )
    approver.reload()
    # The supplement arrived with the case, and the case is back under review.
    expect(approver.get_by_role("link", name="身份证.pdf")).to_be_visible()
    expect(approver.locator("#review-status")).to_have_text("审查中")
    # The review steps, in order, before the decision (初审 → 复审 → 审批决定).
    for _ in range(2):
        approver.get_by_role("button", name="通过，转下一环节").click()
    expect(approver.locator("#steps-hint")).to_have_count(0)
    approver.get_by_label("准予许可").check()
    approver.get_by_role("button", name="提交决定").click()
    expect(approver.locator("#review-status")).to_have_text("已决定")
    approver.get_by_role("button", name="出具证照并送达").click()
    expect(approver.get_by_text("核验码")).to_be_visible()

    eventually(lambda: front.sql("SELECT status FROM intake_case WHERE number = %s", (number,)) == [("result_ready",)])
    citizen.goto(f"{front.url}/cases/{number}/")
    expect(citizen.locator("#case-decision")).to_contain_text("准予许可")
    link = citizen.get_by_role("link", name=re.compile("证照"))
    code = re.search(r"/documents/([2-9A-Z]+)\.pdf", link.get_attribute("href")).group(1)
    pdf = citizen.request.get(f"{front.url}/documents/{code}.pdf")  # the page's own session
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    citizen.goto(f"{front.url}/verify/{code}/")
    expect(citizen.get_by_text("该文书由本平台出具。")).to_be_visible()
    expect(citizen.get_by_text(number)).to_be_visible()
    citizen.screenshot(path=str(tmp_path / "verify.png"), full_page=True)


def test_a_citizen_applies_fully_online_and_gets_the_e_licence_without_a_visit(sites, browser, tmp_path):
    """全程网办 (issue 15), in a real browser at the front: the demo citizen applies for the zero-trip matter (the
    ID card government holds is taken from the vault, with consent), the hall clerk accepts it in the online
    pre-review, central decides and issues, and the citizen downloads the e-licence — never at a hall."""
    front, central = sites
    citizen = browser.new_context(locale="zh-CN").new_page()
    login(citizen, front, "citizen", DEMO_PASSWORD)
    citizen.goto(f"{front.url}/matters/{ONLINE_MATTER}/")
    citizen.locator("#apply-online").get_by_role("link", name="网上申报").click()
    citizen.get_by_label("北京城市副中心政务服务中心").check()
    citizen.get_by_role("button", name="开始填写").click()
    expect(citizen.locator("#case-status")).to_have_text("草稿")
    # What government holds needs no upload.
    expect(citizen.locator("#material-id-card")).to_contain_text("无需提交")
    citizen.get_by_label("原工作单位名称").fill("北京通州某科技有限公司")
    citizen.get_by_label("劳动关系解除或终止日期").fill("2026-10-31")
    citizen.get_by_label("失业原因").select_option("劳动合同期满")
    citizen.get_by_label("有求职意愿").select_option("true")
    proof = tmp_path / "解除劳动合同证明.pdf"
    proof.write_bytes(PDF)
    citizen.get_by_label("上传“解除或终止劳动关系证明”（PDF/JPEG/PNG）").set_input_files(str(proof))
    citizen.get_by_role("button", name="保存草稿").click()
    expect(citizen.get_by_text("已保存。")).to_be_visible()
    expect(citizen.get_by_role("link", name="解除劳动合同证明.pdf")).to_be_visible()
    citizen.locator('input[name="vault_consent"]').check()
    citizen.locator('input[name="declaration"]').check()
    citizen.get_by_role("button", name="提交申请").click()
    number = citizen.locator("#case-number").inner_text()
    expect(citizen.locator("#query-password")).to_have_text(re.compile(r"^\d{6}$"))

    clerk = browser.new_context(locale="zh-CN").new_page()
    login(clerk, front, "clerk", DEMO_PASSWORD)
    clerk.get_by_role("link", name="网上预审").first.click()
    clerk.get_by_role("link", name=number).click()
    expect(clerk.locator("#answers")).to_contain_text("北京通州某科技有限公司")
    expect(clerk.locator("#received-materials")).to_contain_text("申请人居民身份证")
    clerk.get_by_label("预审通过，受理").check()
    clerk.get_by_role("button", name="提交预审结果").click()
    expect(clerk.locator("#case-status")).to_have_text("已受理")

    central_decides_and_issues(central, number)
    eventually(lambda: front.sql("SELECT status FROM intake_case WHERE number = %s", (number,)) == [("result_ready",)])
    citizen.goto(f"{front.url}/cases/{number}/")
    expect(citizen.locator("#case-decision")).to_contain_text("准予")
    link = citizen.get_by_role("link", name=re.compile("证照"))
    pdf = citizen.request.get(front.url + link.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    eventually(lambda: front.sql("SELECT status FROM intake_case WHERE number = %s", (number,)) == [("delivered",)])
    # Never at a hall: no appointment and no ticket for this application.
    assert front.sql(
        "SELECT count(*) FROM hall_ticket t JOIN accounts_user u ON u.id = t.citizen_id WHERE u.username = 'citizen'"
    ) == [(0,)]
    assert front.sql(
        "SELECT count(*) FROM booking_appointment a JOIN accounts_user u ON u.id = a.citizen_id WHERE u.username = 'citizen'"
    ) == [(0,)]
    citizen.screenshot(path=str(tmp_path / "online.png"), full_page=True)


def test_a_parent_applies_for_the_newborn_bundle_and_sees_each_part_decided_at_central(sites, browser, tmp_path):
    """一件事一次办 (issue 15), in a real browser: the demo parent applies once for 新生儿出生一件事 (one form, the
    child's name asked once; one checklist, each material uploaded once, the 出生医学证明 not asked: its first step
    issues it); the hall pre-reviews the 出生医学证明 step and central's health approver approves it; 出生登记 is then
    sent on its own, and central's approver sees the case's bundle with the two parts waiting for it, and approves;
    the two are sent on their own, accepted and approved by their departments; the parent's bundle page shows each
    part decided and the bundle completed."""
    front, central = sites
    central_approver(central, "approver-ga", "110112-GA", "赵户籍")
    central_approver(central, "approver-ybj", "110112-YBJ", "钱医保")
    central_approver(central, "approver-wjw", "110112-WJW", "孙卫健")
    parent = browser.new_context(locale="zh-CN").new_page()
    login(parent, front, "citizen", DEMO_PASSWORD)
    parent.goto(f"{front.url}/bundles/")
    parent.locator("#bundle-newborn").get_by_role("link", name="一次申报").click()
    parent.get_by_label("北京城市副中心政务服务中心").check()
    parent.get_by_role("button", name="开始填写").click()
    expect(parent.locator("#bundle-application h1")).to_have_text("新生儿出生一件事")
    # One merged checklist: 居民户口簿 asked once for the two matters that need it.
    expect(parent.locator("#material-household-register")).to_contain_text("出生登记")
    expect(parent.locator("#material-household-register")).to_contain_text("城乡居民基本医疗保险参保登记")
    # One merged form: each answer given once feeds every matter that asks it.
    expect(parent.get_by_label("新生儿姓名")).to_have_count(1)
    parent.get_by_label("新生儿姓名").fill("王小宝")
    parent.get_by_label("新生儿性别").select_option("男")
    parent.get_by_label("出生日期").fill("2026-11-20")
    parent.get_by_label("出生地点（助产机构）").fill("北京市通州区妇幼保健院")
    parent.get_by_label("母亲姓名").fill("李梅")
    parent.get_by_label("父亲姓名").fill("王强")
    parent.get_by_label("落户户主姓名").fill("王强")
    parent.get_by_label("新生儿与户主关系").select_option("子")
    parent.get_by_label("社保卡开户银行").select_option("北京银行")
    expect(parent.locator("#material-birth-certificate")).to_have_class("state-produced")
    scan = tmp_path / "材料.pdf"
    scan.write_bytes(PDF)
    for item in parent.locator("#checklist li.state-missing").all():
        item.locator('input[type="file"]').set_input_files(str(scan))
    if parent.locator('input[name="vault_consent"]').count():
        parent.locator('input[name="vault_consent"]').check()
    parent.locator('input[name="declaration"]').check()
    parent.get_by_role("button", name="一次提交").click()
    expect(parent.locator("#bundle-status")).to_have_attribute("data-overall", "in_progress")
    code = parent.locator("#application-code").inner_text()

    def numbers() -> dict[str, str]:
        rows = front.sql(
            "SELECT p.matter_code, c.number FROM online_onlineapplication p JOIN online_bundleapplication b"
            " ON b.id = p.bundle_application_id LEFT JOIN intake_case c ON c.id = p.case_id WHERE b.code = %s",
            (code,),
        )
        return {matter: number for matter, number in rows if number}

    certificate, birth, insurance, card = (
        "11011205000000000000-000507-01",
        "11011201000000000000-000105-01",
        "11011209000000000000-000901-01",
        "11011202000000000000-000201-01",
    )
    clerk = token(front, "clerk", DEMO_PASSWORD)
    issued = numbers()
    assert list(issued) == [certificate]  # 落户 waits for the certificate, the other two for 落户
    assert (
        requests.post(
            f"{front.url}/api/v1/workbench/prereview/{issued[certificate]}/accept/", headers=clerk, timeout=60
        ).status_code
        == 200
    )
    eventually(lambda: central.sql("SELECT id FROM review_reviewcase WHERE front_number = %s", (issued[certificate],)))
    central_decides(central, issued[certificate], approver_name="approver-wjw")

    first = eventually(lambda: (lambda n: n if birth in n else None)(numbers()))
    assert set(first) == {certificate, birth}
    assert (
        requests.post(
            f"{front.url}/api/v1/workbench/prereview/{first[birth]}/accept/", headers=clerk, timeout=60
        ).status_code
        == 200
    )

    # At central: the approver of 户籍 sees the case's bundle, the two other parts waiting for it, and approves.
    eventually(lambda: central.sql("SELECT id FROM review_reviewcase WHERE front_number = %s", (first[birth],)))
    case_id = central.sql("SELECT id FROM review_reviewcase WHERE front_number = %s", (first[birth],))[0][0]
    approver = browser.new_context(locale="zh-CN").new_page()
    login(approver, central, "approver-ga", DEMO_PASSWORD)
    approver.goto(f"{central.url}/cases/{case_id}/")
    expect(approver.locator("#h-bundle")).to_contain_text("新生儿出生一件事")
    expect(approver.locator("#bundle-parts")).to_contain_text("等待前置事项“出生登记”准予后报送。")
    central_decides(central, first[birth], approver_name="approver-ga")

    later = eventually(lambda: (lambda n: n if len(n) == 4 else None)(numbers()))
    for matter, approver_name in ((insurance, "approver-ybj"), (card, "approver")):
        accepted = requests.post(
            f"{front.url}/api/v1/workbench/prereview/{later[matter]}/accept/", headers=clerk, timeout=60
        )
        assert accepted.status_code == 200, accepted.text
        central_decides(central, later[matter], approver_name=approver_name)
    # Central shows the siblings decided.
    approver.reload()
    expect(approver.locator("#bundle-parts")).to_contain_text(later[card])

    eventually(
        lambda: (
            front.sql("SELECT completed_at IS NOT NULL FROM online_bundleapplication WHERE code = %s", (code,))
            == [(True,)]
        )
    )
    parent.reload()
    expect(parent.locator("#bundle-status")).to_have_attribute("data-overall", "completed")
    for matter in (certificate, birth, insurance, card):
        expect(parent.locator(f"#part-{matter}")).to_have_attribute("data-outcome", "approved")
        expect(parent.locator(f"#part-{matter}")).to_contain_text("准予许可")
    parent.screenshot(path=str(tmp_path / "bundle.png"), full_page=True)
