"""Guided questions (智能导办): each answer that matters changes the list; bad answers are a clear 400."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client

from apps.front.guidance.demo import SOCIAL_CARD, SOCIAL_CARD_REISSUE
from apps.front.guidance.models import Checklist, Question, Rule
from apps.front.guidance.selectors import IF_APPLICABLE, NEEDED, NOT_NEEDED, checklist_build, questions_for_matter
from apps.front.guidance.services import guidance_load_demo

from .conftest import make_social_card, page_client

pytestmark = pytest.mark.django_db


def build(matter, answers):
    return checklist_build(matter=matter, questions=questions_for_matter(matter.code), answers=answers)


@pytest.mark.parametrize(
    ("proxy", "minor", "photo"), list(itertools.product(["yes", "no"], ["yes", "no"], ["kept", "none"]))
)
def test_it_selects_the_materials_each_answer_combination_needs(card_matter, proxy, minor, photo):
    built = build(card_matter, {"proxy": proxy, "minor": minor, "photo": photo})
    expected = {"id-card"}
    if photo == "none":
        expected.add("photo")
    if minor == "yes":
        expected.add("guardian-id-card")
    if proxy == "yes":
        expected.add("power-of-attorney")
    assert {i["key"] for i in built.items} == expected
    assert all(i["status"] == NEEDED for i in built.items)
    assert {i["key"] for i in built.excluded} == {
        "id-card",
        "photo",
        "guardian-id-card",
        "power-of-attorney",
    } - expected
    assert all(i["status"] == NOT_NEEDED and i["reason"] for i in built.excluded)


def test_it_gives_the_variant_note_and_the_reason_of_an_included_material(card_matter):
    built = build(card_matter, {"proxy": "yes", "minor": "no", "photo": "none"})
    [attorney] = [i for i in built.items if i["key"] == "power-of-attorney"]
    assert attorney["notes"].startswith("委托书须载明委托事项")  # the rule's note replaces the catalog's
    assert attorney["reason"] == "是否代他人办理？是"
    [photo] = [
        i for i in build(card_matter, {"proxy": "no", "minor": "no", "photo": "kept"}).excluded if i["key"] == "photo"
    ]
    assert photo["reason"] == "近一年内是否办理过居民身份证或社保业务并留存了合格照片？是，已留存合格照片"


def test_it_branches_on_a_single_choice_question(db):
    matter = make_social_card(code=SOCIAL_CARD_REISSUE)
    matter.materials.filter(key="guardian-id-card").update(key="social-security-card", name="原社会保障卡")
    guidance_load_demo()
    lost = build(matter, {"reason": "lost", "proxy": "no"})
    damaged = build(matter, {"reason": "damaged", "proxy": "no"})
    changed = build(matter, {"reason": "changed", "proxy": "yes"})
    assert "social-security-card" not in {i["key"] for i in lost.items}
    [card] = [i for i in damaged.items if i["key"] == "social-security-card"]
    assert card["notes"] == "交回损坏的原社会保障卡"
    [card] = [i for i in changed.items if i["key"] == "social-security-card"]
    assert card["notes"].startswith("交回原社会保障卡，姓名")
    assert "power-of-attorney" in {i["key"] for i in changed.items}


def test_it_keeps_an_optional_material_no_question_speaks_of_as_if_applicable(card_matter):
    Rule.objects.filter(material_key="guardian-id-card").delete()
    built = build(card_matter, {"proxy": "no", "minor": "yes", "photo": "none"})
    [guardian] = [i for i in built.items if i["key"] == "guardian-id-card"]
    assert guardian["status"] == IF_APPLICABLE


def test_it_lets_a_need_win_over_a_leave_out_when_two_answers_disagree(card_matter):
    # A second trip for a missing paper costs more than one paper too many.
    question = Question.objects.get(matter_code=SOCIAL_CARD, key="proxy")
    Rule.objects.create(
        question=question, answer="yes", material_key="photo", effect="include", note="受托人代办须交照片"
    )
    built = build(card_matter, {"proxy": "yes", "minor": "no", "photo": "kept"})
    [photo] = [i for i in built.items if i["key"] == "photo"]
    assert photo["status"] == NEEDED and photo["notes"] == "受托人代办须交照片"


def test_it_overrides_counts_for_a_variant(card_matter):
    Rule.objects.filter(material_key="guardian-id-card").update(originals=1, copies=2)
    [guardian] = [
        i
        for i in build(card_matter, {"proxy": "no", "minor": "yes", "photo": "none"}).items
        if i["key"] == "guardian-id-card"
    ]
    assert (guardian["originals"], guardian["copies"]) == (1, 2)


def test_it_saves_the_answers_through_the_api_and_returns_the_list(api, card_matter):
    response = api(None).post(
        f"/api/v1/guidance/matters/{SOCIAL_CARD}/checklists/",
        {"answers": {"proxy": "yes", "minor": "no", "photo": "kept"}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [i["key"] for i in body["items"]] == ["id-card", "power-of-attorney"]
    assert {i["key"] for i in body["excluded"]} == {"photo", "guardian-id-card"}
    checklist = Checklist.objects.get(code=body["code"])
    assert checklist.citizen is None and checklist.answers == {"proxy": "yes", "minor": "no", "photo": "kept"}
    # The shareable code reads it back without an account.
    assert api(None).get(f"/api/v1/guidance/checklists/{body['code']}/").json()["items"] == body["items"]


def test_it_lists_the_questions_with_their_options(api, card_matter):
    body = api(None).get(f"/api/v1/guidance/matters/{SOCIAL_CARD}/").json()
    assert [q["key"] for q in body["questions"]] == ["proxy", "minor", "photo"]
    assert body["questions"][0]["options"] == [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]
    assert [o["value"] for o in body["questions"][2]["options"]] == ["kept", "none"]


@pytest.mark.parametrize(
    ("answers", "status", "code", "words"),
    [
        # The matter's own questions, which the schema cannot name: its rule refuses them, 422 (issue 17; were 400).
        ({"proxy": "yes", "minor": "no"}, 422, "answer_missing", "请回答：“近一年内是否办理过"),
        (
            {"proxy": "maybe", "minor": "no", "photo": "kept"},
            422,
            "answer_invalid",
            "“是否代他人办理？”的回答无效，请从以下选项中选择：是、否",
        ),
        ({"proxy": True, "minor": "no", "photo": "kept"}, 422, "answer_invalid", "的回答无效"),
        (
            {"proxy": "yes", "minor": "no", "photo": "kept", "income": "low"},
            422,
            "unknown_question",
            "没有这个问题：income",
        ),
        ("proxy=yes", 400, "answers_invalid", "请以 {问题标识: 回答} 的形式提交回答"),
    ],
)
def test_it_refuses_bad_answers_with_a_clear_error_in_chinese(api, card_matter, answers, status, code, words):
    response = api(None).post(
        f"/api/v1/guidance/matters/{SOCIAL_CARD}/checklists/", {"answers": answers}, format="json"
    )
    assert response.status_code == status
    assert response.json()["code"] == code
    assert words in response.json()["detail"]
    assert not Checklist.objects.exists()


def test_it_keeps_the_answers_on_the_page_when_one_is_missing(card_matter):
    response = page_client().post(f"/guide/{SOCIAL_CARD}/", {"q_proxy": "yes", "q_minor": "no"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "请回答：“近一年内是否办理过居民身份证或社保业务并留存了合格照片？”" in html
    assert 'name="q_proxy" value="yes" checked' in html
    assert 'name="q_minor" value="no" checked' in html
    assert not Checklist.objects.exists()


def test_an_answer_no_option_could_be_is_refused_on_the_page_with_nothing_saved(card_matter):
    response = page_client().post(f"/guide/{SOCIAL_CARD}/", {"q_proxy": "y" * 500, "q_minor": "no", "q_photo": "kept"})
    assert response.status_code == 400
    assert "请从选项中选择答案" in response.content.decode()
    assert not Checklist.objects.exists()


def test_it_answers_on_the_page_and_shows_the_personal_checklist(card_matter):
    client = page_client()
    response = client.post(f"/guide/{SOCIAL_CARD}/", {"q_proxy": "yes", "q_minor": "no", "q_photo": "none"})
    checklist = Checklist.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/checklists/{checklist.code}/"
    html = client.get(response["Location"]).content.decode()
    assert "授权委托书及受托人居民身份证" in html and checklist.code in html
    assert "根据您的回答，以下材料无需提供" in html and "监护人居民身份证" in html
    assert f"/checklists/{checklist.code}/" in html  # the shareable link for an anonymous list
    # The answers read back in the questions' order.
    assert html.index("是否代他人办理？") < html.index("申请人是否未满十六周岁？") < html.index("近一年内是否办理过")


def test_it_warns_when_the_matter_has_a_newer_version_since(card_matter):
    client = page_client()
    client.post(f"/guide/{SOCIAL_CARD}/", {"q_proxy": "no", "q_minor": "no", "q_photo": "none"})
    checklist = Checklist.objects.get()
    card_matter.is_current = False
    card_matter.save(update_fields=["is_current"])
    make_social_card(version=2)
    assert "办事指南已更新" in client.get(f"/checklists/{checklist.code}/").content.decode()


def test_it_keeps_a_checklist_readable_after_its_matter_is_withdrawn(card_matter):
    client = page_client()
    client.post(f"/guide/{SOCIAL_CARD}/", {"q_proxy": "yes", "q_minor": "no", "q_photo": "none"})
    checklist = Checklist.objects.get()
    card_matter.is_current = False
    card_matter.save(update_fields=["is_current"])
    response = client.get(f"/checklists/{checklist.code}/")
    assert response.status_code == 200
    assert "办事指南已更新" in response.content.decode() and "授权委托书及受托人居民身份证" in response.content.decode()


def test_it_loads_the_demo_questions_once(card_matter):
    before = Question.objects.count()
    assert before == 3
    assert guidance_load_demo() == 0
    assert Question.objects.count() == before


def test_it_limits_how_often_one_address_saves_checklists(api, card_matter, monkeypatch):
    monkeypatch.setattr("apps.front.guidance.services.CHECKLISTS_PER_HOUR", 2)
    url = f"/api/v1/guidance/matters/{SOCIAL_CARD}/checklists/"
    answers = {"answers": {"proxy": "no", "minor": "no", "photo": "none"}}
    assert [api(None).post(url, answers, format="json").status_code for _ in range(2)] == [201, 201]
    refused = api(None).post(url, answers, format="json")
    assert refused.status_code == 429 and "保存清单过于频繁" in refused.json()["detail"]
    assert Checklist.objects.count() == 2


def test_the_limit_counts_the_address_the_throttles_count(api, card_matter, monkeypatch, settings):
    monkeypatch.setattr("apps.front.guidance.services.CHECKLISTS_PER_HOUR", 1)
    url = f"/api/v1/guidance/matters/{SOCIAL_CARD}/checklists/"
    answers = {"answers": {"proxy": "no", "minor": "no", "photo": "none"}}
    # No trusted proxy (the default): a forged X-Forwarded-For is the same caller, refused.
    assert (
        api(None)
        .post(url, answers, format="json", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.1")
        .status_code
        == 201
    )
    assert (
        api(None)
        .post(url, answers, format="json", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.2")
        .status_code
        == 429
    )
    # Behind one trusted proxy: each client the proxy names is counted on its own, on the page as in the API.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert api(None).post(url, answers, format="json", HTTP_X_FORWARDED_FOR="203.0.113.3", **proxy).status_code == 201
    assert api(None).post(url, answers, format="json", HTTP_X_FORWARDED_FOR="203.0.113.3", **proxy).status_code == 429
    page = Client(HTTP_X_FORWARDED_FOR="203.0.113.4", **proxy)
    assert page.post(f"/guide/{SOCIAL_CARD}/", {"q_proxy": "no", "q_minor": "no", "q_photo": "none"}).status_code == 302
    assert page.post(f"/guide/{SOCIAL_CARD}/", {"q_proxy": "no", "q_minor": "no", "q_photo": "none"}).status_code == 429
    assert Checklist.objects.count() == 3
