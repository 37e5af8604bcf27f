"""What the front tells central about the result's delivery (issues #5 and #7): the citizen's choice,
with the case when it is made before acceptance (case.submitted) and as case.delivery_chosen after, and
the handover (case.delivered). One message per change, written in the change's transaction, and nothing
personal beyond what central already holds: for post the city and district, never the address, phone
or recipient."""

import json

import pytest
from django.db import transaction

from apps.front.delivery.models import Delivery, DeliveryMethod
from apps.front.delivery.selectors import address_region
from apps.front.delivery.services import delivery_choose, delivery_dispatch, delivery_downloaded
from apps.front.intake.models import Document, DocumentKind
from apps.shared.exchange.models import OutboxMessage
from tests.factories import valid_id_number
from tests.journey_helpers import PDF, shift_slot_to_now, upload
from tests.personas_front import TERMINAL_TOKEN

from .conftest import courier_push, decide, issue_result
from .test_delivery import ADDRESS, choose

pytestmark = pytest.mark.django_db


def sent(kind: str) -> list[dict]:
    return [m.payload for m in OutboxMessage.objects.filter(kind=kind).order_by("created_at", "id")]


def assert_nothing_personal(payload: dict, citizen) -> None:
    text = json.dumps(payload, ensure_ascii=False)
    for secret in (
        citizen.id_number,
        citizen.phone,
        citizen.real_name,
        ADDRESS["recipient_phone"],
        ADDRESS["recipient_name"],
        "运河东大街",
        "57号",
    ):
        assert secret and secret not in text, secret


class TestChoice:
    def test_each_change_is_one_message_with_the_method_only(self, api, citizen, case):
        assert choose(api, citizen, case, {"method": "pickup"}).status_code == 200
        assert sent("case.delivery_chosen") == [{"number": case.number, "method": "pickup", "region": ""}]
        assert choose(api, citizen, case, {"method": "pickup"}).status_code == 200  # the same again: nothing new
        assert len(sent("case.delivery_chosen")) == 1
        assert choose(api, citizen, case, ADDRESS).status_code == 200
        assert choose(api, citizen, case, {"method": "electronic"}).status_code == 200
        assert sent("case.delivery_chosen") == [
            {"number": case.number, "method": "pickup", "region": ""},
            {"number": case.number, "method": "post", "region": "北京市通州区"},
            {"number": case.number, "method": "electronic", "region": ""},
        ]
        for payload in sent("case.delivery_chosen"):
            assert_nothing_personal(payload, citizen)
        message = OutboxMessage.objects.filter(kind="case.delivery_chosen").first()
        assert (
            message.ordering_key == case.number and message.actor == "申请人"
        )  # after the case itself, never the citizen's name

    def test_a_new_address_in_the_same_district_tells_central_nothing(self, api, citizen, case):
        choose(api, citizen, case, ADDRESS)
        moved = {**ADDRESS, "address": "北京市通州区新华大街10号院2号楼", "recipient_phone": "13800001111"}
        assert choose(api, citizen, case, moved).status_code == 200
        assert len(sent("case.delivery_chosen")) == 1
        elsewhere = {**ADDRESS, "address": "北京市朝阳区建国路88号"}
        assert choose(api, citizen, case, elsewhere).status_code == 200
        assert [p["region"] for p in sent("case.delivery_chosen")] == ["北京市通州区", "北京市朝阳区"]

    def test_the_clerks_record_at_the_window_travels_too(self, api, clerk, case):
        response = api(clerk).put(
            f"/api/v1/workbench/cases/{case.number}/delivery/", {"method": "pickup"}, format="json"
        )
        assert response.status_code == 200, response.content
        [message] = OutboxMessage.objects.filter(kind="case.delivery_chosen")
        assert message.payload["method"] == "pickup" and message.actor == clerk.audit_label

    def test_a_refused_choice_sends_nothing(self, api, client, citizen, case):
        assert choose(api, citizen, case, {"method": "post", "address": "x"}).status_code == 400
        choose(api, citizen, case, {"method": "pickup"})
        decide(client, case)
        issue_result(client, case)
        assert choose(api, citizen, case, {"method": "electronic"}).status_code == 409
        assert [p["method"] for p in sent("case.delivery_chosen")] == ["pickup"]

    def test_it_is_written_in_the_choices_transaction(self, citizen, case):
        with pytest.raises(RuntimeError), transaction.atomic():
            delivery_choose(citizen=citizen, number=case.number, method="pickup")
            assert len(sent("case.delivery_chosen")) == 1
            raise RuntimeError("the request fails after the choice")
        assert not Delivery.objects.filter(case=case).exists()
        assert not OutboxMessage.objects.filter(kind="case.delivery_chosen").exists()


class TestChoiceBeforeAcceptance:
    @pytest.fixture
    def received(self, api, citizen, slot, matter, terminal, clerk, central_peer):
        """收件 only: the hall holds the case; central has not heard of it."""
        code = (
            api(citizen)
            .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
            .json()["code"]
        )
        shift_slot_to_now(slot.id)
        api(None).post(
            "/api/v1/terminal/checkin/", {"code": code}, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}"
        )
        ticket = api(clerk).post("/api/v1/workbench/call-next/").json()
        body = api(clerk).post(f"/api/v1/workbench/tickets/{ticket['id']}/receive/", {}, format="multipart").json()
        return body["number"]

    def test_it_travels_inside_the_case_package(self, api, citizen, clerk, matter, received):
        assert api(citizen).put(f"/api/v1/cases/{received}/delivery/", ADDRESS, format="json").status_code == 200
        assert not OutboxMessage.objects.exists()  # nothing about a case central does not have
        material = matter.materials.get(required=True)
        response = api(clerk).post(
            f"/api/v1/workbench/cases/{received}/accept/",
            {f"material_{material.id}": upload("id.pdf", PDF)},
            format="multipart",
        )
        assert response.status_code == 200, response.content
        [package] = sent("case.submitted")
        assert (package["delivery_method"], package["delivery_region"]) == ("post", "北京市通州区")
        assert "运河东大街" not in json.dumps(package, ensure_ascii=False) and ADDRESS[
            "recipient_phone"
        ] not in json.dumps(package)
        assert not OutboxMessage.objects.filter(kind="case.delivery_chosen").exists()
        # Changed after acceptance: now a message of its own, after the package.
        assert (
            api(citizen).put(f"/api/v1/cases/{received}/delivery/", {"method": "pickup"}, format="json").status_code
            == 200
        )
        assert list(OutboxMessage.objects.order_by("created_at", "id").values_list("kind", flat=True)) == [
            "case.submitted",
            "case.delivery_chosen",
        ]

    def test_a_case_without_a_choice_goes_for_the_e_licence(self, api, clerk, matter, received):
        material = matter.materials.get(required=True)
        api(clerk).post(
            f"/api/v1/workbench/cases/{received}/accept/",
            {f"material_{material.id}": upload("id.pdf", PDF)},
            format="multipart",
        )
        [package] = sent("case.submitted")
        assert (package["delivery_method"], package["delivery_region"]) == ("electronic", "")


class TestDelivered:
    def test_a_pickup_is_reported_once_without_personal_data(self, api, client, citizen, clerk, case):
        choose(api, citizen, case, {"method": "pickup"})
        decide(client, case)
        issue_result(client, case)
        assert not sent("case.delivered")
        bad = api(clerk).post(
            f"/api/v1/workbench/cases/{case.number}/pickup/",
            {"id_number": valid_id_number(birth="19851212")},
            format="json",
        )
        assert bad.status_code == 422 and not sent("case.delivered")  # a refused attempt is no delivery
        response = api(clerk).post(
            f"/api/v1/workbench/cases/{case.number}/pickup/", {"id_number": citizen.id_number}, format="json"
        )
        assert response.status_code == 200, response.content
        delivery = Delivery.objects.get(case=case)
        assert sent("case.delivered") == [
            {"number": case.number, "method": "pickup", "delivered_at": delivery.delivered_at.isoformat()}
        ]
        assert_nothing_personal(sent("case.delivered")[0], citizen)
        api(clerk).post(
            f"/api/v1/workbench/cases/{case.number}/pickup/", {"id_number": citizen.id_number}, format="json"
        )
        assert len(sent("case.delivered")) == 1

    def test_a_posted_result_is_reported_with_its_waybill_when_the_courier_delivers(self, api, client, citizen, case):
        choose(api, citizen, case, ADDRESS)
        decide(client, case)
        issue_result(client, case)
        delivery = delivery_dispatch(delivery_id=Delivery.objects.get(case=case).id)
        assert not sent("case.delivered")  # posted is not yet delivered
        body = {"tracking_number": delivery.tracking_number, "status": "delivered", "at": "2026-12-03T15:20:00+08:00"}
        assert courier_push(client, body).status_code == 200
        assert courier_push(client, body).status_code == 200  # the courier repeats itself
        assert sent("case.delivered") == [
            {
                "number": case.number,
                "method": "post",
                "delivered_at": "2026-12-03T15:20:00+08:00",
                "tracking_number": delivery.tracking_number,
            }
        ]
        assert_nothing_personal(sent("case.delivered")[0], citizen)

    def test_the_first_download_of_the_e_licence_is_reported_once(self, client, citizen, case):
        decide(client, case)
        issue_result(client, case)
        certificate = Document.objects.get(case=case, kind=DocumentKind.CERTIFICATE)
        delivery_downloaded(citizen=citizen, document=certificate)
        delivery_downloaded(citizen=citizen, document=certificate)
        [payload] = sent("case.delivered")
        assert payload["method"] == DeliveryMethod.ELECTRONIC and "tracking_number" not in payload


@pytest.mark.parametrize(
    ("address", "region"),
    [
        ("北京市通州区运河东大街57号院3号楼2单元101", "北京市通州区"),
        ("浙江省杭州市西湖区文三路100号", "杭州市西湖区"),
        ("上海市浦东新区世纪大道100号", "上海市浦东新区"),
        ("北京市朝阳门外大街1号", "北京市"),
        ("运河东大街57号院", ""),
    ],
)
def test_only_the_city_and_district_of_an_address_leave(address, region):
    assert address_region(address) == region
