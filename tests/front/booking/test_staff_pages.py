"""Staff-only booking work on pages (issue 13 point 8): a clerk books a phone caller on the reserved share of a slot,
and a hall supervisor lifts a citizen's online-booking block with a recorded reason, outside the admin."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from apps.front.booking.models import Appointment, BookingStanding, PenaltyWaiver, Quota, Slot, StaffPost
from apps.shared.accounts.models import Role
from tests.factories import make_user
from tests.personas_front import make_slot

pytestmark = pytest.mark.django_db


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def split_slot(hall, matter):
    """One online place and one reserved for phone / on-site booking."""
    slot = make_slot(hall, capacity=1)
    Slot.objects.filter(id=slot.id).update(reserved=1)
    return slot


@pytest.fixture
def supervisor(hall):
    user = make_user("hallsup", Role.HALL_SUPERVISOR, real_name="陈主管", phone="13700007777")
    StaffPost.objects.create(user=user, hall=hall)
    return user


class TestPhoneBooking:
    def test_a_clerk_sees_the_reserved_places_and_books_a_caller_once(self, clerk, citizen, matter, split_slot):
        client = page(clerk)
        listing = client.get("/workbench/book/", {"matter": matter.code})
        assert listing.status_code == 200
        html = listing.content.decode()
        assert f'value="{split_slot.id}"' in html and 'id="reserved-slots"' in html
        key = re.search(r'name="idempotency_key" value="(\w+)"', html).group(1)
        form = {"matter": matter.code, "slot": split_slot.id, "id_number": citizen.id_number, "idempotency_key": key}
        booked = client.post("/workbench/book/", form)
        assert booked.status_code == 200, booked.content.decode()
        appointment = Appointment.objects.get(citizen=citizen)
        assert appointment.quota == Quota.RESERVED
        text = booked.content.decode()
        assert appointment.code in text and "王**" in text and citizen.id_number not in text
        assert Slot.objects.get(id=split_slot.id).reserved_booked == 1
        # The same form sent twice books once; the share is then used up and the slot no longer offered.
        assert client.post("/workbench/book/", form).status_code == 200
        assert Appointment.objects.filter(citizen=citizen).count() == 1
        assert (
            f'value="{split_slot.id}"' not in client.get("/workbench/book/", {"matter": matter.code}).content.decode()
        )

    def test_it_says_what_is_wrong_and_keeps_the_id_number_out_of_addresses(
        self, clerk, other_citizen, matter, split_slot
    ):
        client = page(clerk)
        unknown = client.post(
            "/workbench/book/", {"matter": matter.code, "slot": split_slot.id, "id_number": "11010519491231002X"}
        )
        assert unknown.status_code == 404 and "请先为其注册" in unknown.content.decode()
        missing = client.post("/workbench/book/", {"matter": matter.code, "slot": split_slot.id})
        assert missing.status_code == 400 and "请输入来电市民的身份证号码" in missing.content.decode()
        Slot.objects.filter(id=split_slot.id).update(reserved_booked=1)
        full = client.post(
            "/workbench/book/", {"matter": matter.code, "slot": split_slot.id, "id_number": other_citizen.id_number}
        )
        assert full.status_code == 409 and "预留名额已满" in full.content.decode()
        assert not Appointment.objects.exists()
        # The search form is a GET of the matter only; the ID number is only ever posted.
        assert 'method="get"' in client.get("/workbench/book/").content.decode()

    def test_only_hall_staff_and_only_their_hall(self, citizen, other_hall_clerk, matter, split_slot):
        assert page(citizen).get("/workbench/book/").status_code == 403
        other = page(other_hall_clerk).post(
            "/workbench/book/", {"matter": matter.code, "slot": split_slot.id, "id_number": citizen.id_number}
        )
        assert other.status_code in (404, 422) and not Appointment.objects.exists()


class TestPenaltyWaivers:
    @pytest.fixture
    def blocked(self, citizen):
        until = timezone.now() + dt.timedelta(days=80)
        BookingStanding.objects.create(citizen=citizen, blocked_until=until, block_reason="30天内爽约2次")
        return citizen

    def test_a_supervisor_lifts_a_block_with_a_reason_recorded(self, supervisor, blocked):
        client = page(supervisor)
        html = client.get("/supervisor/penalties/").content.decode()
        assert 'id="blocked-citizens"' in html and "王**" in html and "30天内爽约2次" in html
        refused = client.post("/supervisor/penalties/", {"citizen": blocked.id, "reason": " "})
        assert refused.status_code == 400 and "请填写豁免理由" in refused.content.decode()
        assert BookingStanding.objects.get(citizen=blocked).blocked_until is not None
        done = client.post("/supervisor/penalties/", {"citizen": blocked.id, "reason": "系统故障未能签到"})
        assert done.status_code == 302
        assert BookingStanding.objects.get(citizen=blocked).blocked_until is None
        waiver = PenaltyWaiver.objects.get(citizen=blocked)
        assert waiver.staff == supervisor and waiver.reason == "系统故障未能签到"
        after = client.get("/supervisor/penalties/").content.decode()
        assert "系统故障未能签到" in after and "陈主管" in after

    def test_a_supervisor_finds_a_citizen_by_id_number_posted(self, supervisor, blocked, other_citizen):
        client = page(supervisor)
        found = client.post("/supervisor/penalties/", {"id_number": blocked.id_number}).content.decode()
        assert 'id="found-standing"' in found and "网上预约暂停至" in found
        clean = client.post("/supervisor/penalties/", {"id_number": other_citizen.id_number}).content.decode()
        assert "未被暂停网上预约" in clean
        nobody = client.post("/supervisor/penalties/", {"id_number": "11010519491231002X"})
        assert nobody.status_code == 404

    def test_it_is_for_hall_supervisors_only(self, clerk, citizen, blocked):
        for user in (clerk, citizen):
            assert page(user).get("/supervisor/penalties/").status_code == 403
            assert page(user).post("/supervisor/penalties/", {"citizen": blocked.id, "reason": "x"}).status_code == 403
        assert BookingStanding.objects.get(citizen=blocked).blocked_until is not None
