"""The window's intake page (issue 17): one outcome at a time — the radios choose, each outcome's fields sit
in its own fieldset (shown by CSS alone, no script), the choice and the text typed survive a refusal — and a
ticket finished at another window or in another tab says so, with the case it ended in."""

import re

import pytest
from django.test import Client

from apps.front.intake.models import Case
from tests.journey_helpers import PDF, shift_slot_to_now, upload
from tests.personas_front import TERMINAL_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def called_ticket(api, citizen, slot, matter, terminal, clerk, central_peer):
    code = (
        api(citizen)
        .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        .json()["code"]
    )
    shift_slot_to_now(slot.id)
    api(None).post(
        "/api/v1/terminal/checkin/", {"code": code}, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}"
    )
    return api(clerk).post("/api/v1/workbench/call-next/").json()


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fieldset(html: str, outcome: str) -> str:
    found = re.search(
        rf'<fieldset class="outcome outcome-{outcome}" id="fields-{outcome}">(.*?)</fieldset>\s*(?=<fieldset class="outcome|</div>)',
        html,
        re.S,
    )
    assert found, outcome
    return found.group(1)


def test_each_outcome_has_its_own_fields_and_none_is_chosen_first(clerk, called_ticket):
    html = _page(clerk).get(f"/workbench/tickets/{called_ticket['id']}/").content.decode()
    radios = re.findall(r'<input type="radio" name="action" value="(\w+)"[^>]*>', html)
    assert re.findall(r'name="action" value="(\w+)"', html) == ["accept", "notice", "refuse", "receive"] and radios
    assert 'name="action" value="accept" id="outcome-accept" required>' in html  # a choice, none made for the clerk
    assert "checked" not in "".join(re.findall(r'<input type="radio" name="action"[^>]*>', html))
    assert 'name="items"' in _fieldset(html, "notice") and 'name="reason"' not in _fieldset(html, "notice")
    assert 'name="reason"' in _fieldset(html, "refuse") and 'name="refer_to"' in _fieldset(html, "refuse")
    assert 'name="items"' not in _fieldset(html, "refuse") and 'name="items"' not in _fieldset(html, "accept")
    assert "出具一次性告知书" in _fieldset(html, "notice") and "收件并出具凭证" in _fieldset(html, "receive")
    assert 'rows="7"' in _fieldset(html, "notice")  # larger notes
    assert 'class="site-front wide"' in html  # the workbench's wide layout


def test_a_refusal_keeps_the_choice_and_the_text(clerk, called_ticket):
    refused = _page(clerk).post(
        f"/workbench/tickets/{called_ticket['id']}/", {"action": "refuse", "reason": " ", "refer_to": "市场监管局"}
    )
    html = refused.content.decode()
    assert refused.status_code == 422 and "请填写不予受理的理由。" in html
    assert 'value="refuse" id="outcome-refuse" checked>' in html and 'value="市场监管局"' in html
    assert not Case.objects.exists()


def test_a_ticket_finished_elsewhere_says_so_with_its_case(api, clerk, matter, called_ticket):
    material = matter.materials.get(required=True)
    number = (
        api(clerk)
        .post(
            f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/",
            {f"material_{material.id}": upload("a.pdf", PDF, "application/pdf")},
            format="multipart",
        )
        .json()["number"]
    )
    page = _page(clerk)
    # The same page, open in another tab: not "call it first", and no form to submit again.
    shown = page.get(f"/workbench/tickets/{called_ticket['id']}/")
    html = shown.content.decode()
    assert shown.status_code == 200 and "该号已办结（可能已在其他窗口或页面受理），不能再次受理。" in html
    assert f'href="/workbench/cases/{number}/"' in html and 'name="action"' not in html and "请先叫号再受理" not in html
    again = page.post(f"/workbench/tickets/{called_ticket['id']}/", {"action": "notice", "items": "户口簿"})
    assert again.status_code == 409 and number in again.content.decode()
    assert Case.objects.count() == 1
    # The API says the same, in the reader's language.
    twice = api(clerk).post(
        f"/api/v1/workbench/tickets/{called_ticket['id']}/receive/", {}, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert twice.status_code == 409 and twice.json()["code"] == "invalid_state" and "finished" in twice.json()["detail"]
