"""The four intake outcomes of 行政许可法 Art. 32, each with its written, dated, verifiable document."""

import datetime as dt
import io

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from apps.front.intake.models import Case, CaseStatus, Document
from apps.front.intake.services import cases_intake_deadline_warn
from apps.front.notifications.models import Notification
from apps.shared.exchange.models import OutboxMessage
from apps.shared.workcalendar.selectors import calendar_get
from tests.factories import make_user
from tests.journey_helpers import PDF, shift_slot_to_now, upload
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


def pdf_text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def required(matter):
    return matter.materials.get(name="居民身份证")


@pytest.mark.django_db
def test_it_issues_a_receipt_voucher_on_acceptance(api, clerk, citizen, matter, called_ticket):
    body = (
        api(clerk)
        .post(
            f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/",
            {f"material_{required(matter).id}": upload("id.pdf", PDF)},
            format="multipart",
        )
        .json()
    )
    [receipt] = body["documents"]
    assert receipt["kind"] == "receipt"
    text = pdf_text(page_client(clerk), receipt["url"])
    assert "受理凭证" in text and body["number"] in text and "社会保障卡申领" in text
    assert "决定予以受理" in text and receipt["verification_code"] in text
    # The citizen may download it too; the ID number on paper is masked for the public.
    citizen_text = pdf_text(page_client(citizen), receipt["url"])
    assert citizen.id_number not in citizen_text
    assert citizen.id_number[:4] + "*" * 10 + citizen.id_number[-4:] in citizen_text


@pytest.mark.django_db
def test_it_refuses_with_reason_place_and_remedies(api, clerk, citizen, other_citizen, matter, called_ticket):
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{called_ticket['id']}/refuse/",
        {"reason": "该事项属于市级权限", "refer_to": "北京市人力资源和社会保障局"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(number=body["number"])
    assert case.status == CaseStatus.REJECTED_AT_INTAKE
    assert not OutboxMessage.objects.exists()  # nothing goes to central
    text = pdf_text(page_client(citizen), body["documents"][0]["url"])
    assert "不予受理通知书" in text and "该事项属于市级权限" in text and "北京市人力资源和社会保障局" in text
    assert "行政复议" in text and "行政诉讼" in text
    assert Notification.objects.filter(recipient=citizen, event="case.refused").exists()
    # Another citizen gets a 404 for the document, not the PDF.
    assert page_client(other_citizen).get(body["documents"][0]["url"]).status_code == 404


@pytest.mark.django_db
def test_it_refuses_without_a_reason_never(api, clerk, called_ticket):
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{called_ticket['id']}/refuse/", {"reason": " "}, format="multipart"
    )
    assert response.status_code == 422 and response.json()["code"] == "reason_required"
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_place_to_apply_too_long_for_the_notice_is_refused_not_cut(api, clerk, called_ticket):
    url = f"/api/v1/workbench/tickets/{called_ticket['id']}/refuse/"
    response = api(clerk).post(url, {"reason": "该事项属于市级权限", "refer_to": "局" * 201}, format="multipart")
    assert response.status_code == 422 and response.json()["code"] == "refer_to_too_long"
    assert not Case.objects.exists()  # nothing received, nothing refused: the clerk corrects it
    done = api(clerk).post(url, {"reason": "该事项属于市级权限", "refer_to": "局" * 200}, format="multipart")
    assert done.status_code == 201 and Case.objects.get().refer_to == "局" * 200


@pytest.mark.django_db
def test_it_names_every_missing_item_in_one_notice_then_accepts_when_brought(
    api, clerk, citizen, matter, called_ticket, settings
):
    items = ["缺少申请人居民身份证原件", "照片不符合白底要求"]
    body = (
        api(clerk)
        .post(f"/api/v1/workbench/tickets/{called_ticket['id']}/notice/", {"items": items}, format="multipart")
        .json()
    )
    case = Case.objects.get(number=body["number"])
    assert case.status == CaseStatus.RECEIVED and case.notice_items == items
    text = pdf_text(page_client(clerk), body["documents"][0]["url"])
    assert "一次性告知书" in text and all(item in text for item in items)
    sms = Notification.objects.get(recipient=citizen, event="case.one_time_notice", channel="sms")
    assert "照片不符合白底要求" in sms.body
    # The applicant comes back with the items: the hall accepts the case it holds.
    response = api(clerk).post(
        f"/api/v1/workbench/cases/{case.number}/accept/",
        {f"material_{required(matter).id}": upload()},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == CaseStatus.ACCEPTED
    assert OutboxMessage.objects.filter(kind="case.submitted").count() == 1
    assert set(Document.objects.filter(case=case).values_list("kind", flat=True)) == {"one_time_notice", "receipt"}


@pytest.mark.django_db
def test_it_accepts_with_a_commitment_for_deferred_items(api, clerk, citizen, matter, called_ticket):
    from apps.shared.catalog.models import Material
    from apps.shared.workcalendar.selectors import calendar_get

    # Only a material the matter marks as deferrable may be promised for later (issue 13: never the ID card).
    minor = Material.objects.create(matter=matter, position=3, name="户口簿", required=True, deferrable=True)

    def base():
        return {f"material_{required(matter).id}": upload(), "commitment_items": [minor.name]}

    unsigned = api(clerk).post(f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/", base(), format="multipart")
    assert unsigned.status_code == 422 and unsigned.json()["code"] == "commitment_unsigned"
    body = (
        api(clerk)
        .post(
            f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/",
            {**base(), "commitment_signed": "true"},
            format="multipart",
        )
        .json()
    )
    case = Case.objects.get(number=body["number"])
    assert case.status == CaseStatus.ACCEPTED and case.commitment_items == ["户口簿"]
    # Seven days on, ending on a working day (民法典 Art. 203): any day of the year the suite runs.
    assert case.commitment_deadline == calendar_get().period_end(timezone.localdate() + dt.timedelta(days=7))
    commitment = next(d for d in body["documents"] if d["kind"] == "commitment")
    assert "户口簿" in pdf_text(page_client(clerk), commitment["url"])


@pytest.mark.django_db
def test_it_never_offers_a_commitment_to_a_restricted_credit_record(api, clerk, citizen, matter, called_ticket):
    from apps.shared.catalog.models import Material

    citizen.credit_restricted = True
    citizen.save(update_fields=["credit_restricted"])
    minor = Material.objects.create(matter=matter, position=3, name="户口簿", required=True)
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/",
        {f"material_{required(matter).id}": upload(), "commitment_items": [minor.name], "commitment_signed": "true"},
        format="multipart",
    )
    assert response.status_code == 422 and response.json()["code"] == "commitment_refused"
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_it_verifies_genuine_altered_and_unknown_documents(api, clerk, matter, called_ticket):
    body = (
        api(clerk)
        .post(
            f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/",
            {f"material_{required(matter).id}": upload()},
            format="multipart",
        )
        .json()
    )
    code = body["documents"][0]["verification_code"]
    genuine = page_client(clerk).get(body["documents"][0]["url"]).content
    public = Client()
    page = public.get(f"/verify/{code}/").content.decode()
    assert "该文书由本平台出具" in page and body["number"] in page
    assert "王**" in page and "王小明" not in page  # no personal data on the public page
    ok = public.post(f"/verify/{code}/", {"copy": upload("copy.pdf", genuine, "application/pdf")}).content.decode()
    assert 'id="genuine"' in ok
    middle = len(genuine) // 2
    altered = genuine[:middle] + bytes([genuine[middle] ^ 0x01]) + genuine[middle + 1 :]
    bad = public.post(f"/verify/{code}/", {"copy": upload("copy.pdf", altered, "application/pdf")}).content.decode()
    assert 'id="altered"' in bad
    unknown = public.get("/verify/ZZZZZZZZZZZZ/")
    assert unknown.status_code == 404 and 'id="unknown"' in unknown.content.decode()


@pytest.mark.django_db
def test_it_warns_supervisors_before_the_five_day_limit(api, clerk, hall, matter, called_ticket):
    from apps.front.booking.models import StaffPost
    from apps.shared.accounts.models import Role

    supervisor = make_user("hallsup", Role.HALL_SUPERVISOR, real_name="陈主管", phone="13700007777")
    StaffPost.objects.create(user=supervisor, hall=hall)
    body = api(clerk).post(f"/api/v1/workbench/tickets/{called_ticket['id']}/receive/", {}, format="multipart").json()
    case = Case.objects.get(number=body["number"])
    deadline = case.intake_deadline
    assert deadline > timezone.localdate()
    assert cases_intake_deadline_warn() == 0  # today is far from the limit
    # Two working days before the limit: not yet; on the last working day before it: warned, once.
    calendar = calendar_get()
    day_before = deadline - dt.timedelta(days=1)
    while not calendar.is_workday(day_before):
        day_before -= dt.timedelta(days=1)
    two_before = day_before - dt.timedelta(days=1)
    while not calendar.is_workday(two_before):
        two_before -= dt.timedelta(days=1)
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(two_before, dt.time(10))), tick=False):
        assert cases_intake_deadline_warn() == 0
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(day_before, dt.time(10))), tick=False):
        assert cases_intake_deadline_warn() == 1
        assert cases_intake_deadline_warn() == 0
    warning = Notification.objects.get(recipient=supervisor, event="intake.deadline_near", channel="inbox")
    assert case.number in warning.body
