"""The life of a consultation ticket through the API: ask, take (首问负责), route, answer, follow up,
close and rate; every step leaves an event."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.front.consult.models import ConsultTicket, MessageKind, TicketAction, TicketChannel, TicketStatus
from apps.front.notifications.models import Notification
from tests.factories import make_user
from tests.personas_front import TERMINAL_TOKEN

pytestmark = pytest.mark.django_db


def _ask(api, citizen, the_matter, **extra):
    payload = {
        "matter": the_matter.code,
        "kind": "consultation",
        "title": "社保卡丢了怎么补办",
        "content": "需要带什么材料？",
        **extra,
    }
    return api(citizen).post("/api/v1/consult/tickets/", payload, format="json")


def test_it_asks_a_question_on_the_portal(api, citizen, matter, hall):
    response = _ask(api, citizen, matter)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "new"
    assert body["hall"] == hall.name
    assert body["department"] == matter.department.name
    assert [m["kind"] for m in body["messages"]] == ["question"]
    ticket = ConsultTicket.objects.get(code=body["code"])
    assert ticket.citizen == citizen and ticket.channel == TicketChannel.WEB
    assert list(ticket.events.values_list("action", flat=True)) == [TicketAction.CREATE]
    # The citizen's own view masks nothing of theirs beyond what staff see: the API never returns a full phone.
    assert body["asker_phone"] == "138****1111"


@pytest.mark.parametrize(
    ("extra", "status", "code"),
    [
        ({"title": ""}, 400, "invalid"),
        ({"content": "   "}, 400, "invalid"),
        ({"kind": "praise"}, 400, "invalid"),
        ({"matter": "NOPE"}, 400, "unknown_matter"),
    ],
)
def test_it_refuses_a_bad_question_with_a_clear_error(api, citizen, matter, extra, status, code):
    response = _ask(api, citizen, matter, **extra)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not ConsultTicket.objects.exists()


def test_it_refuses_a_hall_that_does_not_handle_the_matter(api, citizen, matter, other_hall):
    response = _ask(api, citizen, matter, hall=other_hall.id)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_hall"
    assert "不办理" in response.json()["detail"]


def test_it_takes_questions_at_the_kiosk_by_id_card(client, citizen, matter, terminal, hall):
    client.post("/terminal/", {"token": TERMINAL_TOKEN})
    assert 'href="/terminal/consult/"' in client.get("/terminal/").content.decode()
    page = client.get("/terminal/consult/")
    assert page.status_code == 200 and matter.name in page.content.decode()
    response = client.post(
        "/terminal/consult/",
        {
            "id_number": citizen.id_number,
            "matter": matter.code,
            "kind": "complaint",
            "title": "窗口排队太久",
            "content": "上午等了两个小时",
        },
    )
    assert response.status_code == 200
    ticket = ConsultTicket.objects.get()
    assert ticket.citizen == citizen and ticket.hall == hall and ticket.channel == TicketChannel.TERMINAL
    assert ticket.code in response.content.decode()
    # An ID card without an account: refused, the question kept on the page, the ID number not echoed.
    stranger = "11010519491231002X"
    refused = client.post(
        "/terminal/consult/",
        {"id_number": stranger, "matter": matter.code, "kind": "consultation", "title": "问题", "content": "内容保留"},
    )
    assert refused.status_code == 422  # no_account (issue 17: was 400)
    text = refused.content.decode()
    assert "未找到该身份证对应的实名账户" in text and "内容保留" in text and stranger not in text


def test_it_takes_questions_from_a_kiosk_through_the_api(api, citizen, matter, terminal):
    client = api(None)
    payload = {"id_number": citizen.id_number, "matter": matter.code, "title": "问题", "content": "内容"}
    assert client.post("/api/v1/terminal/consult/", payload, format="json").status_code == 401
    response = client.post(
        "/api/v1/terminal/consult/", payload, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["code"] and body["status"] == "new" and body["matter"] == matter.code
    # Whoever stands at the kiosk typed an ID number: the answer says nothing of the account behind it.
    assert "asker" not in body and "asker_phone" not in body
    assert citizen.real_name[0] not in str(body)


def test_an_id_number_is_checked_at_the_kiosk_and_on_a_call(api, clerk, citizen, matter, terminal):
    # Only the check character is wrong: the number has the right shape and still is no ID number.
    bad_id = citizen.id_number[:17] + ("0" if citizen.id_number[17] != "0" else "1")
    question = {"matter": matter.code, "title": "问题", "content": "内容"}
    kiosk = api(None).post(
        "/api/v1/terminal/consult/",
        {**question, "id_number": bad_id},
        format="json",
        HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
    )
    call = {**question, "caller_name": "王小明", "caller_phone": "13512345678"}
    logged = api(clerk).post("/api/v1/consult/calls/", {**call, "id_number": bad_id}, format="json")
    for refused in (kiosk, logged):
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_id_number", refused.content
    assert not ConsultTicket.objects.exists()
    # A valid number finds the caller's account though they call from a phone that is not theirs.
    found = api(clerk).post("/api/v1/consult/calls/", {**call, "id_number": citizen.id_number}, format="json")
    assert found.status_code == 201, found.content
    assert ConsultTicket.objects.get().citizen == citizen


def test_a_logged_call_belongs_to_the_clerk_who_took_it(api, clerk, citizen, matter):
    response = api(clerk).post(
        "/api/v1/consult/calls/",
        {
            "matter": matter.code,
            "title": "电话咨询",
            "content": "能否异地办理？",
            "caller_name": "王小明",
            "caller_phone": citizen.phone,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    ticket = ConsultTicket.objects.get(code=response.json()["code"])
    # 首问负责: whoever answers the phone owns the ticket; the caller's account was found by phone.
    assert ticket.owner == clerk and ticket.status == TicketStatus.CLAIMED and ticket.claimed_at
    assert ticket.citizen == citizen and ticket.channel == TicketChannel.PHONE
    assert response.json()["asker_phone"] == "138****1111"
    assert list(ticket.events.values_list("action", flat=True)) == [TicketAction.CREATE, TicketAction.CLAIM]


def test_a_caller_on_someone_elses_phone_does_not_land_in_that_account(api, clerk, citizen, matter):
    # A relative's phone, or a number given up and reassigned: the number alone does not say who calls,
    # and the caller's question must not be shown in the account holder's tickets.
    response = api(clerk).post(
        "/api/v1/consult/calls/",
        {
            "matter": matter.code,
            "title": "电话咨询",
            "content": "我母亲的社保卡怎么补？",
            "caller_name": "李四",
            "caller_phone": citizen.phone,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    ticket = ConsultTicket.objects.get(code=response.json()["code"])
    assert ticket.citizen is None and ticket.contact_name == "李四" and ticket.contact_phone == citizen.phone
    assert api(citizen).get("/api/v1/consult/tickets/").json() == []


def test_a_call_from_someone_without_an_account_keeps_their_number_encrypted(api, clerk, matter):
    response = api(clerk).post(
        "/api/v1/consult/calls/",
        {
            "matter": matter.code,
            "title": "电话咨询",
            "content": "问题",
            "caller_name": "陈大爷",
            "caller_phone": "13512345678",
        },
        format="json",
    )
    assert response.status_code == 201
    ticket = ConsultTicket.objects.get()
    assert ticket.citizen is None and ticket.contact_phone == "13512345678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM consult_consultticket WHERE id = %s", [ticket.id])
        assert "13512345678" not in cursor.fetchone()[0]
    assert response.json()["asker"] == "陈**" and response.json()["asker_phone"] == "135****5678"
    bad = api(clerk).post(
        "/api/v1/consult/calls/",
        {"matter": matter.code, "title": "t", "content": "c", "caller_name": "陈大爷", "caller_phone": "12345"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_phone"


def test_the_first_clerk_owns_it_and_the_second_is_told(api, ask, clerk, supervisor):
    ticket = ask()
    assert api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/claim/").status_code == 200
    second = api(supervisor).post(f"/api/v1/consult/tickets/{ticket.code}/claim/")
    assert second.status_code == 409
    assert second.json()["code"] == "already_claimed" and "李窗口" in second.json()["detail"]
    # Pressing twice is harmless.
    assert api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/claim/").status_code == 200
    ticket.refresh_from_db()
    assert ticket.owner == clerk and ticket.status == TicketStatus.CLAIMED
    assert ticket.events.filter(action=TicketAction.CLAIM).count() == 1


def test_a_clerk_of_another_hall_cannot_take_it(api, ask, other_hall_clerk):
    ticket = ask()
    response = api(other_hall_clerk).post(f"/api/v1/consult/tickets/{ticket.code}/claim/")
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.owner is None


def test_the_owner_routes_it_to_a_department_whose_liaison_answers(api, ask, clerk, liaison, other_department, citizen):
    ticket = ask()
    api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/claim/")
    # Before routing the liaison (another hall) cannot see it.
    assert api(liaison).get(f"/api/v1/consult/tickets/{ticket.code}/").status_code == 404
    response = api(clerk).post(
        f"/api/v1/consult/tickets/{ticket.code}/route/",
        {"department": other_department.code, "note": "涉及医保关系转移"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "routed" and response.json()["department"] == "区医疗保障局"
    event = ticket.events.get(action=TicketAction.ROUTE)
    assert event.department == other_department and event.note == "涉及医保关系转移" and event.actor == clerk
    assert Notification.objects.filter(recipient=liaison, event="consult.routed", channel="inbox").exists()
    # The liaison sees it in their queue and answers; the owner stays the owner.
    queue = api(liaison).get("/api/v1/consult/tickets/").json()
    assert [t["code"] for t in queue] == [ticket.code]
    answered = api(liaison).post(
        f"/api/v1/consult/tickets/{ticket.code}/reply/", {"body": "请到医保窗口办理转移。"}, format="json"
    )
    assert answered.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ANSWERED and ticket.owner == clerk
    assert Notification.objects.filter(recipient=citizen, event="consult.answered").exists()


def test_routing_needs_a_known_department_and_a_note(api, ask, clerk):
    ticket = ask()
    api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/claim/")
    unknown = api(clerk).post(
        f"/api/v1/consult/tickets/{ticket.code}/route/", {"department": "XXX", "note": "n"}, format="json"
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_department"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLAIMED


def test_only_the_owner_answers(api, ask, clerk, neighbour):
    ticket = ask()
    api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/claim/")
    response = api(neighbour).post(f"/api/v1/consult/tickets/{ticket.code}/reply/", {"body": "答复"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_owner"


def test_the_citizen_is_told_of_the_reply_without_its_text(api, ask, clerk, citizen):
    ticket = ask()
    api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/claim/")
    api(clerk).post(
        f"/api/v1/consult/tickets/{ticket.code}/reply/", {"body": "请携带身份证原件到5号窗口。"}, format="json"
    )
    sent = Notification.objects.filter(recipient=citizen, event="consult.answered")
    assert {n.channel for n in sent} == {"inbox", "sms", "email"}
    for n in sent:
        assert ticket.code in n.body and "社会保障卡申领" in n.body
        assert "5号窗口" not in n.body and citizen.phone not in n.body
    detail = api(citizen).get(f"/api/v1/consult/tickets/{ticket.code}/").json()
    assert [(m["kind"], m["body"]) for m in detail["messages"]][-1] == ("reply", "请携带身份证原件到5号窗口。")


def test_a_follow_up_reopens_the_thread_with_the_same_owner(api, ask, clerk, citizen):
    ticket = ask()
    api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/claim/")
    api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/reply/", {"body": "带身份证。"}, format="json")
    ticket.refresh_from_db()
    first_answered = ticket.first_answered_at
    response = api(citizen).post(
        f"/api/v1/consult/tickets/{ticket.code}/follow-up/", {"body": "复印件要几份？"}, format="json"
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLAIMED and ticket.owner == clerk
    assert list(ticket.messages.values_list("kind", flat=True)) == [
        MessageKind.QUESTION,
        MessageKind.REPLY,
        MessageKind.FOLLOW_UP,
    ]
    assert Notification.objects.filter(recipient=clerk, event="consult.follow_up", channel="inbox").exists()
    # A second answer keeps the first answer's time for the response figures.
    api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/reply/", {"body": "一份。"}, format="json")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ANSWERED and ticket.first_answered_at == first_answered
    # No follow-up on an unanswered or closed ticket.
    api(citizen).post(f"/api/v1/consult/tickets/{ticket.code}/close/")
    again = api(citizen).post(f"/api/v1/consult/tickets/{ticket.code}/follow-up/", {"body": "还有"}, format="json")
    assert again.status_code == 409


def test_the_citizen_rates_the_answer_once_and_that_closes_it(api, ask, clerk, citizen):
    ticket = ask()
    early = api(citizen).post(f"/api/v1/consult/tickets/{ticket.code}/rate/", {"score": 1}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "not_answered"
    api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/claim/")
    api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/reply/", {"body": "带身份证。"}, format="json")
    out_of_range = api(citizen).post(f"/api/v1/consult/tickets/{ticket.code}/rate/", {"score": 6}, format="json")
    assert out_of_range.status_code == 400
    response = api(citizen).post(
        f"/api/v1/consult/tickets/{ticket.code}/rate/", {"score": 2, "comment": "很清楚"}, format="json"
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.rating == 2 and ticket.rating_comment == "很清楚" and ticket.status == TicketStatus.CLOSED
    twice = api(citizen).post(f"/api/v1/consult/tickets/{ticket.code}/rate/", {"score": 5}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "already_rated"
    ticket.refresh_from_db()
    assert ticket.rating == 2


def test_closing_by_each_side(api, ask, clerk, citizen):
    withdrawn = ask()
    assert api(citizen).post(f"/api/v1/consult/tickets/{withdrawn.code}/close/").status_code == 200
    withdrawn.refresh_from_db()
    assert withdrawn.status == TicketStatus.CLOSED and withdrawn.events.last().note == "市民撤回"
    ticket = ask()
    api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/claim/")
    unanswered = api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/close/")
    assert unanswered.status_code == 409 and unanswered.json()["code"] == "not_answered"
    api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/reply/", {"body": "答复"}, format="json")
    assert api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/close/").status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.closed_at
    # Rating stays possible after the owner closed it.
    assert ticket.can_rate()


def test_the_citizen_list_costs_a_fixed_number_of_queries(api, ask, citizen):
    for _ in range(3):
        ask()
    client = api(citizen)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/v1/consult/tickets/").json()) == 3
    for _ in range(4):
        ask()
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/consult/tickets/").json()) == 7
    assert len(many) == len(few)


@pytest.fixture
def neighbour(hall):
    from apps.front.booking.models import StaffPost
    from apps.shared.accounts.models import Role

    user = make_user("clerk_n", Role.CLERK, real_name="郑窗口")
    StaffPost.objects.create(user=user, hall=hall)
    return user


def test_a_withdrawn_question_cannot_be_taken(api, ask, clerk, citizen):
    ticket = ask()
    api(citizen).post(f"/api/v1/consult/tickets/{ticket.code}/close/")
    response = api(clerk).post(f"/api/v1/consult/tickets/{ticket.code}/claim/")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state" and "已办结" in response.json()["detail"]
    ticket.refresh_from_db()
    assert ticket.owner is None and ticket.status == TicketStatus.CLOSED


def test_a_flood_of_questions_is_limited_per_citizen(api, citizen, other_citizen, matter, monkeypatch):
    from apps.front.consult.services import asking

    monkeypatch.setattr(asking, "QUESTIONS_PER_CITIZEN_PER_DAY", 2)
    assert [_ask(api, citizen, matter).status_code for _ in range(2)] == [201, 201]
    limited = _ask(api, citizen, matter)
    assert (
        limited.status_code == 429 and limited.json()["code"] == "rate_limited" and "上限" in limited.json()["detail"]
    )
    assert ConsultTicket.objects.count() == 2
    assert _ask(api, other_citizen, matter).status_code == 201


def test_the_citizen_withdraws_a_question_someone_took_or_routed(api, ask, clerk, citizen, other_department):
    """Every edge of the ticket's lifecycle made by a test (issue 13): an unanswered question is withdrawn by
    its asker whether taken or routed, and the owner may route it on again."""
    taken = ask()
    api(clerk).post(f"/api/v1/consult/tickets/{taken.code}/claim/")
    assert api(citizen).post(f"/api/v1/consult/tickets/{taken.code}/close/").status_code == 200
    assert ConsultTicket.objects.get(id=taken.id).status == TicketStatus.CLOSED
    routed = ask()
    api(clerk).post(f"/api/v1/consult/tickets/{routed.code}/claim/")
    route = {"department": other_department.code, "note": "涉及医保"}
    assert api(clerk).post(f"/api/v1/consult/tickets/{routed.code}/route/", route, format="json").status_code == 200
    again = api(clerk).post(
        f"/api/v1/consult/tickets/{routed.code}/route/", {**route, "note": "仍请医保答复"}, format="json"
    )
    assert again.status_code == 200, again.content
    assert routed.events.filter(action=TicketAction.ROUTE).count() == 2
    assert api(citizen).post(f"/api/v1/consult/tickets/{routed.code}/close/").status_code == 200
    assert ConsultTicket.objects.get(id=routed.id).status == TicketStatus.CLOSED
