"""最多跑一次 for an online application whose matter needs an original seen (issue 15; DOMAIN.md §9): the one visit
is booked for the case (the appointment names it; one per case), and at the window the ticket of that visit opens
the case's originals check — each original marked seen (the upload becomes level B, with the clerk and the time)
or a mismatch recorded — never a new case. Another citizen's case is refused; the case page shows the check done."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.front.booking.models import Appointment, AppointmentStatus, WaitlistEntry
from apps.front.floor.models import TicketStatus
from apps.front.intake.models import (
    Case,
    CaseStatus,
    EvidenceItem,
    OriginalOutcome,
    OriginalsCheck,
    OriginalSeen,
    TrustLevel,
)
from apps.front.intake.services import original_mark, original_visit_book, originals_to_see
from apps.front.notifications.models import Notification, NotificationPreference
from govservice.api import DomainError
from tests.front.intake.test_central_events import event
from tests.journey_helpers import shift_slot_to_now
from tests.personas_front import TERMINAL_TOKEN, make_slot

from .conftest import fill, start, submit

pytestmark = pytest.mark.django_db

# Not frozen in time: slots are offered against the database's clock (booking.selectors.slots_open_for), and
# every date here is relative to it (make_slot, shift_slot_to_now), as in the booking and pre-filing tests.


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def accepted_online(api, citizen, clerk, matter) -> Case:
    code = start(api, citizen, matter)["code"]
    fill(api, citizen, code)
    number = submit(api, citizen, code)["case"]["number"]
    assert api(clerk).post(f"/api/v1/workbench/prereview/{number}/accept/").status_code == 200
    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.ACCEPTED
    return case


def at_the_window(api, clerk, appointment: Appointment) -> int:
    """The visit's day: the citizen checks in at the terminal and the clerk calls the ticket."""
    shift_slot_to_now(appointment.slot_id)
    checked = api(None).post(
        "/api/v1/terminal/checkin/",
        {"code": appointment.code},
        format="json",
        HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
    )
    assert checked.status_code in (200, 201), checked.content
    ticket = api(clerk).post("/api/v1/workbench/call-next/").json()
    return ticket["id"]


@pytest.fixture
def visit(api, citizen, clerk, hall, visit_matter, central_peer, terminal):
    """An accepted online case of a matter needing originals, its visit booked from the case page."""
    case = accepted_online(api, citizen, clerk, visit_matter)
    slot = make_slot(hall, capacity=2)
    page = browser(citizen)
    assert f'href="/cases/{case.number}/originals-visit/"' in page.get(f"/cases/{case.number}/").content.decode()
    offered = page.get(f"/cases/{case.number}/originals-visit/").content.decode()
    assert f'value="{slot.id}"' in offered and "居民身份证" in offered and "解除劳动关系证明" in offered
    booked = page.post(f"/cases/{case.number}/originals-visit/", {"slot": slot.id})
    assert booked.status_code == 302, booked.content.decode()
    return case


class TestTheVisitIsBookedForTheCase:
    def test_the_appointment_names_the_case_and_there_is_one(self, visit, citizen, hall):
        check = OriginalsCheck.objects.get(case=visit)
        assert check.appointment.citizen == citizen and check.appointment.matter_code == visit.matter.code
        assert check.appointment.hall == hall and check.appointment.status == AppointmentStatus.BOOKED
        # A second visit for the same case is refused while the first is ahead.
        with pytest.raises(DomainError) as refused:
            original_visit_book(citizen=citizen, number=visit.number, slot_id=make_slot(hall, hour=10).id)
        assert refused.value.code == "already_booked"
        assert Appointment.objects.filter(citizen=citizen).count() == 1
        page = browser(citizen).get(f"/cases/{visit.number}/").content.decode()
        assert check.appointment.code in page

    def test_another_citizen_and_another_hall_are_refused(self, visit, other_citizen, other_hall, citizen):
        with pytest.raises(DomainError) as refused:
            original_visit_book(citizen=other_citizen, number=visit.number, slot_id=make_slot(visit.hall, hour=11).id)
        assert refused.value.code == "not_found"
        assert browser(other_citizen).get(f"/cases/{visit.number}/originals-visit/").status_code == 404
        Appointment.objects.filter(citizen=citizen).update(status=AppointmentStatus.CANCELLED_BY_CITIZEN)
        with pytest.raises(DomainError) as elsewhere:
            original_visit_book(citizen=citizen, number=visit.number, slot_id=make_slot(other_hall, hour=11).id)
        assert elsewhere.value.code == "wrong_hall"

    def test_a_fully_online_matter_has_no_visit(self, api, citizen, clerk, hall, online_matter, central_peer):
        case = accepted_online(api, citizen, clerk, online_matter)
        with pytest.raises(DomainError) as refused:
            original_visit_book(citizen=citizen, number=case.number, slot_id=make_slot(hall).id)
        assert refused.value.code == "no_visit_needed"


class TestTheWindowChecksTheOriginals:
    def test_the_ticket_opens_the_cases_check_and_each_original_becomes_level_b(self, visit, api, citizen, clerk):
        check = OriginalsCheck.objects.get(case=visit)
        ticket_id = at_the_window(api, clerk, check.appointment)
        window = browser(clerk)
        # The intake page of this ticket is the case's originals check, not a new case's intake.
        opened = window.get(f"/workbench/tickets/{ticket_id}/")
        assert opened.status_code == 302 and opened.url == f"/workbench/tickets/{ticket_id}/originals/{visit.number}/"
        page = window.get(opened.url).content.decode()
        listed = originals_to_see(visit)
        assert [m.name for m in listed] == ["居民身份证", "解除劳动关系证明"]
        assert visit.number in page and all(f'id="original-{m.id}"' in page for m in listed)
        assert {m.trust_level for m in listed} == {TrustLevel.C}
        for material in listed:
            done = window.post(opened.url, {"material": material.id, "outcome": "seen"})
            assert done.status_code == 302, done.content.decode()
        # Level B, recorded with the clerk and the time; in the vault as such.
        for material in originals_to_see(visit):
            assert material.trust_level == TrustLevel.B
            seen = OriginalSeen.objects.get(material=material)
            assert (seen.outcome, seen.clerk) == (OriginalOutcome.SEEN, clerk) and seen.at is not None
            assert EvidenceItem.objects.get(citizen=citizen, sha256=material.sha256).trust_level == TrustLevel.B
        check.refresh_from_db()
        assert check.completed_by == clerk and check.completed_at == max(s.at for s in OriginalSeen.objects.all())
        assert check.appointment.status == AppointmentStatus.COMPLETED
        assert check.appointment.ticket.status == TicketStatus.DONE
        # No second case: the citizen has the one case, still accepted.
        assert list(Case.objects.filter(citizen=citizen).values_list("number", "status")) == [
            (visit.number, CaseStatus.ACCEPTED)
        ]
        # The case page shows the check done and no longer asks for the visit.
        mine = browser(citizen).get(f"/cases/{visit.number}/").content.decode()
        assert 'id="originals-done"' in mine and "预约一次到大厅核验原件" not in mine
        # The finished ticket still opens the check (done), never the intake of a new case.
        again = window.get(f"/workbench/tickets/{ticket_id}/", follow=True).content.decode()
        assert 'id="originals-done"' in again

    def test_a_mismatch_is_recorded_and_the_upload_stays_c(self, visit, api, clerk):
        check = OriginalsCheck.objects.get(case=visit)
        ticket_id = at_the_window(api, clerk, check.appointment)
        first, second = originals_to_see(visit)
        with pytest.raises(DomainError) as unexplained:
            original_mark(
                clerk=clerk, ticket_id=ticket_id, number=visit.number, material_id=first.id, outcome="mismatch"
            )
        assert unexplained.value.code == "mismatch_note_required"
        original_mark(
            clerk=clerk,
            ticket_id=ticket_id,
            number=visit.number,
            material_id=first.id,
            outcome="mismatch",
            note="原件签发日期与上传件不同",
        )
        original_mark(clerk=clerk, ticket_id=ticket_id, number=visit.number, material_id=second.id, outcome="seen")
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.trust_level, second.trust_level) == (TrustLevel.C, TrustLevel.B)
        assert visit.events.filter(note__contains="原件签发日期与上传件不同").exists()
        check.refresh_from_db()
        assert check.completed_at is not None and check.mismatches == 1

    def test_a_case_of_another_citizen_is_refused(
        self, visit, api, clerk, other_citizen, hall, visit_matter, central_peer
    ):
        check = OriginalsCheck.objects.get(case=visit)
        ticket_id = at_the_window(api, clerk, check.appointment)
        # Another citizen's accepted online case, with its own visit booked.
        theirs = accepted_online(api, other_citizen, clerk, visit_matter)
        Appointment.objects.filter(citizen__in=[other_citizen]).delete()
        original_visit_book(citizen=other_citizen, number=theirs.number, slot_id=make_slot(hall, hour=14).id)
        material = originals_to_see(theirs)[0]
        with pytest.raises(DomainError) as refused:
            original_mark(
                clerk=clerk, ticket_id=ticket_id, number=theirs.number, material_id=material.id, outcome="seen"
            )
        assert refused.value.code == "not_this_applicant"
        assert browser(clerk).get(f"/workbench/tickets/{ticket_id}/originals/{theirs.number}/").status_code == 403
        answer = browser(clerk).post(
            f"/workbench/tickets/{ticket_id}/originals/{theirs.number}/", {"material": material.id, "outcome": "seen"}
        )
        assert answer.status_code == 403
        material.refresh_from_db()
        assert material.trust_level == TrustLevel.C and not OriginalSeen.objects.exists()


class TestAVisitNoLongerNeeded:
    """The case gets its answer while its visit is still ahead (voided, decided, withdrawn: CASE_SETTLED): the visit
    is cancelled by the hall — the place back at once, never a late cancellation — the case says so and the applicant
    is told not to come. A visit already under way at the hall is left as it is."""

    def test_a_void_from_central_releases_the_booked_visit_and_tells_the_applicant(
        self, client, visit, citizen, other_citizen, django_capture_on_commit_callbacks
    ):
        appointment = OriginalsCheck.objects.select_related("appointment").get(case=visit).appointment
        assert appointment.status == AppointmentStatus.BOOKED and appointment.slot.booked == 1
        WaitlistEntry.objects.create(
            citizen=other_citizen,
            matter_code=appointment.matter_code,
            hall=appointment.hall,
            date=appointment.slot.date,
        )
        with django_capture_on_commit_callbacks() as callbacks:
            event(client, "case.voided", {"number": visit.number, "reason": "同一申请重复报送"})
        # The freed place is offered to the day's waitlist at once, as a citizen's own cancellation's is.
        assert "apps.booking.tasks.waitlist_sweep" in [getattr(getattr(c, "task", None), "name", "") for c in callbacks]
        appointment.refresh_from_db()
        appointment.slot.refresh_from_db()
        assert appointment.status == AppointmentStatus.CANCELLED_BY_HALL and appointment.strike == ""
        assert appointment.slot.booked == 0 and appointment.slot.resale_held == 0
        assert "无需到大厅核验原件" in appointment.cancel_reason
        assert visit.events.filter(actor_label="系统", note__contains=f"预约码 {appointment.code}）已自动取消").exists()
        [body] = Notification.objects.filter(
            recipient=citizen, event="case.visit_released", channel="inbox"
        ).values_list("body", flat=True)
        assert visit.number in body and appointment.code in body and "已作废" in body and "不计违约" in body
        # The case page no longer offers a visit, and the cancelled one cannot be cancelled again.
        page = browser(citizen)
        assert (
            f'href="/cases/{visit.number}/originals-visit/"' not in page.get(f"/cases/{visit.number}/").content.decode()
        )
        again = APIClient()
        again.force_authenticate(citizen)
        refused = again.post(f"/api/v1/online/cases/{visit.number}/originals-visit/cancel/")
        assert refused.status_code == 409, refused.content

    def test_a_decision_releases_it_too_and_the_message_reads_in_english(self, client, visit, citizen):
        NotificationPreference.objects.update_or_create(user=citizen, defaults={"language": "en"})
        event(client, "case.decided", {"number": visit.number, "decision": "approved", "reason": "", "remedies": "",
                                       "decided_at": timezone.now().isoformat()})  # fmt: skip
        appointment = OriginalsCheck.objects.select_related("appointment").get(case=visit).appointment
        assert appointment.status == AppointmentStatus.CANCELLED_BY_HALL
        [message] = Notification.objects.filter(recipient=citizen, event="case.visit_released", channel="inbox")
        assert message.subject == "No need to bring the originals to the hall"
        assert appointment.code in message.body and "no penalty" in message.body and "【" not in message.body

    def test_a_visit_under_way_at_the_hall_is_left_as_it_is(self, client, visit, api, clerk, citizen):
        appointment = OriginalsCheck.objects.select_related("appointment").get(case=visit).appointment
        at_the_window(api, clerk, appointment)
        appointment.refresh_from_db()
        under_way = appointment.status
        assert under_way != AppointmentStatus.BOOKED
        event(client, "case.voided", {"number": visit.number, "reason": "同一申请重复报送"})
        appointment.refresh_from_db()
        assert appointment.status == under_way
        assert not Notification.objects.filter(recipient=citizen, event="case.visit_released").exists()
