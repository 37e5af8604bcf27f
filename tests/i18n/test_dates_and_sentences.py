"""What an English visitor used to see in Chinese: dates spelt out with 年/月/日 in the templates, sentences cut
into pieces around a name or a link, and one Chinese word standing for two English ones. Dates now go through
named formats (govservice/formats/: Django's DATE_FORMAT, DATETIME_FORMAT, MONTH_DAY_FORMAT and the site's
MONTH_DAY_TIME_FORMAT and friends), which print exactly what the Chinese pages always printed."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from tests.journey_helpers import shift_slot_to_now
from tests.personas_front import TERMINAL_TOKEN

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _book(api, citizen, slot, matter) -> str:
    response = api(citizen).post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["code"]


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_my_services_shows_the_appointment_time_in_english_and_unchanged_in_chinese(api, citizen, slot, matter):
    code = _book(api, citizen, slot, matter)
    start = timezone.localtime(slot.start)
    # The third cell of the appointment's row (each cell carries its label for the phone layout).
    cell = re.compile(rf'<a href="/appointments/{code}/">{code}</a></td><td[^>]*>[^<]*</td><td[^>]*>([^<]*)</td>')
    client = _signed_in(citizen)

    english = client.get("/me/", **EN).content.decode()
    when = cell.search(english).group(1)
    assert when.startswith(f"{start.day} {start:%b} {start:%H:%M} ")  # 3 Dec 09:00
    assert "年" not in when and "月" not in when and "日" not in when
    assert "<h2>Appointments</h2>" in english  # the heading, not the ticket kind

    chinese = client.get("/me/").content.decode()
    assert cell.search(chinese).group(1).startswith(f"{start.month}月{start.day}日 {start:%H:%M} ")  # 12月3日 09:00
    assert "<h2>预约</h2>" in chinese


@pytest.mark.django_db
def test_the_appointment_page_spells_the_date_and_the_materials_in_english(api, citizen, slot, matter):
    code = _book(api, citizen, slot, matter)
    start, end = timezone.localtime(slot.start), timezone.localtime(slot.end)
    client = _signed_in(citizen)

    english = client.get(f"/appointments/{code}/", **EN).content.decode()
    assert (
        f"<dd>{start.day} {start:%B} {start.year} {start:%H:%M}–{end:%H:%M}</dd>" in english
    )  # 3 December 2026 09:00–09:30
    # 原件/复印件 used to stand right before the number: "Originals1".
    assert "居民身份证 (originals: 1, copies: 1)" in english and "近期免冠照片 (originals: 1)" in english
    assert "Originals1" not in english and "（" not in english.split("<h1>", 1)[1].split("</section>", 1)[0].replace(
        "（PDF）", ""
    )

    chinese = client.get(f"/appointments/{code}/").content.decode()
    assert f"<dd>{start.year}年{start.month}月{start.day}日 {start:%H:%M}–{end:%H:%M}</dd>" in chinese
    assert "居民身份证（原件1，复印件1）" in chinese and "近期免冠照片（原件1）" in chinese


@pytest.mark.django_db
def test_the_promised_time_is_one_sentence(matter):
    english = Client().get(f"/matters/{matter.code}/", **EN).content.decode()
    assert "Promised time: 5 working days (statutory: 20)" in english
    assert "承诺时限 5 个工作日（法定 20）" in Client().get(f"/matters/{matter.code}/").content.decode()


def test_the_pdf_checklist_numbers_its_pages_in_the_reader_s_language():
    with translation.override("en"):
        english = render_to_string("guidance/checklist_pdf.html", {"items": []})
    with translation.override("zh-hans"):
        chinese = render_to_string("guidance/checklist_pdf.html", {"items": []})
    assert 'content: "Page " counter(page) " of " counter(pages) "";' in english and '<html lang="en">' in english
    assert (
        'content: "第 " counter(page) " 页 共 " counter(pages) " 页";' in chinese and '<html lang="zh-hans">' in chinese
    )
    # No Chinese punctuation around English words in the English document (it once printed "Printed on：").
    assert "Printed on: " in english and "：" not in english.split("<body", 1)[1]
    assert "打印日期：" in chinese


def test_the_pdf_checklist_names_halls_in_one_sentence_per_language():
    hall = {"name": "Sub-center hall", "address": "1 Main St", "opening_hours": "9:00-17:00"}
    with translation.override("en"):
        english = render_to_string("guidance/checklist_pdf.html", {"items": [], "halls": [hall]})
    with translation.override("zh-hans"):
        chinese = render_to_string("guidance/checklist_pdf.html", {"items": [], "halls": [hall]})
    assert "<li>Sub-center hall: 1 Main St; opening hours 9:00-17:00</li>" in english
    assert "<li>Sub-center hall：1 Main St；办公时间 9:00-17:00</li>" in chinese


def test_the_two_meanings_of_shou_li_and_yu_yue():
    with translation.override("en"):
        assert gettext("受理") == "Accept" and pgettext("page title", "受理") == "Intake"
        assert gettext("预约") == "Appointment" and pgettext("heading", "预约") == "Appointments"
    with translation.override("zh-hans"):
        assert pgettext("page title", "受理") == "受理" and pgettext("heading", "预约") == "预约"


@pytest.mark.django_db
def test_the_intake_page_is_titled_intake_and_its_button_says_accept(api, citizen, slot, matter, terminal, clerk):
    _book(api, citizen, slot, matter)
    shift_slot_to_now(slot.id)
    code = citizen.appointments.get().code
    api(None).post(
        "/api/v1/terminal/checkin/", {"code": code}, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}"
    )
    ticket = api(clerk).post("/api/v1/workbench/call-next/").json()
    page = _signed_in(clerk)

    english = page.get(f"/workbench/tickets/{ticket['id']}/", **EN).content.decode()
    assert '<h1>Intake · <span id="ticket-label">' in english
    assert 'value="accept" id="outcome-accept" required> Accept</label>' in english
    shown = page.post(
        f"/workbench/tickets/{ticket['id']}/reveal-id/", {"reason": "核对身份证原件"}, **EN
    ).content.decode()
    assert "(this viewing has been recorded)" in shown and "本次查看已记录" not in shown

    chinese = page.get(f"/workbench/tickets/{ticket['id']}/").content.decode()
    assert (
        '<h1>受理 · <span id="ticket-label">' in chinese
        and 'value="accept" id="outcome-accept" required> 受理</label>' in chinese
    )
