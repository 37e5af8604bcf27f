"""Domain errors are not HTTP errors (issue 11 point 4), for intake: the pages check their input with a form
before calling a service and show what was wrong with 400; a refusal reads in one language, the reader's."""

import pytest
from django.test import Client

from apps.front.intake.models import Case
from tests.journey_helpers import shift_slot_to_now, upload
from tests.personas_front import TERMINAL_TOKEN

from .test_assist import kiosk

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


def test_the_workbench_refuses_an_unknown_outcome_before_any_service_runs(clerk, called_ticket):
    page = Client()
    page.force_login(clerk)
    refused = page.post(f"/workbench/tickets/{called_ticket['id']}/", {"action": "approve-everything"})
    assert refused.status_code == 400 and 'id="reason"' in refused.content.decode()  # the workbench again
    assert not Case.objects.exists()
    # A refusal without a reason is the service's to say, on the same page (the ticket stays open).
    no_reason = page.post(f"/workbench/tickets/{called_ticket['id']}/", {"action": "refuse", "reason": "  "})
    assert no_reason.status_code == 422 and "请填写不予受理的理由。" in no_reason.content.decode()
    assert not Case.objects.exists()


def test_the_one_time_notice_takes_one_item_per_line(clerk, called_ticket):
    page = Client()
    page.force_login(clerk)
    done = page.post(
        f"/workbench/tickets/{called_ticket['id']}/", {"action": "notice", "items": "户口簿首页\n\n  结婚证复印件  \n"}
    )
    assert done.status_code == 200
    assert Case.objects.get().notice_items == ["户口簿首页", "结婚证复印件"]


def test_a_refusal_reads_in_the_readers_language_only(api, clerk, called_ticket):
    url = f"/api/v1/workbench/tickets/{called_ticket['id']}/refuse/"
    chinese = api(clerk).post(url, {"reason": " "}, format="multipart").json()
    assert chinese == {"code": "reason_required", "detail": "请填写不予受理的理由。"}
    english = api(clerk).post(url, {"reason": " "}, format="multipart", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english == {"code": "reason_required", "detail": "A reason for not accepting is required."}
    unknown = api(clerk).post(url, {"reason": "x", "scan": upload()}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    # A name the body's schema cannot rule out: the checklist's rule, 422 (issue 17; was 400 invalid).
    assert unknown.status_code == 422 and unknown.json() == {
        "code": "wrong_material",
        "detail": "Unknown file field scan.",
    }


def test_the_withdrawal_page_checks_the_reason_first(citizen, accepted_case):
    page = Client()
    page.force_login(citizen)
    refused = page.post(f"/cases/{accepted_case.number}/withdraw/", {"reason": "很长" * 300})
    assert refused.status_code == 400
    status = accepted_case.status
    accepted_case.refresh_from_db()
    assert accepted_case.status == status and accepted_case.withdraw_requested_at is None


def test_assisting_asks_for_the_id_card_before_looking_anyone_up(clerk, matter, terminal):
    refused = kiosk(clerk).post(
        "/terminal/assist/", {"matter": matter.code, "id_number": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert (
        refused.status_code == 400
        and "Swipe the applicant&#x27;s ID card or enter their ID number." in refused.content.decode()
    )
    assert not Case.objects.exists()
