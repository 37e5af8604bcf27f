"""Central hears how the applicant receives the result (issue #5) and that it reached them (issue #7):
the choice travels with the case or as case.delivery_chosen, the handover as case.delivered; each is
applied once, and a choice arriving after the result was issued is noted without touching the result."""

import datetime as dt
import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from apps.central.review.models import ReviewCase, ReviewEvent
from apps.shared.accounts.models import Role
from apps.shared.exchange.models import InboxMessage, OutboxMessage
from tests.central.reviewing import to_decision
from tests.central.test_review import package, send
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NUMBER = "TZ2026112400001"


def message(kind: str, payload: dict, *, message_id: str | None = None) -> tuple[str, bytes]:
    message_id = message_id or str(uuid.uuid4())
    return message_id, json.dumps(
        {"id": message_id, "kind": kind, "payload": payload, "files": []}, ensure_ascii=False
    ).encode()


def chosen(client, method: str, *, number: str = NUMBER, message_id: str | None = None, **extra):
    return send(
        client, *message("case.delivery_chosen", {"number": number, "method": method, **extra}, message_id=message_id)
    )


def delivered(client, method: str, at: dt.datetime, *, number: str = NUMBER, message_id: str | None = None, **extra):
    payload = {"number": number, "method": method, "delivered_at": at.isoformat(), **extra}
    return send(client, *message("case.delivered", payload, message_id=message_id))


def act(api, user, case, action, **data):
    response = api(user).post(f"/api/v1/cases/{case.id}/{action}/", data, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def notes(case) -> list[str]:
    return list(ReviewEvent.objects.filter(case=case).values_list("note", flat=True))


@pytest.fixture
def received(client, platform, matter):
    assert send(client, *package(matter)).status_code == 200
    return ReviewCase.objects.get()


@pytest.fixture
def issued(api, approver, received):
    to_decision(api, approver, received)
    act(api, approver, received, "decide", decision="approved", reason="")
    act(api, approver, received, "result")
    received.refresh_from_db()
    return received


class TestChoiceWithTheCase:
    def test_a_case_without_a_choice_is_for_the_e_licence(self, received):
        assert (received.delivery_method, received.delivery_region) == ("electronic", "")

    def test_the_choice_made_before_acceptance_travels_in_the_package(self, client, platform, matter):
        message_id, body = package(matter)
        envelope = json.loads(body)
        envelope["payload"] |= {"delivery_method": "post", "delivery_region": "北京市通州区"}
        assert send(client, message_id, json.dumps(envelope, ensure_ascii=False).encode()).status_code == 200
        case = ReviewCase.objects.get()
        assert (case.delivery_method, case.delivery_region) == ("post", "北京市通州区")

    def test_an_unknown_method_in_the_package_does_not_cost_the_case(self, client, platform, matter):
        message_id, body = package(matter)
        envelope = json.loads(body)
        envelope["payload"] |= {"delivery_method": "drone", "delivery_region": "北京市通州区"}
        response = send(client, message_id, json.dumps(envelope).encode())
        assert response.status_code == 200, response.content
        case = ReviewCase.objects.get()
        assert (case.delivery_method, case.delivery_region) == ("electronic", "")
        assert "领取方式“drone”无法识别，按电子证照下载" in notes(case)


class TestChoiceChanged:
    def test_it_updates_the_case_and_notes_the_change(self, client, received):
        response = chosen(client, "pickup")
        assert response.status_code == 200, response.content
        assert response.json() == {"number": NUMBER, "delivery_method": "pickup", "applied": True}
        received.refresh_from_db()
        assert (received.delivery_method, received.delivery_region) == ("pickup", "")
        assert "申请人选择领取方式：窗口领取" in notes(received)

    def test_post_keeps_only_the_city_and_district(self, client, received):
        assert chosen(client, "post", region="北京市通州区").status_code == 200
        received.refresh_from_db()
        assert (received.delivery_method, received.delivery_region) == ("post", "北京市通州区")
        assert "申请人选择领取方式：免费邮寄（北京市通州区）" in notes(received)
        # Back to pickup: no region is kept for a method that has none.
        chosen(client, "pickup", region="北京市通州区")
        received.refresh_from_db()
        assert (received.delivery_method, received.delivery_region) == ("pickup", "")

    def test_a_duplicate_changes_nothing(self, client, received):
        message_id = str(uuid.uuid4())
        first = chosen(client, "pickup", message_id=message_id)
        again = chosen(client, "pickup", message_id=message_id)
        assert again.status_code == 200 and again.json() == {**first.json(), "duplicate": True}
        assert InboxMessage.objects.filter(kind="case.delivery_chosen").count() == 1
        # The same choice resent under a new id (an operator's re-drive): still one note.
        assert chosen(client, "pickup").status_code == 200
        assert notes(received).count("申请人选择领取方式：窗口领取") == 1

    def test_it_waits_for_the_case_and_refuses_nonsense(self, client, received):
        assert chosen(client, "pickup", number="TZ0000").status_code == 409  # not here yet: the front retries
        assert not InboxMessage.objects.filter(kind="case.delivery_chosen").exists()
        response = chosen(client, "drone")
        assert response.status_code == 422 and "领取方式" in response.json()["detail"]
        received.refresh_from_db()
        assert received.delivery_method == "electronic"

    def test_the_result_is_sent_for_the_chosen_method(self, client, api, approver, received):
        chosen(client, "pickup")
        to_decision(api, approver, received)
        act(api, approver, received, "decide", decision="approved", reason="")
        act(api, approver, received, "result")
        assert OutboxMessage.objects.get(kind="case.result_issued").payload["delivery_method"] == "pickup"
        assert any(n.endswith("按申请人选择窗口领取") for n in notes(received))

    def test_the_approver_sees_the_choice_on_the_case_page_and_when_issuing(self, client, api, approver, received):
        chosen(client, "post", region="北京市通州区")
        to_decision(api, approver, received)
        act(api, approver, received, "decide", decision="approved", reason="")
        page = Client()
        page.force_login(approver)
        html = page.get(f"/cases/{received.id}/").content.decode()
        assert "免费邮寄（北京市通州区）" in html
        assert "将按申请人选择的领取方式送达：免费邮寄" in html
        assert api(approver).get(f"/api/v1/cases/{received.id}/").json()["delivery_method"] == "post"


class TestLateChoice:
    def test_a_choice_after_the_result_is_noted_and_changes_nothing_issued(self, client, issued):
        result_payload = OutboxMessage.objects.get(kind="case.result_issued").payload
        response = chosen(client, "pickup")
        assert response.status_code == 200  # acknowledged: the front must not retry it forever
        assert response.json() == {"number": NUMBER, "delivery_method": "electronic", "applied": False}
        issued.refresh_from_db()
        assert issued.delivery_method == "electronic"
        assert "结果出具后收到领取方式变更：窗口领取，已出具的结果不变" in notes(issued)
        assert OutboxMessage.objects.filter(kind="case.result_issued").count() == 1
        assert OutboxMessage.objects.get(kind="case.result_issued").payload == result_payload
        chosen(client, "pickup")  # resent under a new id: one note
        assert notes(issued).count("结果出具后收到领取方式变更：窗口领取，已出具的结果不变") == 1


class TestDelivered:
    def test_it_records_the_pickup_once(self, client, issued, approver):
        at = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
        message_id = str(uuid.uuid4())
        response = delivered(client, "pickup", at, message_id=message_id, tracking_number="SF123")
        assert response.status_code == 200, response.content
        issued.refresh_from_db()
        assert (issued.delivered_method, issued.delivered_at, issued.delivery_tracking_number) == ("pickup", at, "")
        assert notes(issued).count("结果已送达申请人：窗口领取") == 1
        again = delivered(client, "pickup", at, message_id=message_id, tracking_number="SF123")
        assert again.json() == {**response.json(), "duplicate": True}
        later = delivered(client, "electronic", at + dt.timedelta(hours=1))  # a re-drive under a new id
        assert later.status_code == 200
        issued.refresh_from_db()
        assert (issued.delivered_method, issued.delivered_at) == ("pickup", at)
        assert sum(n.startswith("结果已送达") for n in notes(issued)) == 1
        page = Client()
        page.force_login(approver)
        html = page.get(f"/cases/{issued.id}/").content.decode()
        assert "窗口领取 · " + timezone.localtime(at).strftime("%Y-%m-%d %H:%M") in html

    def test_it_keeps_the_waybill_of_a_posted_result(self, client, issued, api, approver):
        at = timezone.now().replace(microsecond=0)
        assert delivered(client, "post", at, tracking_number="DX20261201000001").status_code == 200
        issued.refresh_from_db()
        assert (issued.delivered_method, issued.delivery_tracking_number) == ("post", "DX20261201000001")
        assert "结果已送达申请人：免费邮寄，运单号DX20261201000001" in notes(issued)
        assert api(approver).get(f"/api/v1/cases/{issued.id}/").json()["delivery_tracking_number"] == "DX20261201000001"

    def test_it_refuses_a_malformed_report_and_waits_for_an_unknown_case(self, client, issued):
        response = send(
            client, *message("case.delivered", {"number": NUMBER, "method": "pickup", "delivered_at": "yesterday"})
        )
        assert response.status_code == 422 and "送达时间" in response.json()["detail"]
        assert delivered(client, "drone", timezone.now()).status_code == 422
        assert delivered(client, "pickup", timezone.now(), number="TZ0000").status_code == 409
        issued.refresh_from_db()
        assert issued.delivered_at is None

    def test_the_case_page_says_a_result_is_waiting_until_then(self, issued, approver):
        page = Client()
        page.force_login(approver)
        assert "待申请人领取" in page.get(f"/cases/{issued.id}/").content.decode()

    def test_the_dashboard_counts_deliveries_in_the_period_by_method(self, client, platform, matter, issued):
        now = timezone.now()
        delivered(client, "pickup", now)
        other_number = "TZ2026112400002"
        send(client, *package(matter, number=other_number))
        delivered(
            client, "post", now - dt.timedelta(days=400), number=other_number, tracking_number="DX1"
        )  # outside the period
        supervisor = make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管")
        page = Client()
        page.force_login(supervisor)
        html = page.get("/dashboard/").content.decode()
        assert '<dd id="delivered-count">1</dd>' in html
        assert "窗口领取 1 · 邮寄 0 · 电子证照 0" in html


def test_it_notes_the_waybill_of_the_originals_the_receiving_hall_posted(client, received):
    """异地代收代办 (issue 16): the hall that received the case for us posted its originals (材料寄递)."""
    payload = {"number": NUMBER, "items": ["职工本人人事档案"], "courier": "开发快递", "tracking_number": "DX1234"}
    message_id, body = message("case.originals_posted", payload)
    first = send(client, message_id, body)
    again = send(client, message_id, body)

    assert first.status_code == 200 and first.json()["tracking_number"] == "DX1234"
    assert again.json()["duplicate"] is True
    assert notes(received).count("收件地已寄出原件：职工本人人事档案（开发快递，运单号 DX1234）") == 1
    unknown = send(client, *message("case.originals_posted", {**payload, "number": "TZ2026112499999"}))
    assert unknown.status_code == 409  # not arrived yet: the sender retries
