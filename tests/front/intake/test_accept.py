import pytest
from django.test import Client

from apps.front.intake.models import Case, CaseStatus
from apps.front.notifications.models import Notification
from apps.shared.exchange.models import OutboxMessage
from tests.journey_helpers import PDF, PNG, shift_slot_to_now, upload
from tests.personas_front import TERMINAL_TOKEN


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


def _required_material(matter):
    return matter.materials.get(required=True)


@pytest.mark.django_db(transaction=True)
def test_it_accepts_a_case_and_puts_it_on_the_wire_in_one_transaction(api, clerk, citizen, matter, called_ticket):
    material = _required_material(matter)
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/",
        {f"material_{material.id}": upload("身份证.pdf", PDF, "application/pdf")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("TZ") and len(body["number"]) == 15
    assert len(body["query_password"]) == 6
    case = Case.objects.get(number=body["number"])
    assert case.status == CaseStatus.ACCEPTED
    assert case.promised_date is not None
    assert case.materials.get().content_type == "application/pdf"
    assert [e.to_status for e in case.events.all()] == ["received", "accepted"]
    message = OutboxMessage.objects.get(kind="case.submitted")
    assert message.payload["number"] == case.number
    assert message.files[0]["sha256"] == case.materials.get().sha256
    # The password is kept only as a hash.
    assert body["query_password"] not in case.query_password_hash
    assert Notification.objects.filter(recipient=citizen, event="case.accepted", channel="sms").exists()


@pytest.mark.django_db
def test_it_refuses_a_renamed_executable_and_keeps_the_ticket(api, clerk, matter, called_ticket):
    material = _required_material(matter)
    fake = upload("scan.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "application/pdf")
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/",
        {f"material_{material.id}": fake},
        format="multipart",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "file_type"
    assert not Case.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_pdf_that_does_not_open(api, clerk, matter, called_ticket):
    """The magic number is not enough (issue 17): a file that starts with "%PDF-" but no PDF reader opens."""
    material = _required_material(matter)
    for content in (b"%PDF-1.4\nnot a pdf at all\n", b"%PDF-1.7\n" + b"0" * 4096, PDF[: len(PDF) // 2]):
        fake = upload("scan.pdf", content, "application/pdf")
        response = api(clerk).post(
            f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/",
            {f"material_{material.id}": fake},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 422 and response.json()["code"] == "file_type", content
        assert "PDF" in response.json()["detail"] and "scan.pdf" in response.json()["detail"]
    assert not Case.objects.exists() and not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_it_lists_every_missing_required_material_at_once(api, clerk, matter, called_ticket):
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/", {"extra": upload()}, format="multipart"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "materials_missing"
    assert "居民身份证" in response.json()["detail"]


@pytest.mark.django_db
def test_it_hides_a_ticket_from_another_halls_clerk(api, other_hall_clerk, matter, called_ticket):
    material = _required_material(matter)
    response = api(other_hall_clerk).post(
        f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/",
        {f"material_{material.id}": upload()},
        format="multipart",
    )
    assert response.status_code == 404
    assert not Case.objects.exists()
    page = Client()
    page.force_login(other_hall_clerk)
    assert page.get(f"/workbench/tickets/{called_ticket['id']}/").status_code == 404


@pytest.mark.django_db
def test_it_hides_a_case_from_another_citizen(api, clerk, citizen, other_citizen, matter, called_ticket):
    material = _required_material(matter)
    number = (
        api(clerk)
        .post(
            f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/",
            {f"material_{material.id}": upload("a.png", PNG)},
            format="multipart",
        )
        .json()["number"]
    )
    assert api(citizen).get(f"/api/v1/cases/{number}/").status_code == 200
    assert api(other_citizen).get(f"/api/v1/cases/{number}/").status_code == 404
    page = Client()
    page.force_login(other_citizen)
    assert page.get(f"/cases/{number}/").status_code == 404
    assert (
        api(other_citizen).post(f"/api/v1/cases/{number}/evaluation/", {"score": 5}, format="json").status_code == 404
    )


@pytest.mark.django_db
def test_it_shows_a_case_only_to_clerks_of_the_hall_that_received_it(
    api, clerk, other_hall_clerk, matter, called_ticket
):
    material = _required_material(matter)
    number = (
        api(clerk)
        .post(
            f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/",
            {f"material_{material.id}": upload()},
            format="multipart",
        )
        .json()["number"]
    )
    assert [c["number"] for c in api(clerk).get("/api/v1/workbench/cases/").json()] == [number]
    assert api(clerk).get(f"/api/v1/workbench/cases/{number}/").status_code == 200
    assert api(other_hall_clerk).get("/api/v1/workbench/cases/").json() == []
    assert api(other_hall_clerk).get(f"/api/v1/workbench/cases/{number}/").status_code == 404


@pytest.mark.django_db
def test_it_shows_the_clear_id_only_with_a_reason_and_logs_it_for_the_citizen(
    clerk, other_hall_clerk, citizen, called_ticket
):
    from apps.shared.accounts.models import PersonalDataAccess

    page = Client()
    page.force_login(clerk)
    html = page.get(f"/workbench/tickets/{called_ticket['id']}/").content.decode()
    assert citizen.masked_id in html and citizen.id_number not in html
    no_reason = page.post(f"/workbench/tickets/{called_ticket['id']}/reveal-id/", {"reason": " "})
    assert no_reason.status_code == 400 and not PersonalDataAccess.objects.exists()
    shown = page.post(f"/workbench/tickets/{called_ticket['id']}/reveal-id/", {"reason": "核对身份证原件"})
    assert citizen.id_number in shown.content.decode()
    log = PersonalDataAccess.objects.get()
    assert (log.viewer, log.subject, log.reason) == (clerk, citizen, "核对身份证原件")
    other = Client()
    other.force_login(other_hall_clerk)
    assert other.post(f"/workbench/tickets/{called_ticket['id']}/reveal-id/", {"reason": "x"}).status_code == 404
    mine = Client()
    mine.force_login(citizen)
    assert "核对身份证原件" in mine.get("/me/").content.decode()


@pytest.mark.django_db
def test_a_file_under_a_name_the_checklist_does_not_know_is_the_checklists_rule(api, clerk, called_ticket):
    """Issue 17: the body's schema allows any file field name (OpenAPI 3.0 cannot say material_<id>), so a
    name that is no material of the matter is refused by the rule, 422 wrong_material, not 400."""
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/", {"scan": upload()}, format="multipart"
    )
    assert response.status_code == 422 and response.json()["code"] == "wrong_material"
    assert not Case.objects.exists()
