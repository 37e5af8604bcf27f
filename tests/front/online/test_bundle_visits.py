"""一件事一次办 by ONE booked hall visit (issue 15 part 3): the citizen books one visit for the bundle (a slot of
its lead matter at a hall that receives every matter, through the booking service: never oversold); at the window
the ticket shows the merged form and checklist, and the clerk's acceptance makes one case per matter, linked as the
bundle and handed to central as the online submission does, once however often it is clicked; a dependent step
waits for its prerequisite as online. The catalog's rule per road: a matter of a bundle booked at a hall need not be
online-capable; the online road still needs every matter online-capable."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from apps.front.booking.models import Appointment, GroupMatter, Slot
from apps.front.intake.models import Case, CaseChannel, CaseStatus
from apps.front.online.models import BundleApplication, OnlineApplication
from apps.shared.catalog.models import Bundle, BundleItem, Matter
from apps.shared.exchange.models import OutboxMessage
from tests.front.intake.test_central_events import event
from tests.journey_helpers import PDF, PNG, shift_slot_to_now, upload
from tests.personas_front import TERMINAL_TOKEN, make_slot

from .conftest import make_bundle_matter

pytestmark = pytest.mark.django_db

ANSWERS = {"child-name": "王小宝", "birth-date": "2026-11-20", "bank": "北京银行"}


@pytest.fixture
def by_visit(newborn):
    Bundle.objects.filter(id=newborn.id).update(hall_visit=True)
    newborn.refresh_from_db()
    return newborn


def book(api, user, slot, *, bundle="newborn", status=201, key="") -> dict:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    response = api(user).post(f"/api/v1/online/bundles/{bundle}/visit/", {"slot": slot.id}, format="json", **headers)
    assert response.status_code == status, response.content
    return response.json()


def at_window(api, clerk, appointment_code: str) -> int:
    shift_slot_to_now(Appointment.objects.get(code=appointment_code).slot_id)
    checked = api(None).post(
        "/api/v1/terminal/checkin/",
        {"code": appointment_code},
        format="json",
        HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
    )
    assert checked.status_code in (200, 201), checked.content
    ticket = api(clerk).post("/api/v1/workbench/call-next/").json()
    return ticket["id"]


def accept(api, clerk, ticket_id: int, status=201):
    files = {
        "material_birth-certificate": upload("bc.pdf", PDF, "application/pdf"),
        "material_household-register": upload("hk.pdf", PDF + b"hk", "application/pdf"),
        "material_photo": upload("photo.png", PNG, "image/png"),
    }
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{ticket_id}/bundle/accept/",
        {"form_values": json.dumps(ANSWERS), **files},
        format="multipart",
    )
    assert response.status_code == status, response.content
    return response.json()


class TestBooking:
    def test_one_visit_is_booked_for_the_bundle_as_its_lead_matter_at_a_hall_serving_all(
        self, api, citizen, hall, by_visit
    ):
        listed = {b["code"]: b for b in api(None).get("/api/v1/online/bundles/").json()}
        assert listed["newborn"]["hall_visit"] is True and listed["newborn"]["online_submission"] is True
        slot = make_slot(hall, capacity=2)
        body = book(api, citizen, slot)
        appointment = Appointment.objects.get(code=body["appointment"])
        assert (appointment.matter_code, appointment.hall_id, appointment.citizen_id) == ("NB-HK", hall.id, citizen.id)
        application = BundleApplication.objects.get(code=body["code"])
        assert application.appointment_id == appointment.id and application.is_draft
        assert Slot.objects.get(id=slot.id).booked == 1
        # A second visit for the same bundle is refused by the booking's own rule (one active per matter).
        assert book(api, citizen, make_slot(hall, hour=11), status=409)["code"] == "duplicate"
        assert Appointment.objects.count() == 1

    def test_the_idempotency_key_answers_the_first_booking(self, api, citizen, hall, by_visit):
        slot = make_slot(hall, capacity=3)
        first = book(api, citizen, slot, key="same")
        second = book(api, citizen, slot, key="same")
        assert first["appointment"] == second["appointment"] and first["code"] == second["code"]
        assert Slot.objects.get(id=slot.id).booked == 1 and Appointment.objects.count() == 1

    def test_a_full_slot_is_never_oversold(self, api, citizen, other_citizen, hall, by_visit):
        slot = make_slot(hall, capacity=1)
        book(api, other_citizen, slot)
        refused = book(api, citizen, slot, status=409)
        assert refused["code"] == "slot_full"
        assert Slot.objects.get(id=slot.id).booked == 1
        assert not BundleApplication.objects.filter(applicant=citizen).exists()

    def test_a_hall_that_does_not_receive_every_matter_is_refused(self, api, citizen, other_hall, by_visit):
        # The other hall serves the lead matter only.
        GroupMatter.objects.create(group=other_hall.groups.get(), matter_code="NB-HK")
        slot = make_slot(other_hall)
        refused = book(api, citizen, slot, status=422)
        assert refused["code"] == "matter_not_served"
        assert Slot.objects.get(id=slot.id).booked == 0 and not Appointment.objects.exists()

    def test_a_bundle_not_offered_by_a_visit_is_refused(self, api, citizen, hall, newborn):
        refused = book(api, citizen, make_slot(hall), status=422)
        assert refused["code"] == "no_visit" and not Appointment.objects.exists()


class TestWindow:
    def test_the_ticket_shows_the_merged_checklist_and_the_acceptance_makes_linked_cases_once(
        self, api, citizen, clerk, hall, terminal, by_visit, central_peer
    ):
        body = book(api, citizen, make_slot(hall, capacity=2))
        ticket_id = at_window(api, clerk, body["appointment"])
        sheet = api(clerk).get(f"/api/v1/workbench/tickets/{ticket_id}/bundle/").json()
        assert [f["key"] for f in sheet["form"]] == ["child-name", "birth-date", "bank"]
        checklist = {item["key"]: item for item in sheet["checklist"]}
        assert list(checklist) == ["birth-certificate", "household-register", "photo"]
        assert checklist["household-register"]["matters"] == ["户口登记", "医保参保登记"]

        done = accept(api, clerk, ticket_id)
        assert done["submitted_at"]
        application = BundleApplication.objects.get(code=body["code"])
        cases = {c.matter.code: c for c in Case.objects.filter(citizen=citizen).select_related("matter")}
        assert set(cases) == {"NB-HK", "NB-SB"}  # 医保 waits for 户口
        for case in cases.values():
            assert case.accepted_at is not None and case.channel == CaseChannel.WINDOW
            assert case.prereview_deadline is None
        assert cases["NB-HK"].appointment.code == body["appointment"]  # the lead matter's visit
        waiting = OnlineApplication.objects.get(bundle_application=application, matter_code="NB-YB")
        assert waiting.waiting and waiting.waits_for.case == cases["NB-HK"]
        # Handed to central together, each with its bundle.
        wire = {m.payload["number"]: m.payload for m in OutboxMessage.objects.filter(kind="case.submitted")}
        assert set(wire) == {c.number for c in cases.values()}
        assert all(w["bundle"]["id"] == body["code"] for w in wire.values())
        assert Appointment.objects.get(code=body["appointment"]).status == "completed"

        # A double click: the same answer, never a second set of cases.
        again = accept(api, clerk, ticket_id, status=200)
        assert again["code"] == body["code"]
        assert Case.objects.filter(citizen=citizen).count() == 2
        assert OutboxMessage.objects.filter(kind="case.submitted").count() == 2

    def test_the_dependent_step_is_sent_when_its_prerequisite_is_approved(
        self, api, client, citizen, clerk, hall, terminal, by_visit, central_peer
    ):
        body = book(api, citizen, make_slot(hall, capacity=2))
        accept(api, clerk, at_window(api, clerk, body["appointment"]))
        hukou = Case.objects.get(citizen=citizen, matter__code="NB-HK")
        event(
            client,
            "case.decided",
            {"number": hukou.number, "decision": "approved", "reason": "", "decided_at": "2026-12-01T10:00:00+08:00"},
        )
        yibao = OnlineApplication.objects.get(bundle_application__code=body["code"], matter_code="NB-YB")
        assert yibao.case is not None and yibao.case.status == CaseStatus.RECEIVED  # sent as online, pre-reviewed

    def test_a_bundle_submitted_online_before_the_visit_is_not_accepted_again(
        self, api, citizen, clerk, hall, terminal, by_visit, central_peer
    ):
        body = book(api, citizen, make_slot(hall, capacity=2))
        base = f"/api/v1/online/bundle-applications/{body['code']}/"
        assert api(citizen).patch(base, {"form_values": ANSWERS}, format="json").status_code == 200
        for key, name, content, kind in (
            ("birth-certificate", "bc.pdf", PDF, "application/pdf"),
            ("household-register", "hk.pdf", PDF + b"hk", "application/pdf"),
            ("photo", "photo.png", PNG, "image/png"),
        ):
            sent = api(citizen).post(
                f"{base}files/", {"material": key, "file": upload(name, content, kind)}, format="multipart"
            )
            assert sent.status_code == 201, sent.content
        assert api(citizen).post(f"{base}submit/", {"declaration": True}, format="json").status_code == 201
        ticket_id = at_window(api, clerk, body["appointment"])
        refused = accept(api, clerk, ticket_id, status=409)
        assert refused["code"] == "invalid_state"
        assert Case.objects.filter(citizen=citizen).count() == 2  # the online submission's, no more

    def test_a_ticket_without_a_bundle_is_not_one(self, api, citizen, clerk, hall, matter, terminal, central_peer):
        slot = make_slot(hall)
        code = api(citizen).post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        ticket_id = at_window(api, clerk, code.json()["code"])
        assert api(clerk).get(f"/api/v1/workbench/tickets/{ticket_id}/bundle/").status_code == 404


class TestRoads:
    @pytest.fixture
    def with_window_only(self, hall, by_visit):
        """A window-only matter (online depth Ⅰ) in a bundle offered only by a hall visit."""
        make_bundle_matter(hall, "NB-CS", "出生医学证明登记", [("birth-certificate", "出生医学证明")])
        Matter.objects.filter(code="NB-CS").update(
            online_depth=1, trips=1, trips_reason="须到窗口核验原件", channels=["window"]
        )
        BundleItem.objects.create(bundle=by_visit, position=4, matter_code="NB-CS")
        Bundle.objects.filter(id=by_visit.id).update(online_submission=False)
        return by_visit

    def test_a_window_only_matter_is_applied_for_by_the_visit_and_never_online(
        self, api, citizen, clerk, hall, terminal, with_window_only, central_peer
    ):
        refused = api(citizen).post("/api/v1/online/bundle-applications/", {"bundle": "newborn"}, format="json")
        assert refused.status_code == 422 and refused.json()["code"] == "not_online"
        body = book(api, citizen, make_slot(hall, capacity=2))
        # The draft of the hall road cannot be submitted online either.
        online = api(citizen).post(
            f"/api/v1/online/bundle-applications/{body['code']}/submit/", {"declaration": True}, format="json"
        )
        assert online.status_code == 422 and online.json()["code"] == "not_online"
        accept(api, clerk, at_window(api, clerk, body["appointment"]))
        assert set(Case.objects.filter(citizen=citizen).values_list("matter__code", flat=True)) == {
            "NB-HK",
            "NB-SB",
            "NB-CS",
        }


class TestPages:
    def test_the_bundle_page_offers_the_visit_beside_the_online_submission_and_books_it(self, citizen, hall, by_visit):
        slot = make_slot(hall, capacity=2)
        page = Client()
        listed = page.get("/bundles/").content.decode()
        assert "/bundles/newborn/apply/" in listed and "/bundles/newborn/visit/" in listed
        shown = page.get("/bundles/newborn/visit/").content.decode()
        assert hall.name in shown and f'value="{slot.id}"' in shown
        page.force_login(citizen)
        booked = page.post("/bundles/newborn/visit/book/", {"slot": slot.id, "idempotency_key": "page-1"})
        appointment = Appointment.objects.get(citizen=citizen)
        assert booked.status_code == 302 and booked["Location"] == f"/appointments/{appointment.code}/"
        assert BundleApplication.objects.get(applicant=citizen).appointment == appointment

    def test_a_bundle_not_offered_by_a_visit_has_no_visit_page(self, hall, newborn):
        page = Client()
        assert "/bundles/newborn/visit/" not in page.get("/bundles/").content.decode()
        assert page.get("/bundles/newborn/visit/").status_code == 404

    def test_the_window_is_sent_to_the_bundle_page_and_accepts_every_matter_there(
        self, api, citizen, clerk, hall, terminal, by_visit, central_peer
    ):
        body = book(api, citizen, make_slot(hall, capacity=2))
        ticket_id = at_window(api, clerk, body["appointment"])
        page = Client()
        page.force_login(clerk)
        moved = page.get(f"/workbench/tickets/{ticket_id}/")
        assert moved.status_code == 302 and moved["Location"] == f"/workbench/tickets/{ticket_id}/bundle/"
        # Intake's single-matter outcomes refuse the bundle's ticket: never one case for the lead matter alone.
        single = api(clerk).post(f"/api/v1/workbench/tickets/{ticket_id}/accept/", {}, format="multipart")
        assert single.status_code == 409 and single.json()["code"] == "bundle_ticket"
        sheet = page.get(f"/workbench/tickets/{ticket_id}/bundle/").content.decode()
        assert sheet.count('name="material_household-register"') == 1 and "户口登记、医保参保登记" in sheet
        form = {f"field_{k}": v for k, v in ANSWERS.items()}
        form |= {
            "action": "submit",
            "material_birth-certificate": upload("bc.pdf", PDF, "application/pdf"),
            "material_household-register": upload("hk.pdf", PDF + b"hk", "application/pdf"),
            "material_photo": upload("photo.png", PNG, "image/png"),
        }
        accepted = page.post(f"/workbench/tickets/{ticket_id}/bundle/", form)
        assert accepted.status_code == 302
        done = page.get(f"/workbench/tickets/{ticket_id}/bundle/").content.decode()
        assert 'id="bundle-parts"' in done and Case.objects.filter(citizen=citizen).count() == 2
        # Sent again (a double submit): nothing more.
        assert page.post(f"/workbench/tickets/{ticket_id}/bundle/", form).status_code == 200
        assert Case.objects.filter(citizen=citizen).count() == 2
