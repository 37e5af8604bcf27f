"""Result delivery the way the citizen chose: pickup at the window with an ID check and a 送达回执, free
post with a tracking number and the courier's delivered push, or the e-licence downloaded by its owner."""

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from apps.front.delivery.models import CourierPush, Delivery, DeliveryEvent, DeliveryMethod, HandoverStatus
from apps.front.delivery.services import deliveries_dispatch_due, delivery_dispatch
from apps.front.delivery.tasks import delivery_dispatch as delivery_dispatch_task
from apps.front.intake.models import Case, CaseStatus, Document, DocumentKind
from apps.front.notifications.models import Notification
from govservice.lib.tasks import TaskKick
from tests.factories import valid_id_number

from .conftest import (
    CERTIFICATE,
    COURIER_KEY,
    PASSWORD,
    central_event,
    courier_push,
    courier_signature,
    decide,
    issue_result,
    pdf_text,
)

pytestmark = pytest.mark.django_db

ADDRESS = {
    "method": "post",
    "recipient_name": "王小明",
    "recipient_phone": "13911112222",
    "address": "北京市通州区运河东大街57号院3号楼2单元101",
}


def choose(api, user, case, data):
    return api(user).put(f"/api/v1/cases/{case.number}/delivery/", data, format="json")


def bodies(citizen, event):
    return [n.body for n in Notification.objects.filter(recipient=citizen, event=event)]


class TestChoice:
    def test_it_asks_for_the_whole_address_for_post_and_keeps_nothing_on_error(self, api, citizen, case):
        response = choose(
            api, citizen, case, {"method": "post", "recipient_name": "王", "recipient_phone": "123", "address": "通州"}
        )
        assert response.status_code == 400 and response.json()["code"] == "address_invalid"
        assert (
            "收件人姓名" in response.json()["detail"]
            and "11位手机号码" in response.json()["detail"]
            and "详细邮寄地址" in response.json()["detail"]
        )
        assert not Delivery.objects.filter(case=case).exists()
        assert choose(api, citizen, case, {"method": "pickup"}).status_code == 200
        assert choose(api, citizen, case, {"method": "post", "address": "x"}).status_code == 400
        assert Delivery.objects.get(case=case).method == DeliveryMethod.PICKUP

    def test_it_keeps_the_address_encrypted_and_shows_the_phone_masked(self, api, citizen, case):
        response = choose(api, citizen, case, ADDRESS)
        assert response.status_code == 200, response.content
        assert response.json()["recipient_phone"] == "139****2222" and "address" not in response.json()
        assert "13911112222" not in response.content.decode()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT recipient_phone, address FROM delivery_delivery WHERE case_id = %s", [case.id])
            raw_phone, raw_address = cursor.fetchone()
        assert "13911112222" not in raw_phone and "运河东大街" not in raw_address
        page = Client()
        page.force_login(citizen)
        html = page.get(f"/cases/{case.number}/").content.decode()
        assert "免费邮寄" in html and "139****2222" in html and "13911112222" not in html

    def test_it_is_the_owners_alone(self, api, citizen, other_citizen, case):
        assert choose(api, other_citizen, case, {"method": "pickup"}).status_code == 404
        assert api(other_citizen).get(f"/api/v1/cases/{case.number}/delivery/").status_code == 404
        page = Client()
        page.force_login(other_citizen)
        assert page.post(f"/cases/{case.number}/delivery/", {"method": "pickup"}).status_code == 404
        assert not Delivery.objects.filter(case=case).exists()

    def test_it_is_chosen_on_the_case_page(self, citizen, case):
        page = Client()
        page.force_login(citizen)
        response = page.post(f"/cases/{case.number}/delivery/", {"method": "pickup"}, follow=True)
        assert "领取方式已保存" in response.content.decode()
        assert Delivery.objects.get(case=case).method == DeliveryMethod.PICKUP
        # Post: every field of the form reaches the delivery (the address is read back decrypted).
        response = page.post(f"/cases/{case.number}/delivery/", ADDRESS, follow=True)
        assert "领取方式已保存" in response.content.decode()
        delivery = Delivery.objects.get(case=case)
        assert (delivery.method, delivery.recipient_name, delivery.recipient_phone, delivery.address) == (
            DeliveryMethod.POST,
            ADDRESS["recipient_name"],
            ADDRESS["recipient_phone"],
            ADDRESS["address"],
        )

    def test_it_cannot_change_once_the_result_is_issued(self, api, client, citizen, case):
        choose(api, citizen, case, {"method": "pickup"})
        decide(client, case)
        issue_result(client, case)
        response = choose(api, citizen, case, {"method": "electronic"})
        assert response.status_code == 409
        assert Delivery.objects.get(case=case).method == DeliveryMethod.PICKUP

    def test_the_clerk_records_it_at_intake_for_the_own_halls_cases(self, api, citizen, clerk, other_hall_clerk, case):
        url = f"/api/v1/workbench/cases/{case.number}/delivery/"
        assert api(other_hall_clerk).put(url, {"method": "pickup"}, format="json").status_code == 404
        assert api(citizen).put(url, {"method": "pickup"}, format="json").status_code == 403
        response = api(clerk).put(url, ADDRESS, format="json")
        assert response.status_code == 200 and response.json()["method"] == "post"
        event = DeliveryEvent.objects.get(delivery__case=case)
        assert event.actor == clerk and "窗口登记" in event.note
        # The page form on the intake outcome; the citizen may still change it on the case page.
        page = Client()
        page.force_login(clerk)
        done = page.post(f"/workbench/cases/{case.number}/delivery/", {**ADDRESS, "recipient_name": "王大明"})
        assert done.status_code == 302 and done["Location"] == "/workbench/"
        delivery = Delivery.objects.get(case=case)
        assert (delivery.method, delivery.recipient_name, delivery.recipient_phone, delivery.address) == (
            DeliveryMethod.POST,
            "王大明",
            ADDRESS["recipient_phone"],
            ADDRESS["address"],
        )
        done = page.post(f"/workbench/cases/{case.number}/delivery/", {"method": "pickup"})
        assert done.status_code == 302 and done["Location"] == "/workbench/"
        bad = page.post(f"/workbench/cases/{case.number}/delivery/", {"method": "post", "address": "通州"})
        assert bad.status_code == 400 and "收件人姓名" in bad.content.decode()
        assert Delivery.objects.get(case=case).method == DeliveryMethod.PICKUP
        assert choose(api, citizen, case, {"method": "electronic"}).json()["method"] == "electronic"

    def test_it_offers_no_choice_after_a_denial(self, api, client, citizen, case):
        central_event(
            client,
            "case.decided",
            {
                "number": case.number,
                "decision": "denied",
                "reason": "不符合条件",
                "remedies": "复议",
                "decided_at": "2026-12-01T10:00:00+08:00",
            },
        )
        response = choose(api, citizen, case, {"method": "pickup"})
        assert response.status_code == 409 and response.json()["code"] == "invalid_state"
        page = Client()
        page.force_login(citizen)
        shown = page.get(f"/cases/{case.number}/")
        assert shown.status_code == 200 and "不符合条件" in shown.content.decode()
        assert 'name="method"' not in shown.content.decode()


class TestPickup:
    @pytest.fixture
    def ready(self, api, client, citizen, case):
        assert choose(api, citizen, case, {"method": "pickup"}).status_code == 200
        decide(client, case)
        issue_result(client, case)
        return case

    def test_it_tells_the_citizen_where_to_collect(self, ready, citizen, hall):
        ready.refresh_from_db()
        assert ready.status == CaseStatus.RESULT_READY
        assert Delivery.objects.get(case=ready).status == HandoverStatus.READY
        [sms] = Notification.objects.filter(recipient=citizen, event="case.result_ready_pickup", channel="sms")
        assert hall.name in sms.body and "身份证" in sms.body and ready.number in sms.body
        assert citizen.id_number not in sms.body

    def test_it_refuses_a_wrong_id_and_records_the_attempt(self, api, ready, clerk, citizen):
        stranger = valid_id_number(birth="19851212")
        response = api(clerk).post(
            f"/api/v1/workbench/cases/{ready.number}/pickup/", {"id_number": stranger}, format="json"
        )
        assert response.status_code == 422 and response.json()["code"] == "id_mismatch"
        assert stranger not in response.content.decode()
        ready.refresh_from_db()
        assert ready.status == CaseStatus.RESULT_READY
        refused = DeliveryEvent.objects.get(delivery__case=ready, note__contains="不符")
        assert refused.actor == clerk and stranger not in refused.note
        bad = api(clerk).post(
            f"/api/v1/workbench/cases/{ready.number}/pickup/", {"id_number": "110105199001011234"}, format="json"
        )
        assert bad.status_code == 422 and bad.json()["code"] == "invalid_id_number"

    def test_it_hands_over_on_the_right_id_with_a_receipt(self, api, ready, clerk, citizen):
        response = api(clerk).post(
            f"/api/v1/workbench/cases/{ready.number}/pickup/", {"id_number": citizen.id_number.lower()}, format="json"
        )
        assert response.status_code == 200, response.content
        ready.refresh_from_db()
        assert ready.status == CaseStatus.DELIVERED
        delivery = Delivery.objects.get(case=ready)
        assert (
            delivery.status == HandoverStatus.DELIVERED and delivery.handed_over_by == clerk and delivery.delivered_at
        )
        assert ready.events.filter(to_status=CaseStatus.DELIVERED).count() == 1
        assert bodies(citizen, "case.delivered") and "窗口领取" in bodies(citizen, "case.delivered")[0]
        receipt = Document.objects.get(case=ready, kind=DocumentKind.DELIVERY_RECEIPT)
        assert response.json()["receipt_code"] == receipt.verification_code
        # The receipt as the clerk prints it: a real PDF, the public mask of the ID number only.
        staff = Client()
        staff.force_login(clerk)
        pdf = staff.get(response.json()["receipt_url"])
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        text = pdf_text(pdf.content)
        masked = citizen.id_number[:4] + "*" * 10 + citizen.id_number[-4:]
        for expected in (
            "送达回执",
            ready.number,
            "社会保障卡",
            masked,
            "已核验本人居民身份证",
            "受送达人签收",
            receipt.verification_code,
            "李窗口",
        ):
            assert expected in text, expected
        assert citizen.id_number not in text
        # Signed: its digest is kept, so the public page tells this copy from an altered one.
        public = Client()
        assert (
            'id="genuine"'
            in public.post(f"/verify/{receipt.verification_code}/", {"copy": _file(pdf.content)}).content.decode()
        )
        assert (
            'id="altered"'
            in public.post(f"/verify/{receipt.verification_code}/", {"copy": _file(pdf.content[:-10])}).content.decode()
        )
        # Once handed over, never twice.
        again = api(clerk).post(
            f"/api/v1/workbench/cases/{ready.number}/pickup/", {"id_number": citizen.id_number}, format="json"
        )
        assert again.status_code == 409 and again.json()["code"] == "already_delivered"

    def test_it_is_done_at_the_hall_that_holds_the_case_only(
        self, api, ready, other_hall_clerk, citizen, other_citizen
    ):
        assert (
            api(other_hall_clerk)
            .post(f"/api/v1/workbench/cases/{ready.number}/pickup/", {"id_number": citizen.id_number}, format="json")
            .status_code
            == 404
        )
        assert (
            api(other_citizen)
            .post(f"/api/v1/workbench/cases/{ready.number}/pickup/", {"id_number": citizen.id_number}, format="json")
            .status_code
            == 403
        )

    def test_the_pickup_desk_page(self, ready, clerk, citizen):
        page = Client()
        page.force_login(clerk)
        desk = page.get("/workbench/pickup/").content.decode()
        assert ready.number in desk and "王**" in desk
        found = page.get(f"/workbench/pickup/?number={ready.number}").content.decode()
        assert citizen.masked_id in found and citizen.id_number not in found
        wrong = page.post(
            "/workbench/pickup/", {"number": ready.number, "id_number": valid_id_number(birth="19770707")}
        )
        assert wrong.status_code == 422 and "不符" in wrong.content.decode()
        done = page.post("/workbench/pickup/", {"number": ready.number, "id_number": citizen.id_number})
        html = done.content.decode()
        assert done.status_code == 200 and 'id="handed-over"' in html and 'id="receipt-link"' in html
        assert citizen.id_number not in html

    def test_the_pickup_desk_reads_an_odd_case_number_as_a_refusal_not_an_error(self, ready, clerk):
        page = Client()
        page.force_login(clerk)
        too_long = page.get("/workbench/pickup/", {"number": "TZ" * 40})
        assert too_long.status_code == 400 and "办件编号有误" in too_long.content.decode()
        # Lower case, padded: the same number; posted with the hand-over form, or only in the address.
        found = page.get("/workbench/pickup/", {"number": f"  {ready.number.lower()} "})
        assert found.status_code == 200 and f"<h2>{ready.number}" in found.content.decode()
        only_in_address = page.post(f"/workbench/pickup/?number={ready.number}", {"id_number": "1"})
        # An ID number that is none: invalid_id_number, 422 (issue 17: was 400).
        assert only_in_address.status_code == 422 and ready.number in only_in_address.content.decode()

    def test_the_desk_lists_waiting_results_in_a_fixed_number_of_queries(
        self, api, client, ready, clerk, citizen, other_citizen, hall, matter, django_assert_max_num_queries
    ):
        from django.contrib.auth.hashers import make_password

        from apps.front.intake.models import CaseStatus as S

        for n, owner in enumerate([citizen, other_citizen, citizen], start=1):
            more = Case.objects.create(
                number=f"TZ20261201200{n:02d}",
                query_password_hash=make_password("1"),
                citizen=owner,
                matter=matter,
                hall=hall,
                status=S.IN_REVIEW,
            )
            assert choose(api, owner, more, {"method": "pickup"}).status_code == 200
            decide(client, more)
            issue_result(client, more, code=f"MORE2345678{n}", content=CERTIFICATE + bytes([n]))
        page = Client()
        page.force_login(clerk)
        # Session, user, the list (the clerk's hall as a subquery): the same for four rows as for one.
        with django_assert_max_num_queries(5):
            html = page.get("/workbench/pickup/").content.decode()
        assert html.count("?number=TZ") == 4

    def test_it_refuses_a_case_that_is_not_for_pickup(self, api, client, citizen, clerk, case):
        decide(client, case)
        issue_result(client, case)
        response = api(clerk).post(
            f"/api/v1/workbench/cases/{case.number}/pickup/", {"id_number": citizen.id_number}, format="json"
        )
        assert response.status_code == 409 and response.json()["code"] == "wrong_method"


def _file(content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("copy.pdf", content, content_type="application/pdf")


class TestPost:
    @pytest.fixture
    def ready(self, api, client, citizen, case, django_capture_on_commit_callbacks):
        assert choose(api, citizen, case, ADDRESS).status_code == 200
        decide(client, case)
        with django_capture_on_commit_callbacks() as callbacks:
            issue_result(client, case)
        # The courier is ordered by a task kicked after commit (never inside the transaction); the kick
        # is checked here and the task body run by the tests as a function.
        kicked = [c.args for c in callbacks if isinstance(c, TaskKick) and c.task is delivery_dispatch_task]
        delivery = Delivery.objects.get(case=case)
        assert kicked == [(delivery.id,)]
        return delivery

    def test_it_posts_with_a_tracking_number_and_tells_the_citizen(self, ready, citizen, settings, api):
        assert ready.status == HandoverStatus.READY
        posted = delivery_dispatch(delivery_id=ready.id)
        assert (
            posted.status == HandoverStatus.POSTED
            and posted.tracking_number.startswith("DX")
            and posted.courier == "dev-express"
        )
        [waybill] = [json.loads(line) for line in Path(settings.COURIER_FILE_PATH).read_text().splitlines()]
        assert waybill["tracking_number"] == posted.tracking_number and waybill["address"].startswith("北京市通州区")
        # Our reference to the courier is the row id, never personal data (DOMAIN.md §7).
        assert waybill["reference"] == f"CW-D{ready.id}" and citizen.id_number not in json.dumps(
            waybill, ensure_ascii=False
        )
        [sms] = Notification.objects.filter(recipient=citizen, event="case.result_posted", channel="sms")
        assert posted.tracking_number in sms.body and "开发快递" in sms.body
        # The lookup without an account shows the tracking number too.
        body = (
            api(None).post("/api/v1/track/", {"number": ready.case.number, "password": PASSWORD}, format="json").json()
        )
        assert body["delivery"]["tracking_number"] == posted.tracking_number and body["delivery"]["status"] == "posted"
        assert posted.tracking_number in body["next_step"]

    def test_it_posts_once_however_often_the_dispatch_runs(self, ready, settings, citizen):
        first = delivery_dispatch(delivery_id=ready.id)
        again = delivery_dispatch(delivery_id=ready.id)
        assert deliveries_dispatch_due() == 0
        assert first.tracking_number == again.tracking_number
        assert Notification.objects.filter(recipient=citizen, event="case.result_posted", channel="sms").count() == 1
        assert DeliveryEvent.objects.filter(delivery=ready, to_status=HandoverStatus.POSTED).count() == 1

    def test_the_sweep_posts_what_the_kick_missed(self, ready):
        assert deliveries_dispatch_due() == 1
        assert Delivery.objects.get(id=ready.id).status == HandoverStatus.POSTED

    def test_the_couriers_signed_push_completes_the_delivery(self, ready, client, citizen):
        posted = delivery_dispatch(delivery_id=ready.id)
        forged = courier_push(
            client, {"tracking_number": posted.tracking_number, "status": "delivered"}, key="wrong-key"
        )
        assert forged.status_code == 401 and forged.json()["code"] == "bad_signature"
        stale = courier_push(
            client, {"tracking_number": posted.tracking_number, "status": "delivered"}, timestamp=1_000_000_000
        )
        assert stale.status_code == 401 and stale.json()["code"] == "request_expired"
        unknown = courier_push(client, {"tracking_number": "DX000000000000", "status": "delivered"})
        assert unknown.status_code == 404
        assert (
            courier_push(client, {"tracking_number": posted.tracking_number, "status": "in_transit"}).status_code == 200
        )
        assert Case.objects.get(id=ready.case_id).status == CaseStatus.RESULT_READY
        done = courier_push(
            client,
            {"tracking_number": posted.tracking_number, "status": "delivered", "at": "2026-12-03T10:15:00+08:00"},
        )
        assert done.status_code == 200, done.content
        assert done.json()["status"] == "delivered"
        case = Case.objects.get(id=ready.case_id)
        assert case.status == CaseStatus.DELIVERED
        assert Delivery.objects.get(id=ready.id).delivered_at.isoformat().startswith("2026-12-03T02:15")
        assert "邮寄妥投" in bodies(citizen, "case.delivered")[0]
        # The courier repeats itself: nothing changes, nobody is told twice.
        assert (
            courier_push(client, {"tracking_number": posted.tracking_number, "status": "delivered"}).status_code == 200
        )
        assert Notification.objects.filter(recipient=citizen, event="case.delivered", channel="sms").count() == 1

    def test_a_replayed_push_is_answered_but_not_applied_again(self, ready, client):
        """The courier's pushes are recorded by message id (their signature): the same signed push sent again
        within its time window adds no event (issue 12: a captured push could be replayed)."""
        posted = delivery_dispatch(delivery_id=ready.id)
        stamp = int(time.time())
        body = {"tracking_number": posted.tracking_number, "status": "in_transit"}
        events = DeliveryEvent.objects.filter(delivery_id=ready.id)
        before = events.count()
        first = courier_push(client, body, timestamp=stamp)
        again = courier_push(client, body, timestamp=stamp)
        assert first.status_code == again.status_code == 200 and first.json() == again.json()
        assert events.count() == before + 1
        assert CourierPush.objects.filter(tracking_number=posted.tracking_number).count() == 1
        # A new push (a new timestamp, so a new signature) is a new message.
        assert courier_push(client, body, timestamp=stamp + 1).status_code == 200
        assert events.count() == before + 2

    def test_a_signed_push_nested_too_deep_is_refused_not_a_server_error(self, client):
        raw = b"[" * 100_000 + b"]" * 100_000
        stamp = str(int(time.time()))
        response = client.post(
            "/api/v1/courier/dev-express/callback/",
            data=raw,
            content_type="application/json",
            HTTP_X_COURIER_TIMESTAMP=stamp,
            HTTP_X_COURIER_SIGNATURE=courier_signature(key=COURIER_KEY, timestamp=stamp, body=raw),
        )
        assert response.status_code == 400 and response.json()["code"] == "invalid"

    def test_a_push_before_posting_is_refused(self, ready, client):
        Delivery.objects.filter(id=ready.id).update(courier="dev-express", tracking_number="DX123")
        response = courier_push(client, {"tracking_number": "DX123", "status": "delivered"})
        assert response.status_code == 409
        assert Case.objects.get(id=ready.case_id).status == CaseStatus.RESULT_READY


class TestElectronic:
    @pytest.fixture
    def ready(self, client, case):
        # Nothing chosen: electronic by default (settings.DELIVERY_DEFAULT_METHOD).
        decide(client, case)
        issue_result(client, case)
        return case

    def test_it_tells_the_citizen_the_e_licence_can_be_downloaded(self, ready, citizen):
        assert Delivery.objects.get(case=ready).method == DeliveryMethod.ELECTRONIC
        assert any("电子证照" in body for body in bodies(citizen, "case.result_ready"))

    def test_only_the_owner_downloads_and_that_delivers_it(
        self, ready, citizen, other_citizen, other_hall_clerk, clerk
    ):
        certificate = Document.objects.get(case=ready, kind=DocumentKind.CERTIFICATE)
        url = f"/documents/{certificate.verification_code}.pdf"
        assert Client().get(url).status_code == 302  # to the login page
        for stranger in (other_citizen, other_hall_clerk):
            page = Client()
            page.force_login(stranger)
            assert page.get(url).status_code == 404
        # The hall's own clerk may print it (for a pickup), but that hands nothing over.
        staff = Client()
        staff.force_login(clerk)
        assert staff.get(url).content == CERTIFICATE
        assert Case.objects.get(id=ready.id).status == CaseStatus.RESULT_READY
        owner = Client()
        owner.force_login(citizen)
        html = owner.get(f"/cases/{ready.number}/").content.decode()
        assert f'href="{url}"' in html and 'id="electronic-hint"' in html
        response = owner.get(url)
        assert response.status_code == 200 and response.content == CERTIFICATE
        assert Case.objects.get(id=ready.id).status == CaseStatus.DELIVERED
        delivery = Delivery.objects.get(case=ready)
        assert delivery.status == HandoverStatus.DELIVERED and delivery.delivered_at
        assert owner.get(url).content == CERTIFICATE
        assert Notification.objects.filter(recipient=citizen, event="case.delivered", channel="sms").count() == 1
        assert ready.events.filter(to_status=CaseStatus.DELIVERED).count() == 1

    def test_an_english_reader_is_told_in_english_how_it_was_delivered(self, ready, citizen):
        from apps.front.notifications.models import Language
        from apps.front.notifications.services import preference_update

        preference_update(user=citizen, sms=True, email=False, language=Language.EN)
        certificate = Document.objects.get(case=ready, kind=DocumentKind.CERTIFICATE)
        owner = Client()
        owner.force_login(citizen)
        assert owner.get(f"/documents/{certificate.verification_code}.pdf").status_code == 200
        sms = Notification.objects.get(recipient=citizen, event="case.delivered", channel="sms")
        assert "e-licence downloaded" in sms.body.lower() and "电子证照" not in sms.body, sms.body

    def test_other_documents_do_not_count_as_the_handover(self, ready, citizen, clerk):
        receipt = Document(
            case=ready,
            kind=DocumentKind.RECEIPT,
            verification_code="RCPT23456789",
            content={"number": ready.number},
            issued_by=clerk,
            sha256="0" * 64,
        )
        receipt.file.save("receipt.pdf", ContentFile(b"%PDF-1.4 receipt"), save=False)
        receipt.save()
        owner = Client()
        owner.force_login(citizen)
        assert owner.get(f"/documents/{receipt.verification_code}.pdf").status_code == 200
        assert Case.objects.get(id=ready.id).status == CaseStatus.RESULT_READY

    def test_a_pickup_case_is_not_delivered_by_downloading(self, api, client, case, citizen):
        assert choose(api, citizen, case, {"method": "pickup"}).status_code == 200
        decide(client, case)
        issue_result(client, case)
        owner = Client()
        owner.force_login(citizen)
        certificate = Document.objects.get(case=case, kind=DocumentKind.CERTIFICATE)
        assert owner.get(f"/documents/{certificate.verification_code}.pdf").content == CERTIFICATE
        assert Case.objects.get(id=case.id).status == CaseStatus.RESULT_READY
        assert Delivery.objects.get(case=case).status == HandoverStatus.READY


@pytest.mark.parametrize("tamper", [{"HTTP_X_COURIER_SIGNATURE": "签名"}, {"HTTP_X_COURIER_TIMESTAMP": "²"}])
def test_the_courier_callback_answers_401_to_any_header(client, settings, time_machine, tamper):
    time_machine.move_to(dt.datetime.fromtimestamp(1764000000, dt.UTC), tick=False)
    settings.COURIER_CALLBACK_KEYS = {"dev-express": "courier-key"}
    headers = {"HTTP_X_COURIER_TIMESTAMP": "1764000000", "HTTP_X_COURIER_SIGNATURE": "0" * 64, **tamper}
    response = client.post(
        "/api/v1/courier/dev-express/callback/", data=b"{}", content_type="application/json", **headers
    )
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
