"""Cases the hall holds (收件, or waiting on a one-time notice) have pages and an API: a clerk finds them (by case
number, ID number through its blind index, or name), continues the SAME case when the applicant comes back (the
materials added, the notice answered), and reaches every outcome: accept, a further notice, refuse."""

import pytest
from django.test import Client

from apps.front.floor.services import ticket_walk_in
from apps.front.intake.models import Case, CaseChannel, CaseEvent, CaseStatus, Document, DocumentKind
from apps.front.notifications.models import Notification
from apps.shared.exchange.models import OutboxMessage
from tests.journey_helpers import upload

from .test_outcomes import called_ticket, page_client, required  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def noticed(api, clerk, called_ticket):  # noqa: F811
    """First visit: the clerk names every missing item in one notice; the hall holds the case."""
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{called_ticket['id']}/notice/",
        {"items": ["缺少居民身份证原件"]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(number=response.json()["number"])


def call_again(api, clerk, terminal, citizen, matter) -> dict:
    """The applicant comes back: a walk-in ticket at the kiosk, called to the window."""
    ticket_walk_in(terminal=terminal, matter_code=matter.code, id_number=citizen.id_number)
    called = api(clerk).post("/api/v1/workbench/call-next/")
    assert called.status_code == 200, called.content
    return called.json()


class TestSecondVisit:
    def test_the_window_continues_the_same_case_and_accepts_it(self, api, clerk, citizen, matter, terminal, noticed):
        ticket = call_again(api, clerk, terminal, citizen, matter)
        # The intake page says which case goes on.
        page = page_client(clerk).get(f"/workbench/tickets/{ticket['id']}/").content.decode()
        assert 'id="held-case"' in page and noticed.number in page and "缺少居民身份证原件" in page
        response = api(clerk).post(
            f"/api/v1/workbench/tickets/{ticket['id']}/accept/",
            {f"material_{required(matter).id}": upload()},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        assert response.json()["number"] == noticed.number
        assert response.json()["query_password"] == ""  # given on the first visit, not again
        assert Case.objects.filter(citizen=citizen).count() == 1
        case = Case.objects.get(id=noticed.id)
        assert case.status == CaseStatus.ACCEPTED and case.notice_answered_at is not None
        assert CaseEvent.objects.filter(case=case, note__contains="答复一次性告知").exists()
        assert [m.payload["number"] for m in OutboxMessage.objects.filter(kind="case.submitted")] == [case.number]
        kinds = list(Document.objects.filter(case=case).values_list("kind", flat=True))
        assert kinds == [DocumentKind.ONE_TIME_NOTICE, DocumentKind.RECEIPT]

    def test_the_window_cannot_send_a_second_notice_for_materials_never_brought(
        self, api, clerk, citizen, matter, terminal, noticed
    ):
        ticket = call_again(api, clerk, terminal, citizen, matter)
        again = api(clerk).post(
            f"/api/v1/workbench/tickets/{ticket['id']}/notice/", {"items": ["照片"]}, format="multipart"
        )
        assert again.status_code == 409 and again.json()["code"] == "notice_outstanding"
        # With what the applicant brought, a notice about it is allowed, on the same case.
        ok = api(clerk).post(
            f"/api/v1/workbench/tickets/{ticket['id']}/notice/",
            {"items": ["身份证复印件不清晰"], f"material_{required(matter).id}": upload()},
            format="multipart",
        )
        assert ok.status_code == 201, ok.content
        assert ok.json()["number"] == noticed.number and Case.objects.count() == 1
        assert Document.objects.filter(case=noticed, kind=DocumentKind.ONE_TIME_NOTICE).count() == 2

    def test_the_second_visits_acceptance_through_the_intake_page_continues_the_same_case(
        self, api, clerk, citizen, matter, terminal, noticed
    ):
        ticket = call_again(api, clerk, terminal, citizen, matter)
        response = page_client(clerk).post(
            f"/workbench/tickets/{ticket['id']}/", {"action": "accept", f"material_{required(matter).id}": upload()}
        )
        assert response.status_code == 200, response.content.decode()
        page = response.content.decode()
        assert noticed.number in page
        # No second case: the same one, its notice answered, accepted.
        assert Case.objects.filter(citizen=citizen).count() == 1
        case = Case.objects.get(id=noticed.id)
        assert case.status == CaseStatus.ACCEPTED and case.notice_answered_at is not None
        assert [m.payload["number"] for m in OutboxMessage.objects.filter(kind="case.submitted")] == [case.number]

    def test_an_online_application_in_pre_review_is_not_taken_over_at_the_window(
        self,
        api,
        clerk,
        citizen,
        matter,
        terminal,
        called_ticket,  # noqa: F811
    ):
        # The applicant's application for this matter at this hall, submitted online and waiting for pre-review.
        first = api(clerk).post(f"/api/v1/workbench/tickets/{called_ticket['id']}/receive/", {}, format="multipart")
        online = Case.objects.get(number=first.json()["number"])
        Case.objects.filter(id=online.id).update(channel=CaseChannel.ONLINE)
        ticket = call_again(api, clerk, terminal, citizen, matter)
        # The page shows no held case to continue, and tells the clerk of the online one.
        page = page_client(clerk).get(f"/workbench/tickets/{ticket['id']}/").content.decode()
        assert 'id="held-case"' not in page and 'id="online-pending"' in page and online.number in page
        # The window's receive does what the page said: a case of its own; the online one is left to pre-review.
        received = api(clerk).post(
            f"/api/v1/workbench/tickets/{ticket['id']}/receive/",
            {f"material_{required(matter).id}": upload()},
            format="multipart",
        )
        assert received.status_code == 201, received.content
        assert received.json()["number"] != online.number and received.json()["query_password"] != ""
        window_case = Case.objects.get(number=received.json()["number"])
        assert window_case.channel == CaseChannel.WINDOW
        online.refresh_from_db()
        assert online.channel == CaseChannel.ONLINE and online.status == CaseStatus.RECEIVED
        assert online.materials.count() == 0 and not online.events.filter(note__contains="补充材料").exists()


class TestHeldCasePages:
    def test_the_page_notices_again_only_after_new_materials(self, clerk, citizen, matter, noticed):
        client = page_client(clerk)
        url = f"/workbench/cases/{noticed.number}/"
        outstanding = client.post(url, {"action": "notice", "items": "照片"})
        assert outstanding.status_code == 409
        assert "已向申请人一次性告知，申请人尚未补正，不得再次告知" in outstanding.content.decode()
        assert Document.objects.filter(case=noticed, kind=DocumentKind.ONE_TIME_NOTICE).count() == 1
        # With what the applicant brought, a further notice about it, on the same case.
        again = client.post(
            url,
            {"action": "notice", "items": "身份证已过有效期\n照片不合格", f"material_{required(matter).id}": upload()},
        )
        assert again.status_code == 302
        case = Case.objects.get(id=noticed.id)
        assert case.status == CaseStatus.RECEIVED and case.notice_outstanding
        assert case.notice_items == ["身份证已过有效期", "照片不合格"] and case.materials.count() == 1
        assert Document.objects.filter(case=case, kind=DocumentKind.ONE_TIME_NOTICE).count() == 2
        assert Notification.objects.filter(recipient=citizen, event="case.one_time_notice").count() >= 2
        assert Case.objects.count() == 1

    def test_a_clerk_finds_held_cases_by_number_id_number_or_name_and_only_their_halls(
        self, api, clerk, other_hall_clerk, citizen, noticed
    ):
        client = page_client(clerk)
        listing = client.get("/workbench/cases/").content.decode()
        assert noticed.number in listing and "已一次性告知，待申请人补正" in listing
        # The ID number is posted, never put in an address; compared through its blind index.
        for query in (noticed.number, citizen.id_number, citizen.id_number.lower(), "王小"):
            found = client.post("/workbench/cases/", {"q": query}).content.decode()
            assert noticed.number in found, query
        assert noticed.number not in client.post("/workbench/cases/", {"q": "11010519491231002X"}).content.decode()
        assert noticed.number not in page_client(other_hall_clerk).get("/workbench/cases/").content.decode()
        assert page_client(other_hall_clerk).get(f"/workbench/cases/{noticed.number}/").status_code == 404
        # The API: by number or name in the address, by ID number only in a POST body.
        assert [c["number"] for c in api(clerk).get("/api/v1/workbench/held-cases/", {"name": "王小"}).json()] == [
            noticed.number
        ]
        by_id = api(clerk).post("/api/v1/workbench/held-cases/search/", {"q": citizen.id_number}, format="json")
        assert [c["number"] for c in by_id.json()] == [noticed.number] and by_id.json()[0]["applicant"] == "王**"
        refused = api(clerk).get("/api/v1/workbench/held-cases/", {"number": citizen.id_number})
        assert refused.status_code == 400
        assert (
            api(other_hall_clerk)
            .post("/api/v1/workbench/held-cases/search/", {"q": noticed.number}, format="json")
            .json()
            == []
        )
        assert api(citizen).get("/api/v1/workbench/held-cases/").status_code == 403

    def test_the_page_adds_the_materials_then_accepts_the_same_case(self, clerk, citizen, matter, noticed):
        client = page_client(clerk)
        added = client.post(
            f"/workbench/cases/{noticed.number}/", {"action": "supplement", f"material_{required(matter).id}": upload()}
        )
        assert added.status_code == 302
        case = Case.objects.get(id=noticed.id)
        assert case.status == CaseStatus.RECEIVED and not case.notice_outstanding and case.materials.count() == 1
        accepted = client.post(f"/workbench/cases/{noticed.number}/", {"action": "accept"})
        assert accepted.status_code == 302
        case.refresh_from_db()
        assert case.status == CaseStatus.ACCEPTED and Case.objects.count() == 1
        assert Notification.objects.filter(recipient=citizen, event="case.accepted").exists()

    def test_the_page_refuses_with_a_reason_and_says_what_was_wrong_otherwise(self, clerk, citizen, noticed):
        client = page_client(clerk)
        empty = client.post(f"/workbench/cases/{noticed.number}/", {"action": "refuse", "reason": " "})
        assert empty.status_code == 422 and "请填写不予受理的理由" in empty.content.decode()
        no_action = client.post(f"/workbench/cases/{noticed.number}/", {})
        assert no_action.status_code == 400 and "请选择办理结果" in no_action.content.decode()
        done = client.post(
            f"/workbench/cases/{noticed.number}/",
            {"action": "refuse", "reason": "不属于本机关职权", "refer_to": "市教委"},
        )
        assert done.status_code == 302
        case = Case.objects.get(id=noticed.id)
        assert case.status == CaseStatus.REJECTED_AT_INTAKE and case.refer_to == "市教委"
        assert Document.objects.filter(case=case, kind=DocumentKind.REFUSAL).exists()
        assert Notification.objects.filter(recipient=citizen, event="case.refused").exists()
        # Decided: no outcome is offered any more, and the API refuses another.
        assert 'name="action"' not in client.get(f"/workbench/cases/{noticed.number}/").content.decode()

    def test_the_api_notices_again_only_after_new_materials_and_refuses(self, api, clerk, matter, noticed):
        url = f"/api/v1/workbench/cases/{noticed.number}"
        outstanding = api(clerk).post(f"{url}/notice/", {"items": ["照片"]}, format="multipart")
        assert outstanding.status_code == 409 and outstanding.json()["code"] == "notice_outstanding"
        assert api(clerk).post(f"{url}/materials/", {}, format="multipart").json()["code"] == "materials_missing"
        brought = api(clerk).post(
            f"{url}/materials/", {f"material_{required(matter).id}": upload()}, format="multipart"
        )
        assert brought.status_code == 200 and brought.json()["notice_outstanding"] is False
        again = api(clerk).post(f"{url}/notice/", {"items": ["身份证已过有效期"]}, format="multipart")
        assert again.status_code == 200 and again.json()["notice_items"] == ["身份证已过有效期"]
        assert again.json()["notice_outstanding"] is True
        refused = api(clerk).post(f"{url}/refuse/", {"reason": "申请人不符合申领条件"}, format="json")
        assert refused.status_code == 200 and refused.json()["status"] == CaseStatus.REJECTED_AT_INTAKE
        late = api(clerk).post(f"{url}/refuse/", {"reason": "again"}, format="json")
        assert late.status_code == 409 and late.json()["code"] == "invalid_state"

    def test_the_lists_cost_the_same_queries_however_many_cases_the_hall_holds(self, api, clerk, noticed):
        """The held cases' page and API read a page of cases in a fixed number of queries (no query per case)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client, staff = page_client(clerk), api(clerk)

        def counted() -> tuple[int, int, int]:
            with CaptureQueriesContext(connection) as page:
                listing = client.get("/workbench/cases/")
            with CaptureQueriesContext(connection) as listed:
                cases = staff.get("/api/v1/workbench/held-cases/").json()
            assert listing.status_code == 200
            return len(page), len(listed), len(cases)

        page_one, api_one, found = counted()
        assert found == 1
        for n in range(2, 6):
            Case.objects.create(
                number=f"{noticed.number[:-2]}{n:02d}",
                query_password_hash="x",
                citizen=noticed.citizen,
                matter=noticed.matter,
                hall=noticed.hall,
                clerk=clerk,
                status=CaseStatus.RECEIVED,
                channel=CaseChannel.WINDOW,
                received_at=noticed.received_at,
            )
        assert counted() == (page_one, api_one, 5)

    def test_another_halls_clerk_gets_a_404_from_every_outcome(self, api, other_hall_clerk, noticed):
        url = f"/api/v1/workbench/cases/{noticed.number}"
        assert api(other_hall_clerk).post(f"{url}/refuse/", {"reason": "x"}, format="json").status_code == 404
        assert api(other_hall_clerk).post(f"{url}/notice/", {"items": ["x"]}, format="multipart").status_code == 404
        assert (
            api(other_hall_clerk).post(f"{url}/materials/", {"extra": upload()}, format="multipart").status_code == 404
        )
        assert Case.objects.get(id=noticed.id).status == CaseStatus.RECEIVED


def test_english_readers_get_the_refusal_in_english(api, clerk, noticed):
    response = api(clerk).post(
        f"/api/v1/workbench/cases/{noticed.number}/notice/",
        {"items": ["x"]},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409 and "notice" in response.json()["detail"].lower()
    assert Client().get("/workbench/cases/").status_code == 302  # sign in first
