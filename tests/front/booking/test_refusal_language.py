"""A refusal speaks one language at a time (issue 11 point 4): Chinese by default, English when the reader
asks for it, never "中文。 English." in one answer; and the codes this part gave their own status keep the
status they answered before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from apps.front.booking.models import Appointment, HallClosure, StaffPost
from apps.front.booking.services import appointment_book, closure_create, penalty_waive
from apps.shared.accounts.models import Role
from govservice.api import DomainError, status_for
from tests.factories import make_user
from tests.personas_front import make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    # A request asking for English activates it for the thread; the tests after this one read Chinese.
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def supervisor(hall):
    user = make_user("hallsup", Role.HALL_SUPERVISOR, real_name="陈建国", is_staff=True)
    StaffPost.objects.create(user=user, hall=hall)
    return user


def test_it_answers_a_full_slot_in_chinese_only_by_default_and_in_english_when_asked(
    api, citizen, other_citizen, hall, matter
):
    slot = make_slot(hall, capacity=1)
    assert (
        api(other_citizen)
        .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        .status_code
        == 201
    )
    chinese = api(citizen).post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
    assert chinese.status_code == 409 and chinese.json()["code"] == "slot_full"
    assert chinese.json()["detail"] == "该时段已约满，请选择其他时段；当天全部约满时可登记候补。"
    english = api(citizen).post(
        "/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 409 and english.json()["code"] == "slot_full"
    assert english.json()["detail"] == "This slot is full; you may join the waitlist."


def test_it_puts_numbers_and_times_into_the_sentence_of_the_readers_language(citizen, hall, matter):
    slot = make_slot(hall)
    slot.release_at = timezone.now() + dt.timedelta(days=1)
    slot.save(update_fields=["release_at"])
    opens = timezone.localtime(slot.release_at)
    for language, text in (
        ("zh-hans", f"该时段尚未放号，将于{opens:%Y年%m月%d日 %H:%M}开放预约。"),
        ("en", f"Not yet released; opens {opens:%Y-%m-%d %H:%M}."),
    ):
        with translation.override(language), pytest.raises(DomainError) as caught:
            appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
        assert (caught.value.code, str(caught.value.message)) == ("not_released", text)
    assert not Appointment.objects.exists()


def test_blank_reasons_of_the_halls_own_forms_keep_answering_400_with_their_own_codes(supervisor, clerk, hall, citizen):
    with pytest.raises(DomainError) as closure:
        closure_create(actor=supervisor, hall=hall, date=timezone.localdate() + dt.timedelta(days=1), reason=" ")
    with pytest.raises(DomainError) as waiver:
        penalty_waive(staff=clerk, citizen=citizen, reason="")
    assert (closure.value.code, status_for(closure.value)) == ("closure_reason_required", 400)
    assert (waiver.value.code, status_for(waiver.value)) == ("waiver_reason_required", 400)
    # The code central's review answers keeps its own status.
    assert status_for(DomainError("x", code="reason_required")) == 422
    assert not HallClosure.objects.exists()


def test_the_closure_page_shows_its_form_errors_with_400_in_the_readers_language(supervisor, hall):
    client = Client()
    client.force_login(supervisor)
    data = {"date": "not-a-date", "group": "", "start": "", "end": "", "reason": "停电"}
    chinese = client.post("/supervisor/closures/", data)
    assert chinese.status_code == 400 and "请填写有效的日期和时间。" in chinese.content.decode()
    english = client.post("/supervisor/closures/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert "请填写有效的日期和时间" not in english.content.decode() and 'value="停电"' in english.content.decode()
    assert not HallClosure.objects.exists()
