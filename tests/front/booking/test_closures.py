"""Hall closures (DOMAIN.md §3): the supervisor closes a hall or a window group for a day or part of one;
booked appointments there are cancelled by the hall (never penalised), each citizen is notified and
offered the nearest free slots, in the message and on their appointment page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from apps.front.booking.models import (
    Appointment,
    AppointmentStatus,
    BookingStanding,
    GroupMatter,
    HallClosure,
    Slot,
    StaffPost,
    Window,
    WindowGroup,
)
from apps.front.booking.services import appointment_book, closure_create
from apps.front.notifications.models import Notification
from apps.shared.accounts.models import Role
from govservice.api import DomainError, status_for
from tests.factories import make_user
from tests.personas_front import make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(hall):
    user = make_user("hallsup", Role.HALL_SUPERVISOR, real_name="陈建国", is_staff=True)
    StaffPost.objects.create(user=user, hall=hall)
    return user


@pytest.fixture
def other_supervisor(other_hall):
    user = make_user("hallsup_ys", Role.HALL_SUPERVISOR, real_name="刘主管", is_staff=True)
    StaffPost.objects.create(user=user, hall=other_hall)
    return user


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


class TestClosingADay:
    def test_the_supervisor_closes_a_day_and_each_citizen_is_told_with_offers(
        self, supervisor, hall, matter, citizen, other_citizen, other_hall
    ):
        nine, ten = make_slot(hall, hour=9, capacity=2), make_slot(hall, hour=10, capacity=2)
        after = make_slot(hall, days_ahead=2, hour=9, capacity=3)
        booked = [
            appointment_book(citizen=citizen, slot_id=nine.id, matter_code=matter.code),
            appointment_book(citizen=other_citizen, slot_id=ten.id, matter_code=matter.code),
        ]
        # One citizen is already in the hall (checked in): the closure leaves them to the staff.
        checked_in = make_user("citizen3")
        inside = appointment_book(citizen=checked_in, slot_id=ten.id, matter_code=matter.code)
        Appointment.objects.filter(id=inside.id).update(status=AppointmentStatus.CHECKED_IN)
        # The other hall is not touched.
        GroupMatter.objects.create(group=other_hall.groups.get(), matter_code=matter.code)
        elsewhere = make_slot(other_hall, hour=9, capacity=1)

        response = page_client(supervisor).post(
            "/supervisor/closures/",
            {"date": tomorrow().isoformat(), "group": "", "start": "", "end": "", "reason": "停电检修"},
        )
        assert response.status_code == 302
        closure = HallClosure.objects.get()
        assert (closure.hall, closure.group, closure.start, closure.cancelled_count) == (hall, None, None, 2)
        for appointment in booked:
            appointment.refresh_from_db()
            assert appointment.status == AppointmentStatus.CANCELLED_BY_HALL
            assert appointment.strike == "" and "停电检修" in appointment.cancel_reason
            assert appointment.events.last().actor == supervisor
        assert Appointment.objects.get(id=inside.id).status == AppointmentStatus.CHECKED_IN
        assert not BookingStanding.objects.filter(blocked_until__isnull=False).exists()
        # The slots of the day are closed and their places given back without a resale hold.
        assert set(Slot.objects.filter(date=tomorrow(), hall=hall).values_list("closed", "resale_held")) == {(True, 0)}
        assert Slot.objects.get(id=elsewhere.id).closed is False
        # Each citizen is told, with the nearest free slots (the day after at this hall).
        message = Notification.objects.get(recipient=citizen, event="booking.cancelled_by_hall", channel="sms")
        assert "停电检修" in message.body and "不计违约" in message.body
        assert f"{timezone.localtime(after.start):%m月%d日 %H:%M}" in message.body
        assert "13800001111" not in message.body and "王小明" not in message.body  # masked name, no phone
        # And on their appointment page.
        detail = page_client(citizen).get(f"/appointments/{booked[0].code}/").content.decode()
        assert "大厅已取消此预约（不计违约）" in detail and "为您推荐最近可约时段" in detail
        offers = detail.split('<ul id="offers">')[1].split("</ul>")[0]
        assert (
            f"{timezone.localtime(after.start):%-m月%-d日}" in offers
            and f"{timezone.localtime(after.start):%H:%M}" in offers
        )

    def test_booking_into_a_closed_slot_is_refused_with_its_reason(self, supervisor, hall, matter, citizen):
        slot = make_slot(hall, hour=9, capacity=2)
        closure_create(actor=supervisor, hall=hall, date=tomorrow(), reason="系统升级")
        with pytest.raises(DomainError) as caught:
            appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
        assert caught.value.error_code == "closed" and str(caught.value.detail).startswith("该时段大厅暂停服务")

    def test_a_part_of_a_day_for_one_window_group(self, supervisor, hall, matter, citizen, other_citizen):
        nine, eleven = make_slot(hall, hour=9, capacity=2), make_slot(hall, hour=11, capacity=2)
        day = nine.date
        group_a = hall.groups.get()
        group_b = WindowGroup.objects.create(hall=hall, letter="B", name="社保医保")
        Window.objects.create(hall=hall, group=group_b, number=2)
        b_nine = Slot.objects.create(
            hall=hall, group=group_b, date=day, start=nine.start, end=nine.end, capacity=2, release_at=nine.release_at
        )
        GroupMatter.objects.create(group=group_b, matter_code="M-B")
        first = appointment_book(citizen=citizen, slot_id=nine.id, matter_code=matter.code)
        second = appointment_book(citizen=other_citizen, slot_id=eleven.id, matter_code=matter.code)
        closure = closure_create(
            actor=supervisor,
            hall=hall,
            group=group_a,
            date=day,
            start=dt.time(9, 0),
            end=dt.time(10, 0),
            reason="网络故障",
        )
        assert closure.cancelled_count == 1
        assert Appointment.objects.get(id=first.id).status == AppointmentStatus.CANCELLED_BY_HALL
        assert Appointment.objects.get(id=second.id).status == AppointmentStatus.BOOKED
        assert Slot.objects.get(id=nine.id).closed and not Slot.objects.get(id=eleven.id).closed
        assert not Slot.objects.get(id=b_nine.id).closed

    def test_the_period_boundaries_touch_but_do_not_overlap(self, supervisor, hall, matter):
        nine, half_past, ten = (make_slot(hall, hour=9), make_slot(hall, hour=15), make_slot(hall, hour=10))
        Slot.objects.filter(id=half_past.id).update(
            start=nine.start + dt.timedelta(minutes=30), end=nine.end + dt.timedelta(minutes=30)
        )
        closure_create(
            actor=supervisor, hall=hall, date=tomorrow(), start=dt.time(9, 30), end=dt.time(10, 0), reason="培训"
        )
        assert [Slot.objects.get(id=s.id).closed for s in (nine, half_past, ten)] == [False, True, False]


class TestWhoMayClose:
    def test_another_halls_supervisor_a_clerk_and_a_citizen_may_not(
        self, other_supervisor, clerk, citizen, hall, matter, supervisor
    ):
        with pytest.raises(DomainError) as caught:
            closure_create(actor=other_supervisor, hall=hall, date=tomorrow(), reason="x")
        assert status_for(caught.value) == 403
        for user in (clerk, citizen):
            assert page_client(user).get("/supervisor/closures/").status_code == 403
        # The other hall's supervisor's page closes their own hall only.
        page_client(other_supervisor).post("/supervisor/closures/", {"date": tomorrow().isoformat(), "reason": "停水"})
        assert HallClosure.objects.get().hall.code == "YS"

    @pytest.mark.parametrize(
        ("form", "words"),
        [
            ({"reason": ""}, "请填写闭厅原因"),
            ({"start": "10:00"}, "起止时间"),
            ({"start": "11:00", "end": "10:00"}, "起止时间"),
            ({"date": "2020-01-01"}, "已过去的日期"),
            ({"date": "not-a-date"}, "有效的日期"),
        ],
    )
    def test_bad_input_is_refused_clearly_and_nothing_changes(self, supervisor, hall, matter, citizen, form, words):
        slot = make_slot(hall, hour=9)
        appointment = appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
        data = {"date": tomorrow().isoformat(), "group": "", "start": "", "end": "", "reason": "停电", **form}
        response = page_client(supervisor).post("/supervisor/closures/", data)
        assert response.status_code == 400
        assert words in response.content.decode()
        # What the supervisor typed is kept in the form.
        assert data["reason"] in response.content.decode()
        assert not HallClosure.objects.exists()
        assert Appointment.objects.get(id=appointment.id).status == AppointmentStatus.BOOKED


class TestClosureInTheAdmin:
    def test_a_supervisor_closes_through_the_admin_for_their_hall_only(
        self, supervisor, hall, other_hall, matter, citizen
    ):
        appointment = appointment_book(citizen=citizen, slot_id=make_slot(hall, hour=9).id, matter_code=matter.code)
        client = page_client(supervisor)
        form = client.get("/admin/booking/hallclosure/add/").content.decode()
        assert hall.name in form and other_hall.name not in form
        response = client.post(
            "/admin/booking/hallclosure/add/",
            {
                "hall": hall.id,
                "group": "",
                "date": tomorrow().isoformat(),
                "start": "",
                "end": "",
                "reason": "暴雨红色预警",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert HallClosure.objects.get().cancelled_count == 1
        assert Appointment.objects.get(id=appointment.id).status == AppointmentStatus.CANCELLED_BY_HALL
        refused = client.post(
            "/admin/booking/hallclosure/add/",
            {"hall": other_hall.id, "group": "", "date": tomorrow().isoformat(), "start": "", "end": "", "reason": "x"},
        )
        assert refused.status_code == 200 and HallClosure.objects.count() == 1


class TestMovingInsteadOfCancelling:
    def test_appointments_move_to_the_nearest_free_slot_and_the_rest_are_cancelled(
        self, supervisor, hall, matter, citizen, other_citizen
    ):
        nine = make_slot(hall, hour=9, capacity=2)
        later = make_slot(hall, days_ahead=2, hour=10, capacity=1)
        moved_one = appointment_book(citizen=citizen, slot_id=nine.id, matter_code=matter.code)
        cancelled_one = appointment_book(citizen=other_citizen, slot_id=nine.id, matter_code=matter.code)
        response = page_client(supervisor).post(
            "/supervisor/closures/", {"date": tomorrow().isoformat(), "reason": "电梯检修", "move": "1"}
        )
        assert response.status_code == 302
        closure = HallClosure.objects.get()
        assert (closure.moved_count, closure.cancelled_count) == (1, 1)
        moved_one.refresh_from_db()
        cancelled_one.refresh_from_db()
        assert moved_one.status == cancelled_one.status == AppointmentStatus.CANCELLED_BY_HALL
        new = moved_one.rescheduled_to
        assert new.slot_id == later.id and new.status == AppointmentStatus.BOOKED and new.citizen == citizen
        assert moved_one.strike == "" and cancelled_one.strike == ""
        assert (Slot.objects.get(id=nine.id).booked, Slot.objects.get(id=later.id).booked) == (0, 1)
        message = Notification.objects.get(recipient=citizen, event="booking.moved_by_hall", channel="inbox")
        assert "电梯检修" in message.body and new.code in message.body
        assert f"{timezone.localtime(later.start):%Y年%m月%d日 %H:%M}" in message.body
        assert Notification.objects.filter(recipient=other_citizen, event="booking.cancelled_by_hall").exists()


class TestWaitlistOnAClosedDay:
    def test_an_offer_on_a_closed_slot_waits_again_and_a_closed_day_ends_the_waiting(
        self, supervisor, hall, matter, citizen, other_citizen
    ):
        from apps.front.booking.models import WaitlistEntry, WaitlistStatus
        from apps.front.booking.services import appointment_cancel, waitlist_join, waitlist_sweep

        slot = make_slot(hall, days_ahead=2, hour=9, capacity=1)  # an offer's hold never reaches the day
        taken = appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
        offered = waitlist_join(citizen=other_citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date)
        waiting = waitlist_join(citizen=make_user("waiter3"), matter_code=matter.code, hall_id=hall.id, date=slot.date)
        appointment_cancel(citizen=citizen, appointment_id=taken.id)
        waitlist_sweep()
        assert WaitlistEntry.objects.get(id=offered.id).status == WaitlistStatus.OFFERED
        closure_create(
            actor=supervisor, hall=hall, date=slot.date, start=dt.time(9, 0), end=dt.time(9, 30), reason="检修"
        )
        back = WaitlistEntry.objects.get(id=offered.id)
        assert (back.status, back.offered_slot_id) == (WaitlistStatus.WAITING, None)
        assert Slot.objects.get(id=slot.id).waitlist_held == 0
        closure_create(actor=supervisor, hall=hall, date=slot.date, reason="停电")
        assert set(WaitlistEntry.objects.filter(id__in=[offered.id, waiting.id]).values_list("status", flat=True)) == {
            WaitlistStatus.CANCELLED
        }
