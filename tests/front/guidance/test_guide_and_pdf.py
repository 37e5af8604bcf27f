"""The matter guide and the one-time checklist (一次性告知单) as a page and a real PDF; what the government
already holds for a logged-in citizen is marked as not needed (DOMAIN.md §4, §6)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from apps.front.consult.models import FaqEntry
from apps.front.guidance.demo import SOCIAL_CARD
from apps.front.guidance.models import Checklist
from apps.front.intake.models import TrustLevel

from .conftest import make_social_card, page_client, pdf_text, vault_item

pytestmark = pytest.mark.django_db


def test_it_shows_the_guide_with_materials_fees_where_when_limits_and_next_steps(card_matter, hall):
    html = page_client().get(f"/guide/{SOCIAL_CARD}/").content.decode()
    for text in [
        "社会保障卡申领",
        "申请人居民身份证",
        "授权委托书及受托人居民身份证",
        "公安机关",
        "如适用",
        "不收费",
        "承诺 10 个工作日办结（法定 20 个工作日）",
        "需本人到场核验身份并领取实体社会保障卡",
        hall.name,
        hall.address,
        hall.opening_hours,
        "接下来会怎样",
        "同步生成电子证照",
        "是否代他人办理？",
    ]:
        assert text in html, text
    assert "无需提交</strong>" not in html  # nobody logged in: nothing is known to be held


def test_it_shows_the_matters_published_faq_and_a_way_to_ask(card_matter, clerk):
    FaqEntry.objects.create(
        matter_code=SOCIAL_CARD, question="社保卡丢了怎么办？", answer="先挂失，再补领。", published_by=clerk
    )
    FaqEntry.objects.create(
        matter_code=SOCIAL_CARD, question="未发布的问题", answer="-", published_by=clerk, is_published=False
    )
    html = page_client().get(f"/guide/{SOCIAL_CARD}/").content.decode()
    assert "常见问题" in html and "社保卡丢了怎么办？" in html and "先挂失，再补领。" in html
    assert "未发布的问题" not in html
    assert f"/consult/ask/?matter={SOCIAL_CARD}" in html


def test_it_says_404_for_an_unknown_matter(db):
    assert page_client().get("/guide/NO-SUCH/").status_code == 404


def test_it_marks_what_the_government_holds_for_the_citizen_as_not_needed(card_matter, citizen, other_citizen):
    vault_item(citizen, "申请人居民身份证", TrustLevel.A)
    vault_item(citizen, "近期一寸白底免冠彩色照片", TrustLevel.C)
    html = page_client(citizen).get(f"/guide/{SOCIAL_CARD}/").content.decode()
    assert '<tr class="item-needed item-held" data-key="id-card">' in html
    assert "政府已掌握（申请人居民身份证，公安机关），无需提交" in html
    # A C-level upload still needs its original checked: not held, but the citizen is told.
    assert '<tr class="item-needed" data-key="photo">' in html
    assert "您已上传过此材料，请携带原件到窗口核验" in html
    # Another citizen's vault is not theirs.
    other = page_client(other_citizen).get(f"/guide/{SOCIAL_CARD}/").content.decode()
    assert "item-held" not in other and "政府已掌握（" not in other


def test_it_does_not_count_expired_evidence(card_matter, citizen):
    vault_item(citizen, "申请人居民身份证", TrustLevel.A, valid_until=timezone.localdate() - dt.timedelta(days=1))
    response = page_client(citizen).get(f"/guide/{SOCIAL_CARD}/")
    html = response.content.decode()
    assert response.status_code == 200 and '<tr class="item-needed" data-key="id-card">' in html
    assert "item-held" not in html


def test_it_marks_held_items_in_the_api_for_the_citizen(api, card_matter, citizen):
    vault_item(citizen, "申请人居民身份证", TrustLevel.B)
    items = {i["key"]: i for i in api(citizen).get(f"/api/v1/guidance/matters/{SOCIAL_CARD}/").json()["items"]}
    assert items["id-card"]["vault"]["held"] is True and items["id-card"]["vault"]["level"] == "B"
    assert items["photo"]["vault"] is None
    anonymous = {i["key"]: i for i in api(None).get(f"/api/v1/guidance/matters/{SOCIAL_CARD}/").json()["items"]}
    assert anonymous["id-card"]["vault"] is None


def test_it_prints_the_one_time_checklist_as_a_pdf(card_matter, hall, citizen):
    vault_item(citizen, "申请人居民身份证", TrustLevel.A)
    text = pdf_text(page_client(citizen).get(f"/guide/{SOCIAL_CARD}/checklist.pdf"))
    for words in [
        "一次性告知单",
        "社会保障卡申领",
        "申请人居民身份证",
        "近期一寸白底免冠彩色照片",
        "授权委托书及受托人居民身份证",
        "无需提交",
        "政府已掌握（申请人居民身份证，公安机关）",
        "不收费",
        "承诺10个工作日办结",
        hall.name,
        hall.opening_hours.replace(" ", ""),
        "接下来会怎样",
    ]:
        assert words in text, words
    anonymous = pdf_text(page_client().get(f"/guide/{SOCIAL_CARD}/checklist.pdf"))
    assert "政府已掌握（" not in anonymous and "申请人居民身份证" in anonymous


def test_it_prints_the_personal_checklist_with_only_what_the_answers_need(card_matter, citizen):
    vault_item(citizen, "申请人居民身份证", TrustLevel.A)
    client = page_client(citizen)
    client.post(f"/guide/{SOCIAL_CARD}/", {"q_proxy": "yes", "q_minor": "no", "q_photo": "kept"})
    checklist = Checklist.objects.get(citizen=citizen)
    text = pdf_text(client.get(f"/checklists/{checklist.code}.pdf"))
    assert "个人办事清单" in text and checklist.code in text
    assert "委托书须载明委托事项" in text  # the variant of the material the "yes" added
    assert "是否代他人办理？是" in text and "申请人是否未满十六周岁？否" in text
    # Left out by the answers, and said so once, in one sentence.
    assert "根据您的回答，以下材料无需提供：近期一寸白底免冠彩色照片、监护人居民身份证。" in text
    assert text.count("监护人居民身份证") == 1
    assert "政府已掌握（申请人居民身份证" in text
    no_proxy = page_client(citizen)
    no_proxy.post(f"/guide/{SOCIAL_CARD}/", {"q_proxy": "no", "q_minor": "no", "q_photo": "kept"})
    other = Checklist.objects.filter(citizen=citizen).exclude(id=checklist.id).get()
    assert "委托书须载明委托事项" not in pdf_text(no_proxy.get(f"/checklists/{other.code}.pdf"))


def test_it_counts_evidence_valid_through_its_last_day_only(card_matter, citizen):
    with time_machine.travel(dt.datetime(2026, 6, 30, 23, 50, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        vault_item(citizen, "申请人居民身份证", TrustLevel.A, valid_until=dt.date(2026, 6, 30))
        assert "item-held" in page_client(citizen).get(f"/guide/{SOCIAL_CARD}/").content.decode()
    with time_machine.travel(dt.datetime(2026, 7, 1, 0, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        assert "item-held" not in page_client(citizen).get(f"/guide/{SOCIAL_CARD}/").content.decode()


def test_it_reads_the_guide_in_a_fixed_number_of_queries(
    card_matter, citizen, other_hall, django_assert_max_num_queries
):
    # Session, user, matter, materials, questions, options, rules, vault, halls, FAQ: none per row.
    vault_item(citizen, "申请人居民身份证", TrustLevel.A)
    vault_item(citizen, "近期一寸白底免冠彩色照片", TrustLevel.B)
    vault_item(citizen, "监护人居民身份证", TrustLevel.C)
    client = page_client(citizen)
    with django_assert_max_num_queries(10):
        assert client.get(f"/guide/{SOCIAL_CARD}/").status_code == 200


def test_the_public_pdf_is_made_once_per_version_and_language_and_is_rate_limited(card_matter, citizen, monkeypatch):
    """Rendering costs a second of CPU (issue 12): the anonymous guide PDF is rendered once and then served
    from the cache (per matter version and language); a citizen's own is rendered for them; every address
    is limited per minute."""
    from apps.front.guidance import views

    renders = []
    real = views.render_pdf
    monkeypatch.setattr(views, "render_pdf", lambda *a, **k: renders.append(a[0]) or real(*a, **k))
    anonymous = page_client()
    first = anonymous.get(f"/guide/{SOCIAL_CARD}/checklist.pdf")
    again = page_client().get(f"/guide/{SOCIAL_CARD}/checklist.pdf")
    assert first.status_code == again.status_code == 200 and first.content == again.content and len(renders) == 1
    english = page_client().get(f"/guide/{SOCIAL_CARD}/checklist.pdf", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200 and len(renders) == 2
    # A new version of the matter is a new document.
    card_matter.is_current = False
    card_matter.save(update_fields=["is_current"])
    make_social_card(version=2)
    assert page_client().get(f"/guide/{SOCIAL_CARD}/checklist.pdf").status_code == 200 and len(renders) == 3
    # A citizen's own (with their marks) is never shared through the cache.
    page_client(citizen).get(f"/guide/{SOCIAL_CARD}/checklist.pdf")
    page_client(citizen).get(f"/guide/{SOCIAL_CARD}/checklist.pdf")
    assert len(renders) == 5

    monkeypatch.setattr(views, "PDF_PER_MINUTE", 6)
    answers = [page_client().get(f"/guide/{SOCIAL_CARD}/checklist.pdf").status_code for _ in range(3)]
    assert answers[-1] == 429 and renders.count("guidance/checklist_pdf.html") == 5
