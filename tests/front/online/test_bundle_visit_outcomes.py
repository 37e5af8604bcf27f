"""一件事 by one booked hall visit: the window answers the visit as it answers one matter (issue 15 part 3;
行政许可法 Art. 32), for the whole visit or part by part — accepted, one written notice of everything missing (the
part held, and continued at a window when the applicant comes back), or refused with reasons and remedies (and
what that means for the parts waiting for it) — each part its own case, with a single matter's documents and
effects, through intake's own services for a case the hall holds."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from apps.front.floor.models import Ticket, TicketStatus
from apps.front.intake.models import Case, CaseChannel, CaseEvent, CaseStatus, Document, DocumentKind, TrustLevel
from apps.front.intake.selectors import held_cases_for_staff
from apps.front.notifications.models import Notification
from apps.front.online.models import ApplicationFile, BundleApplication, OnlineApplication
from apps.front.online.services import bundle_visits
from apps.shared.catalog.models import Bundle, Material
from apps.shared.exchange.models import OutboxMessage
from tests.journey_helpers import PDF, PNG, upload
from tests.personas_front import make_slot

from .test_bundle_visits import ANSWERS, at_window, book

pytestmark = pytest.mark.django_db

EVERY_SCAN = ("birth-certificate", "household-register", "photo")
SCANS = {
    "birth-certificate": ("bc.pdf", PDF, "application/pdf"),
    "household-register": ("hk.pdf", PDF + b"hk", "application/pdf"),
    "photo": ("photo.png", PNG, "image/png"),
}


@pytest.fixture
def visit(api, citizen, clerk, hall, terminal, newborn, central_peer) -> dict:
    """The newborn bundle offered by a hall visit, booked and called at the window: its ticket and application."""
    Bundle.objects.filter(id=newborn.id).update(hall_visit=True)
    body = book(api, citizen, make_slot(hall, capacity=2))
    return {**body, "ticket": at_window(api, clerk, body["appointment"])}


def answer(api, clerk, ticket_id: int, *, status: int = 201, scans=EVERY_SCAN, language: str = "", **outcome) -> dict:
    body: dict = {"form_values": json.dumps(ANSWERS)}
    for key, value in outcome.items():
        body[key] = json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
    for key in scans:
        body[f"material_{key}"] = upload(*SCANS[key])
    extra = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{ticket_id}/bundle/outcome/", body, format="multipart", **extra
    )
    assert response.status_code == status, response.content
    return response.json()


def cases_of(citizen) -> dict[str, Case]:
    return {c.matter.code: c for c in Case.objects.filter(citizen=citizen).select_related("matter")}


def submitted_numbers() -> set[str]:
    return {m.payload["number"] for m in OutboxMessage.objects.filter(kind="case.submitted")}


class TestNotice:
    def test_it_tells_everything_missing_at_once_and_holds_each_part_at_the_hall(self, api, citizen, clerk, visit):
        items = ["近期免冠照片（社会保障卡申领）", "居民户口簿首页原件"]
        # The photo is not here: a notice, not an acceptance, is what the law asks for.
        done = answer(api, clerk, visit["ticket"], outcome="notice", items=items, scans=EVERY_SCAN[:2])
        assert done["status"]["overall"] == "in_progress"
        cases = cases_of(citizen)
        assert set(cases) == {"NB-HK", "NB-SB"}  # 医保 waits for 户口, as always
        for case in cases.values():
            # Received at the window: a case the hall holds (intake's rule), waiting on its one notice.
            assert case.status == CaseStatus.RECEIVED and case.channel == CaseChannel.WINDOW
            assert case.notice_items == items and case.notice_outstanding
            assert case.notice_answer_deadline is not None and case.prereview_deadline is None
            assert case.clerk_id == clerk.id
            notice = Document.objects.get(case=case, kind=DocumentKind.ONE_TIME_NOTICE)
            assert notice.content["items"] == items and "online" not in notice.content
            assert "再次到窗口办理" in notice.content["deadline_note"]
            assert not Document.objects.filter(case=case, kind=DocumentKind.RECEIPT).exists()
            # Received at the window, never "submitted online, awaiting pre-review".
            received = CaseEvent.objects.filter(case=case, to_status=CaseStatus.RECEIVED).first()
            assert received is not None and "一件事预约到大厅一次办" in received.note and "网上" not in received.note
        assert not Notification.objects.filter(recipient=citizen, event="case.submitted_online").exists()
        assert set(held_cases_for_staff(user=clerk)) == set(cases.values())
        assert not OutboxMessage.objects.filter(kind="case.submitted").exists()  # nothing goes to central yet
        assert (
            Notification.objects.filter(recipient=citizen, event="case.one_time_notice", channel="inbox").count() == 2
        )
        assert Ticket.objects.get(id=visit["ticket"]).status == TicketStatus.DONE
        # Completed at a window, not online: the citizen's page does not send them to an online form.
        status = api(citizen).get(f"/api/v1/online/bundle-applications/{visit['code']}/").json()["status"]
        assert {p["matter_code"]: p["state"] for p in status["parts"]} == {
            "NB-HK": "case",
            "NB-YB": "waiting",
            "NB-SB": "case",
        }
        page = Client()
        page.force_login(citizen)
        shown = page.get(f"/online/bundles/{visit['code']}/").content.decode()
        assert cases["NB-SB"].number in shown and "在网上补正并重新提交" not in shown
        sb_part = OnlineApplication.objects.get(case=cases["NB-SB"])
        edited = api(citizen).patch(f"/api/v1/online/applications/{sb_part.code}/", {"form_values": {}}, format="json")
        assert edited.status_code == 409
        part = OnlineApplication.objects.get(bundle_application__code=visit["code"], matter_code="NB-YB")
        assert part.waiting and part.cancelled_at is None

        # The applicant comes back with the photo: the same held case goes on at the window and is accepted, and
        # leaves for central with its bundle.
        sb = cases["NB-SB"]
        photo = Material.objects.get(matter=sb.matter, key="photo")
        back = api(clerk).post(
            f"/api/v1/workbench/cases/{sb.number}/accept/",
            {f"material_{photo.id}": upload("photo.png", PNG, "image/png")},
            format="multipart",
        )
        assert back.status_code == 200, back.content
        sb.refresh_from_db()
        assert sb.status == CaseStatus.ACCEPTED and sb.notice_answered_at is not None
        assert Case.objects.filter(citizen=citizen).count() == 2  # the same case, never a second one
        (wire,) = [m.payload for m in OutboxMessage.objects.filter(kind="case.submitted")]
        assert wire["number"] == sb.number and wire["bundle"]["id"] == visit["code"]

    def test_a_notice_for_one_part_and_the_others_accepted(self, api, citizen, clerk, visit):
        answer(
            api,
            clerk,
            visit["ticket"],
            outcome="accept",
            parts={"NB-SB": {"outcome": "notice", "items": ["近期免冠照片"]}},
            scans=EVERY_SCAN[:2],
        )
        cases = cases_of(citizen)
        hukou, card = cases["NB-HK"], cases["NB-SB"]
        assert hukou.status == CaseStatus.ACCEPTED and hukou.channel == CaseChannel.WINDOW
        assert Document.objects.filter(case=hukou, kind=DocumentKind.RECEIPT).exists()
        # The clerk had the originals in hand: the scans are B, as at any window.
        assert set(hukou.materials.values_list("trust_level", flat=True)) == {TrustLevel.B}
        assert "online" not in Document.objects.get(case=hukou, kind=DocumentKind.RECEIPT).content
        assert card.status == CaseStatus.RECEIVED and card.notice_items == ["近期免冠照片"]
        assert submitted_numbers() == {hukou.number}

    def test_an_accepted_part_must_be_complete(self, api, citizen, clerk, visit):
        refused = answer(api, clerk, visit["ticket"], outcome="accept", scans=EVERY_SCAN[:2], status=422)
        assert refused["code"] == "materials_missing" and "近期免冠照片" in refused["detail"]
        assert not Case.objects.exists()


class TestRefusal:
    def test_a_refused_part_has_its_notice_and_says_what_it_means_for_the_others(self, api, citizen, clerk, visit):
        reason, refer_to = "申报人不是新生儿的监护人", "新生儿监护人户籍地派出所"
        answer(
            api,
            clerk,
            visit["ticket"],
            outcome="accept",
            parts={"NB-HK": {"outcome": "refuse", "reason": reason, "refer_to": refer_to}},
        )
        cases = cases_of(citizen)
        hukou, card = cases["NB-HK"], cases["NB-SB"]
        assert hukou.status == CaseStatus.REJECTED_AT_INTAKE and hukou.refusal_reason == reason
        notice = Document.objects.get(case=hukou, kind=DocumentKind.REFUSAL)
        assert notice.content["reason"] == reason and notice.content["refer_to"] == refer_to
        assert notice.content["remedies"]  # 复议 / 诉讼
        assert card.status == CaseStatus.ACCEPTED
        assert submitted_numbers() == {card.number}
        # 医保 waited for 户口: it is not submitted, and says why.
        yibao = OnlineApplication.objects.get(bundle_application__code=visit["code"], matter_code="NB-YB")
        assert yibao.cancelled_at is not None and "户口登记" in yibao.cancel_reason
        assert Notification.objects.filter(recipient=citizen, event="case.refused").exists()
        assert Notification.objects.filter(recipient=citizen, event="bundle.part_dropped").exists()

        # The citizen sees one bundle status, each part with what its refusal means for the others.
        status = api(citizen).get(f"/api/v1/online/bundle-applications/{visit['code']}/").json()["status"]
        parts = {p["matter_code"]: p for p in status["parts"]}
        assert status["overall"] == "in_progress"
        assert parts["NB-HK"]["outcome"] == "not" and "医保参保登记" in parts["NB-HK"]["bearing"]
        assert "其他事项不受影响" in parts["NB-HK"]["bearing"]
        assert parts["NB-YB"]["state"] == "dropped" and parts["NB-SB"]["outcome"] == "open"
        page = Client()
        page.force_login(citizen)
        shown = page.get(f"/online/bundles/{visit['code']}/").content.decode()
        assert parts["NB-HK"]["bearing"] in shown and hukou.number in shown

    def test_refusing_the_whole_visit_ends_the_bundle_with_one_combined_notice(self, api, citizen, clerk, visit):
        answer(
            api,
            clerk,
            visit["ticket"],
            outcome="refuse",
            reason="不属于本大厅受理范围",
            refer_to="区政务服务中心",
            scans=(),
        )
        cases = cases_of(citizen)
        assert {c.status for c in cases.values()} == {CaseStatus.REJECTED_AT_INTAKE}
        assert Document.objects.filter(kind=DocumentKind.REFUSAL).count() == 2
        assert not OutboxMessage.objects.filter(kind="case.submitted").exists()
        application = BundleApplication.objects.get(code=visit["code"])
        assert application.completed_at is not None
        assert Notification.objects.filter(recipient=citizen, event="bundle.completed", channel="inbox").count() == 1
        status = api(citizen).get(f"/api/v1/online/bundle-applications/{visit['code']}/").json()["status"]
        assert status["overall"] == "completed_with_refusals"


class TestRefusals:
    """Every bad answer: a clear error, the right status, nothing received, the ticket still at the window."""

    @pytest.mark.parametrize(
        ("outcome", "status", "code"),
        [
            ({"outcome": "notice"}, 422, "items_required"),
            ({"outcome": "refuse", "reason": " "}, 422, "reason_required"),
            ({"outcome": "refuse", "reason": "不符合条件", "refer_to": "某" * 201}, 422, "refer_to_too_long"),
            ({"outcome": "maybe"}, 400, "invalid"),
            ({"outcome": "accept", "parts": {"NB-YB": {"outcome": "refuse", "reason": "x"}}}, 422, "part_waits"),
            ({"outcome": "accept", "parts": {"NOPE": {"outcome": "accept"}}}, 422, "wrong_matter"),
            ({"outcome": "accept", "parts": ["NB-HK"]}, 400, "invalid"),
        ],
    )
    def test_it_refuses_and_receives_nothing(self, api, citizen, clerk, visit, monkeypatch, outcome, status, code):
        staged: list[str] = []
        stage = bundle_visits.file_stage

        def recording(*args, **kwargs):
            row = stage(*args, **kwargs)
            staged.append(row.name)
            return row

        monkeypatch.setattr(bundle_visits, "file_stage", recording)
        refused = answer(api, clerk, visit["ticket"], status=status, **outcome)
        assert refused["code"] == code, refused
        assert not Case.objects.exists() and not ApplicationFile.objects.exists()
        assert BundleApplication.objects.get(code=visit["code"]).is_draft
        assert Ticket.objects.get(id=visit["ticket"]).status in (TicketStatus.CALLED, TicketStatus.SERVING)
        # The scans written ahead of the transaction went with it.
        storage = ApplicationFile._meta.get_field("file").storage  # type: ignore[union-attr]
        assert all(not storage.exists(name) for name in staged)

    def test_the_refusal_is_in_english_too(self, api, clerk, visit):
        refused = answer(api, clerk, visit["ticket"], status=422, language="en", outcome="notice")
        assert refused["code"] == "items_required" and refused["detail"].isascii()


class TestTransaction:
    def test_the_scans_are_stored_before_the_transaction_and_a_second_click_answers_the_first(
        self, api, citizen, clerk, visit, monkeypatch
    ):
        depths: dict[str, list[int]] = {"stage": [], "served": []}
        stage, served = bundle_visits.file_stage, bundle_visits.ticket_served

        def staging(*args, **kwargs):
            depths["stage"].append(len(connection.savepoint_ids))
            return stage(*args, **kwargs)

        def serving(*args, **kwargs):
            depths["served"].append(len(connection.savepoint_ids))
            return served(*args, **kwargs)

        monkeypatch.setattr(bundle_visits, "file_stage", staging)
        monkeypatch.setattr(bundle_visits, "ticket_served", serving)
        answer(api, clerk, visit["ticket"], outcome="accept")
        assert len(depths["stage"]) == 3 and len(depths["served"]) == 1
        assert max(depths["stage"]) < depths["served"][0]  # outside the transaction that locks the ticket
        again = answer(api, clerk, visit["ticket"], status=200, outcome="accept")
        assert again["code"] == visit["code"]
        assert Case.objects.filter(citizen=citizen).count() == 2
        assert ApplicationFile.objects.filter(bundle_application__code=visit["code"]).count() == 3
