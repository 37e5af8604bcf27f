"""Domain errors are not HTTP errors (issue 11 point 4), for delivery: the pages check their input with a
form before calling a service and show what was wrong with 400; a refusal reads in one language, the
reader's; every code answers its one status from the edge's table."""

import pytest
from django.test import Client

from apps.front.delivery.models import Delivery, DeliveryMethod
from govservice.api import STATUS_BY_CODE

pytestmark = pytest.mark.django_db


def test_the_lookup_page_asks_for_both_fields_before_looking(case):
    page = Client().post("/track/", {"number": case.number, "password": "  "}, REMOTE_ADDR="203.0.113.20")
    assert page.status_code == 400 and "请输入办件编号和查询密码。" in page.content.decode()
    english = (
        Client().post("/track/", {"number": ""}, REMOTE_ADDR="203.0.113.21", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    # One sentence, once, for the two empty fields, in English only.
    assert english.count("Enter the case number and the query password.") == 1 and "请输入" not in english


def test_the_choice_pages_refuse_an_unknown_method_with_400_and_keep_nothing(citizen, clerk, case):
    page = Client()
    page.force_login(citizen)
    refused = page.post(f"/cases/{case.number}/delivery/", {"method": "pigeon"})
    assert refused.status_code == 400 and "请选择结果领取方式。" in refused.content.decode()
    window = Client()
    window.force_login(clerk)
    refused = window.post(f"/workbench/cases/{case.number}/delivery/", {"recipient_name": "王小明"})
    assert refused.status_code == 400 and "请选择结果领取方式。" in refused.content.decode()
    assert not Delivery.objects.filter(case=case).exists()


def test_a_refusal_reads_in_the_readers_language_only(api, citizen, case):
    body = {"method": "post", "recipient_name": "王", "recipient_phone": "123", "address": "通州"}
    chinese = api(citizen).put(f"/api/v1/cases/{case.number}/delivery/", body, format="json").json()
    assert chinese == {
        "code": "address_invalid",
        "detail": "邮寄送达请填写：收件人姓名、11位手机号码、详细邮寄地址（8至200字）。",
    }
    english = (
        api(citizen)
        .put(f"/api/v1/cases/{case.number}/delivery/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
        .json()
    )
    assert english == {
        "code": "address_invalid",
        "detail": "For delivery by post, please fill in the recipient's name, an 11-digit mobile number, "
        "the full postal address (8 to 200 characters).",
    }
    assert STATUS_BY_CODE["address_invalid"] == 400


def test_the_pickup_desk_asks_for_the_id_number_before_checking(clerk, case, api, citizen):
    assert (
        api(citizen)
        .put(f"/api/v1/cases/{case.number}/delivery/", {"method": DeliveryMethod.PICKUP}, format="json")
        .status_code
        == 200
    )
    desk = Client()
    desk.force_login(clerk)
    refused = desk.post("/workbench/pickup/", {"number": case.number, "id_number": ""})
    assert refused.status_code == 400 and "请输入领取人的身份证号码。" in refused.content.decode()
