"""A pre-filing (在线预填) lives on the visit it was made for: it follows the appointment when the citizen reschedules
(the window still starts from it, and filing again adds to it), and it lapses — withdrawn, the citizen told — once
the visit is cancelled or missed, instead of staying "submitted" for ever."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from apps.front.booking.models import Appointment, AppointmentStatus
from apps.front.booking.services import appointment_cancel, no_shows_mark
from apps.front.intake.models import Case, CaseStatus
from apps.front.intake.services import cases_prefiling_lapse
from apps.front.notifications.models import Notification
from tests.journey_helpers import shift_slot_to_now, upload
from tests.personas_front import TERMINAL_TOKEN, make_slot

from .test_vault import id_card  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def book_and_prefile(api, citizen, hall, matter, material, *, hour: int = 9) -> tuple[str, str]:
    slot = make_slot(hall, hour=hour)
    code = (
        api(citizen)
        .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        .json()["code"]
    )
    filed = api(citizen).post(
        f"/api/v1/appointments/{code}/prefile/", {f"material_{material.id}": upload()}, format="multipart"
    )
    assert filed.status_code == 201, filed.content
    return code, filed.json()["number"]


def reschedule(api, citizen, hall, code: str, *, hour: int) -> str:
    new_slot = make_slot(hall, hour=hour)
    moved = api(citizen).post(f"/api/v1/appointments/{code}/reschedule/", {"slot": new_slot.id}, format="json")
    assert moved.status_code in (200, 201), moved.content
    return moved.json()["code"]


def test_a_rescheduled_visit_keeps_its_filing_to_the_window(
    api,
    citizen,
    clerk,
    hall,
    matter,
    terminal,
    central_peer,
    id_card,  # noqa: F811
):
    code, number = book_and_prefile(api, citizen, hall, matter, id_card)
    new_code = reschedule(api, citizen, hall, code, hour=10)
    # Filing again for the new appointment adds to the same case; the job leaves it alone (the visit is ahead).
    again = api(citizen).post(
        f"/api/v1/appointments/{new_code}/prefile/", {f"material_{id_card.id}": upload()}, format="multipart"
    )
    assert again.status_code == 201 and again.json()["number"] == number
    assert cases_prefiling_lapse() == 0
    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.SUBMITTED and case.appointment.code == new_code and case.materials.count() == 2
    # At the window the clerk starts from it.
    shift_slot_to_now(Appointment.objects.get(code=new_code).slot_id)
    api(None).post(
        "/api/v1/terminal/checkin/", {"code": new_code}, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}"
    )
    ticket = api(clerk).post("/api/v1/workbench/call-next/").json()
    page = Client()
    page.force_login(clerk)
    assert number in page.get(f"/workbench/tickets/{ticket['id']}/").content.decode()
    accepted = api(clerk).post(f"/api/v1/workbench/tickets/{ticket['id']}/accept/", {}, format="multipart")
    assert accepted.status_code == 201 and accepted.json()["number"] == number
    assert Case.objects.filter(citizen=citizen).count() == 1


def test_a_filing_whose_visit_was_cancelled_lapses_once_and_the_citizen_is_told(api, citizen, hall, matter, id_card):  # noqa: F811
    code, number = book_and_prefile(api, citizen, hall, matter, id_card)
    appointment_cancel(citizen=citizen, appointment_id=Appointment.objects.get(code=code).id)
    assert cases_prefiling_lapse() == 1
    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.WITHDRAWN
    assert case.events.last().note == "在线预填失效：预约已取消"
    told = Notification.objects.get(recipient=citizen, event="case.prefiling_lapsed", channel="inbox")
    assert number in told.body and matter.name in told.body
    assert cases_prefiling_lapse() == 0  # once
    assert Notification.objects.filter(event="case.prefiling_lapsed", channel="inbox").count() == 1
    # Filing again for a cancelled appointment is refused, as before.
    late = api(citizen).post(
        f"/api/v1/appointments/{code}/prefile/", {f"material_{id_card.id}": upload()}, format="multipart"
    )
    assert late.status_code == 409


def test_a_rescheduled_then_missed_visit_lapses_its_filing_on_the_last_appointment(api, citizen, hall, matter, id_card):  # noqa: F811
    code, number = book_and_prefile(api, citizen, hall, matter, id_card)
    new_code = reschedule(api, citizen, hall, code, hour=11)
    new = Appointment.objects.get(code=new_code)
    shift_slot_to_now(new.slot_id)
    assert no_shows_mark(now=timezone.now() + dt.timedelta(hours=2)) == 1
    assert Appointment.objects.get(code=new_code).status == AppointmentStatus.NO_SHOW
    assert cases_prefiling_lapse() == 1
    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.WITHDRAWN and case.appointment_id == new.id
    assert case.events.last().note == "在线预填失效：预约未到场（爽约）"
