"""Who sees what: a citizen only their own tickets, clerks their hall's, names and phones masked."""

from __future__ import annotations

import pytest

from apps.front.consult.models import ConsultTicket, TicketStatus
from apps.front.consult.services import ticket_claim, ticket_reply

pytestmark = pytest.mark.django_db


def test_another_citizen_gets_not_found_everywhere(api, client, ask, other_citizen):
    ticket = ask()
    other = api(other_citizen)
    assert other.get(f"/api/v1/consult/tickets/{ticket.code}/").status_code == 404
    for action, payload in [("follow-up", {"body": "x"}), ("close", {}), ("rate", {"score": 1})]:
        assert other.post(f"/api/v1/consult/tickets/{ticket.code}/{action}/", payload, format="json").status_code == 404
    assert other.get("/api/v1/consult/tickets/").json() == []
    client.force_login(other_citizen)
    assert client.get(f"/consult/{ticket.code}/").status_code == 404
    assert client.post(f"/consult/{ticket.code}/close/").status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW


def test_clerks_see_their_own_halls_queue_only(api, client, ask, clerk, other_hall_clerk):
    ticket = ask()
    assert [t["code"] for t in api(clerk).get("/api/v1/consult/tickets/").json()] == [ticket.code]
    assert api(other_hall_clerk).get("/api/v1/consult/tickets/").json() == []
    assert api(other_hall_clerk).get(f"/api/v1/consult/tickets/{ticket.code}/").status_code == 404
    client.force_login(other_hall_clerk)
    assert client.get(f"/consult/desk/{ticket.code}/").status_code == 404
    assert client.post(f"/consult/desk/{ticket.code}/claim/").status_code == 404


def test_staff_screens_mask_the_asker(client, ask, clerk, citizen):
    ticket = ask()
    client.force_login(clerk)
    for url in ("/consult/desk/", f"/consult/desk/{ticket.code}/"):
        text = client.get(url).content.decode()
        assert "王**" in text
        assert citizen.real_name not in text and citizen.phone not in text
    assert "138****1111" in client.get(f"/consult/desk/{ticket.code}/").content.decode()


def test_staff_cannot_use_the_citizen_pages_and_citizens_not_the_desk(client, ask, clerk, citizen):
    ticket = ask()
    client.force_login(clerk)
    assert client.get(f"/consult/{ticket.code}/").status_code == 403
    client.force_login(citizen)
    assert client.get("/consult/desk/").status_code == 403
    assert client.get("/consult/reports/").status_code == 403


def test_the_citizen_pages_ask_follow_up_and_rate(client, citizen, matter, clerk):
    client.force_login(citizen)
    form = client.get(f"/consult/ask/?matter={matter.code}")
    assert form.status_code == 200 and matter.name in form.content.decode()
    # A missing title: the page comes back with what was typed.
    refused = client.post(
        "/consult/ask/", {"matter": matter.code, "kind": "consultation", "title": " ", "content": "我写的内容"}
    )
    assert refused.status_code == 400
    assert "请填写标题" in refused.content.decode() and "我写的内容" in refused.content.decode()
    assert not ConsultTicket.objects.exists()
    response = client.post(
        "/consult/ask/", {"matter": matter.code, "kind": "consultation", "title": "补办", "content": "要带什么？"}
    )
    ticket = ConsultTicket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/consult/{ticket.code}/"
    assert ticket.code in client.get("/consult/").content.decode()
    ticket_claim(clerk=clerk, code=ticket.code)
    ticket_reply(actor=clerk, code=ticket.code, body="带身份证。")
    page = client.get(f"/consult/{ticket.code}/").content.decode()
    assert "带身份证。" in page and "李窗口" not in page  # the citizen sees 工作人员, not the clerk's name
    client.post(f"/consult/{ticket.code}/follow-up/", {"body": "原件还是复印件？"})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLAIMED
    ticket_reply(actor=clerk, code=ticket.code, body="原件。")
    no_score = client.post(f"/consult/{ticket.code}/rate/", {})
    assert no_score.status_code == 400 and "请选择评价等级" in no_score.content.decode()
    client.post(f"/consult/{ticket.code}/rate/", {"score": "2"})
    ticket.refresh_from_db()
    assert ticket.rating == 2 and ticket.status == TicketStatus.CLOSED


def test_the_owner_sees_the_clear_number_with_a_reason_and_it_is_logged(client, ask, clerk, neighbour_clerk, citizen):
    from apps.front.consult.models import TicketAction
    from apps.shared.accounts.models import PersonalDataAccess

    ticket = ask()
    ticket_claim(clerk=clerk, code=ticket.code)
    client.force_login(clerk)
    no_reason = client.post(f"/consult/desk/{ticket.code}/reveal-phone/", {"reason": ""})
    assert no_reason.status_code == 400 and "请填写查看事由" in no_reason.content.decode()
    assert not PersonalDataAccess.objects.exists()
    shown = client.post(f"/consult/desk/{ticket.code}/reveal-phone/", {"reason": "电话回访"})
    assert shown.status_code == 200 and citizen.phone in shown.content.decode()
    access = PersonalDataAccess.objects.get()
    assert (access.viewer, access.subject, access.case_reference) == (clerk, citizen, ticket.code)
    assert ticket.events.filter(action=TicketAction.REVEAL, actor=clerk, note="电话回访").exists()
    # A colleague who does not own the ticket may not.
    client.force_login(neighbour_clerk)
    refused = client.post(f"/consult/desk/{ticket.code}/reveal-phone/", {"reason": "好奇"})
    assert refused.status_code == 403 and citizen.phone not in refused.content.decode()
    assert PersonalDataAccess.objects.count() == 1


@pytest.fixture
def neighbour_clerk(hall):
    from apps.front.booking.models import StaffPost
    from apps.shared.accounts.models import Role
    from tests.factories import make_user

    user = make_user("clerk_n2", Role.CLERK, real_name="郑窗口")
    StaffPost.objects.create(user=user, hall=hall)
    return user


def test_a_reason_of_the_longest_length_allowed_is_logged_not_a_500(client, ask, clerk, citizen):
    from apps.front.consult.models import TicketAction
    from apps.shared.accounts.models import PersonalDataAccess

    ticket = ask()
    ticket_claim(clerk=clerk, code=ticket.code)
    client.force_login(clerk)
    reason = "回" * 200  # the form's and the service's limit
    shown = client.post(f"/consult/desk/{ticket.code}/reveal-phone/", {"reason": reason})
    assert shown.status_code == 200 and citizen.phone in shown.content.decode()
    access = PersonalDataAccess.objects.get()
    assert access.subject == citizen and "手机号码" in access.reason and len(access.reason) <= 200
    # The ticket's own log keeps the reason whole.
    assert ticket.events.get(action=TicketAction.REVEAL).note == reason


def test_the_api_names_the_owner_to_colleagues_and_says_staff_to_the_citizen(api, ask, clerk, citizen):
    # As on the citizen's pages (test_the_citizen_pages_ask_follow_up_and_rate): 工作人员, not the clerk's name.
    ticket = ask()
    ticket_claim(clerk=clerk, code=ticket.code)
    mine = api(citizen).get(f"/api/v1/consult/tickets/{ticket.code}/").json()
    listed = api(citizen).get("/api/v1/consult/tickets/").json()
    assert mine["owner"] == listed[0]["owner"] == "工作人员"
    assert clerk.real_name not in str(mine) + str(listed)
    assert api(clerk).get(f"/api/v1/consult/tickets/{ticket.code}/").json()["owner"] == clerk.real_name


def test_a_liaison_who_supervises_another_hall_answers_but_has_no_supervisor_rights_here(
    api, client, ask, clerk, citizen, other_hall, other_department
):
    """A department's liaison may be a supervisor in their own hall; on a ticket routed to them from another
    hall they answer, but neither see the asker's number nor route, close, extend or publish it."""
    from apps.front.booking.models import StaffPost
    from apps.front.consult.models import ConsultDesk
    from apps.front.consult.services import ticket_route
    from apps.shared.accounts.models import PersonalDataAccess, Role
    from tests.factories import make_user

    boss_liaison = make_user("ybj_boss", Role.HALL_SUPERVISOR, real_name="孙主管")
    StaffPost.objects.create(user=boss_liaison, hall=other_hall)
    ConsultDesk.objects.create(user=boss_liaison, department=other_department)
    ticket = ask()
    ticket_claim(clerk=clerk, code=ticket.code)
    ticket_route(actor=clerk, code=ticket.code, department_code=other_department.code, note="医保")
    them = api(boss_liaison)
    url = f"/api/v1/consult/tickets/{ticket.code}"
    assert (
        them.post(f"{url}/route/", {"department": other_department.code, "note": "再转"}, format="json").status_code
        == 403
    )
    assert them.post(f"{url}/faq/", {"question": "问", "answer": "答"}, format="json").status_code == 403
    client.force_login(boss_liaison)
    page = client.get(f"/consult/desk/{ticket.code}/").content.decode()
    assert "reveal-phone" not in page
    refused = client.post(f"/consult/desk/{ticket.code}/reveal-phone/", {"reason": "回访"})
    assert refused.status_code == 403 and citizen.phone not in refused.content.decode()
    assert client.post(f"/consult/desk/{ticket.code}/extend/", {"days": "2", "reason": "核实"}).status_code == 403
    assert not PersonalDataAccess.objects.exists()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ROUTED and ticket.extension_days == 0
    # Answering is what a liaison is for.
    assert them.post(f"{url}/reply/", {"body": "请到医保窗口办理。"}, format="json").status_code == 200
