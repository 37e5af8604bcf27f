"""The booking rules of DOMAIN.md §3, each around its boundary: minimum notice, release by database time,
per-person limits, the free-cancellation cut-off and late cancellations, no-show detection, the penalty
(warning, block, waiver), hall-side cancellations, anti-resale, the green channel; and the refusal
messages, Chinese first with a stable code."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.front.booking.models import (
    Appointment,
    AppointmentStatus,
    BookingStanding,
    GroupMatter,
    PenaltyWaiver,
    Quota,
    Slot,
    Strike,
)
from apps.front.booking.selectors import slots_open_for
from apps.front.booking.services import (
    appointment_book,
    appointment_cancel,
    appointment_cancel_by_hall,
    no_shows_mark,
    penalty_waive,
)
from apps.front.notifications.models import Notification
from apps.shared.accounts.models import Role
from govservice.api import DomainError, status_for
from tests.factories import make_matter, make_user, valid_id_number
from tests.personas_front import make_slot

pytestmark = pytest.mark.django_db

CJK = re.compile(r"^[\u4e00-\u9fff]")


def slot_at(hall, start: dt.datetime, *, capacity: int = 1, reserved: int = 0) -> Slot:
    return Slot.objects.create(
        hall=hall,
        group=hall.groups.get(),
        date=timezone.localdate(start),
        start=start,
        end=start + dt.timedelta(minutes=30),
        capacity=capacity,
        reserved=reserved,
        release_at=timezone.now() - dt.timedelta(hours=1),
    )


def tomorrow_at(hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    detail = str(caught.value.detail)
    # Chinese first, then English.
    assert CJK.match(detail), detail
    return caught.value


def more_matters(hall, count: int) -> list[str]:
    codes = []
    for i in range(count):
        m = make_matter(f"M-2{i:02d}", name=f"事项{i}")
        GroupMatter.objects.create(group=hall.groups.get(), matter_code=m.code)
        codes.append(m.code)
    return codes


class TestMinimumNotice:
    def test_the_group_notice_and_the_matters_override(self, hall, matter, citizen):
        group = hall.groups.get()
        group.min_notice_hours = 48
        group.save()
        # Tomorrow is always less than 48 hours ahead (no same-day booking, so the date rule passes).
        near = slot_at(hall, timezone.now() + dt.timedelta(hours=47, minutes=50), capacity=2)
        far = slot_at(hall, timezone.now() + dt.timedelta(hours=48, minutes=10), capacity=2)
        error = refusal(lambda: appointment_book(citizen=citizen, slot_id=near.id, matter_code=matter.code))
        assert error.error_code == "too_soon" and "48小时" in str(error.detail)
        assert appointment_book(citizen=citizen, slot_id=far.id, matter_code=matter.code).slot_id == far.id
        # The matter's own setting wins over its group's.
        GroupMatter.objects.filter(matter_code=matter.code).update(min_notice_hours=0)
        appointment_cancel(citizen=citizen, appointment_id=Appointment.objects.get(citizen=citizen).id)
        assert appointment_book(citizen=citizen, slot_id=near.id, matter_code=matter.code).slot_id == near.id

    def test_the_slot_list_leaves_out_what_the_notice_refuses(self, api, hall, matter):
        group = hall.groups.get()
        group.min_notice_hours = 48
        group.save()
        slot_at(hall, timezone.now() + dt.timedelta(hours=47), capacity=2)
        far = slot_at(hall, timezone.now() + dt.timedelta(hours=49), capacity=2)
        ids = [s["id"] for s in api(None).get(f"/api/v1/slots/?hall={hall.id}&matter={matter.code}").json()]
        assert ids == [far.id]


class TestRelease:
    def test_it_compares_the_release_with_database_time_not_the_app_clock(self, hall, matter, citizen):
        slot = make_slot(hall, days_ahead=3, released=False)
        Slot.objects.filter(id=slot.id).update(release_at=timezone.now() + dt.timedelta(hours=2))
        # The application's clock runs a day ahead: the database still says "not yet".
        with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=True):
            error = refusal(lambda: appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code))
        assert error.error_code == "not_released"
        opens = timezone.localtime(Slot.objects.get(id=slot.id).release_at)
        assert f"将于{opens:%Y年%m月%d日 %H:%M}开放预约" in str(error.detail)
        # One second past the release by the database's clock, it books.
        Slot.objects.filter(id=slot.id).update(release_at=timezone.now() - dt.timedelta(seconds=1))
        assert appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code).status == "booked"


class TestPerPersonLimits:
    def test_the_total_limit_is_a_setting_and_frees_up_on_cancel(self, settings, hall, matter, citizen):
        settings.BOOKING_MAX_ACTIVE_PER_CITIZEN = 2
        codes = more_matters(hall, 2)
        first = appointment_book(citizen=citizen, slot_id=make_slot(hall, hour=9).id, matter_code=matter.code)
        appointment_book(citizen=citizen, slot_id=make_slot(hall, hour=10).id, matter_code=codes[0])
        third = make_slot(hall, hour=11)
        error = refusal(lambda: appointment_book(citizen=citizen, slot_id=third.id, matter_code=codes[1]))
        assert error.error_code == "limit_reached" and "最多同时持有2个" in str(error.detail)
        assert status_for(error) == 409
        appointment_cancel(citizen=citizen, appointment_id=first.id)
        assert appointment_book(citizen=citizen, slot_id=third.id, matter_code=codes[1]).status == "booked"

    def test_no_shows_and_completed_visits_do_not_count_as_active(self, hall, matter, citizen):
        codes = more_matters(hall, 3)
        for i, code in enumerate(codes):
            a = appointment_book(citizen=citizen, slot_id=make_slot(hall, hour=9 + i).id, matter_code=code)
            Appointment.objects.filter(id=a.id).update(
                status=AppointmentStatus.NO_SHOW if i else AppointmentStatus.COMPLETED
            )
        assert appointment_book(citizen=citizen, slot_id=make_slot(hall, hour=13).id, matter_code=matter.code)


class TestLateCancellation:
    @pytest.mark.parametrize(("minutes_before", "late"), [(121, False), (120, False), (119, True)])
    def test_the_free_cancellation_cut_off_is_two_hours(self, hall, matter, citizen, minutes_before, late):
        start = tomorrow_at(9)
        slot = slot_at(hall, start, capacity=1)
        appointment = appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
        with time_machine.travel(start - dt.timedelta(minutes=minutes_before), tick=False):
            appointment_cancel(citizen=citizen, appointment_id=appointment.id)
        appointment.refresh_from_db()
        assert appointment.strike == (Strike.LATE_CANCEL if late else "")
        cancelled = Notification.objects.filter(recipient=citizen, event="booking.cancelled").first()
        assert cancelled is not None and (("计为一次临近取消" in cancelled.body) is late)

    def test_an_english_reader_gets_the_whole_message_in_english(self, hall, matter, citizen):
        from apps.front.notifications.models import Language
        from apps.front.notifications.services import preference_update

        preference_update(user=citizen, sms=True, email=False, language=Language.EN)
        start = tomorrow_at(9)
        appointment = appointment_book(
            citizen=citizen, slot_id=slot_at(hall, start, capacity=1).id, matter_code=matter.code
        )
        with time_machine.travel(start - dt.timedelta(minutes=30), tick=False):
            appointment_cancel(citizen=citizen, appointment_id=appointment.id)
        sms = Notification.objects.get(recipient=citizen, event="booking.cancelled", channel="sms")
        assert sms.language == Language.EN and "late cancellation" in sms.body
        assert f"{timezone.localtime(start):%Y-%m-%d %H:%M}" in sms.body  # not 年月日
        rest = sms.body
        for data in (hall.name, hall.address, matter.name, citizen.masked_name):
            rest = rest.replace(data, "")
        assert not re.findall(r"[\u4e00-\u9fff]", rest), sms.body

    def test_it_refuses_to_cancel_once_the_slot_has_started(self, hall, matter, citizen):
        start = tomorrow_at(9)
        appointment = appointment_book(citizen=citizen, slot_id=slot_at(hall, start).id, matter_code=matter.code)
        with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
            error = refusal(lambda: appointment_cancel(citizen=citizen, appointment_id=appointment.id))
        assert error.error_code == "started"
        assert Appointment.objects.get(id=appointment.id).status == AppointmentStatus.BOOKED
        assert Slot.objects.get(id=appointment.slot_id).booked == 1

    def test_the_fourth_warns_and_the_fifth_blocks_for_thirty_days(self, hall, matter, citizen):
        past = make_slot(hall, hour=8)
        now = timezone.now()
        for i in range(3):
            Appointment.objects.create(
                code=f"OLDLATE{i}",
                citizen=citizen,
                matter=matter,
                matter_code=matter.code,
                slot=past,
                hall=hall,
                # 28 days: still inside the window when the cancellations below travel up to 38 hours ahead.
                status=AppointmentStatus.CANCELLED_BY_CITIZEN,
                strike=Strike.LATE_CANCEL,
                strike_at=now - dt.timedelta(days=28),
            )
        # One older than the 30-day window does not count.
        Appointment.objects.create(
            code="OLDLATE9",
            citizen=citizen,
            matter=matter,
            matter_code=matter.code,
            slot=past,
            hall=hall,
            status=AppointmentStatus.CANCELLED_BY_CITIZEN,
            strike=Strike.LATE_CANCEL,
            strike_at=now - dt.timedelta(days=31),
        )
        for number in (4, 5):
            start = tomorrow_at(9 + number)
            appointment = appointment_book(citizen=citizen, slot_id=slot_at(hall, start).id, matter_code=matter.code)
            with time_machine.travel(start - dt.timedelta(minutes=30), tick=False):
                appointment_cancel(citizen=citizen, appointment_id=appointment.id)
            standing = BookingStanding.objects.get(citizen=citizen)
            if number == 4:
                assert standing.blocked_until is None and standing.warned_late_cancel_at is not None
                warning = Notification.objects.get(recipient=citizen, event="booking.penalty_warning", channel="inbox")
                assert "临近开始时间取消预约4次" in warning.body and "暂停网上预约30天" in warning.body
        assert standing.blocked_until is not None
        blocked_days = (standing.blocked_until - timezone.now()).days
        assert 29 <= blocked_days <= 31
        assert Notification.objects.filter(recipient=citizen, event="booking.blocked").exists()


class TestNoShows:
    def test_the_job_marks_no_shows_after_start_plus_fifteen_minutes(self, hall, matter, citizen):
        start = tomorrow_at(9)
        appointment = appointment_book(citizen=citizen, slot_id=slot_at(hall, start).id, matter_code=matter.code)
        assert no_shows_mark(now=start + dt.timedelta(minutes=14, seconds=59)) == 0
        assert Appointment.objects.get(id=appointment.id).status == AppointmentStatus.BOOKED
        assert no_shows_mark(now=start + dt.timedelta(minutes=15)) == 1
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.NO_SHOW and appointment.strike == Strike.NO_SHOW
        # It keeps its place (the slot has begun), and running the job again changes nothing.
        assert Slot.objects.get(id=appointment.slot_id).booked == 1
        assert no_shows_mark(now=start + dt.timedelta(hours=1)) == 0
        # The first no-show warns.
        warning = Notification.objects.get(recipient=citizen, event="booking.penalty_warning", channel="inbox")
        assert "爽约1次" in warning.body and "暂停网上预约90天" in warning.body

    def test_checked_in_and_cancelled_appointments_are_not_no_shows(self, hall, matter, other_citizen, citizen):
        start = tomorrow_at(9)
        slot = slot_at(hall, start, capacity=2)
        checked = appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
        Appointment.objects.filter(id=checked.id).update(status=AppointmentStatus.CHECKED_IN)
        cancelled = appointment_book(citizen=other_citizen, slot_id=slot.id, matter_code=matter.code)
        appointment_cancel(citizen=other_citizen, appointment_id=cancelled.id)
        assert no_shows_mark(now=start + dt.timedelta(hours=1)) == 0

    def test_two_no_shows_in_thirty_days_block_online_booking_for_ninety_days(self, api, hall, matter, citizen):
        codes = more_matters(hall, 1)
        first_start, second_start = tomorrow_at(9), tomorrow_at(10)
        appointment_book(citizen=citizen, slot_id=slot_at(hall, first_start).id, matter_code=matter.code)
        appointment_book(citizen=citizen, slot_id=slot_at(hall, second_start).id, matter_code=codes[0])
        no_shows_mark(now=first_start + dt.timedelta(minutes=20))
        assert BookingStanding.objects.get(citizen=citizen).blocked_until is None
        no_shows_mark(now=second_start + dt.timedelta(minutes=20))
        standing = BookingStanding.objects.get(citizen=citizen)
        assert standing.blocked_until == second_start + dt.timedelta(minutes=20) + dt.timedelta(days=90)
        block = Notification.objects.get(recipient=citizen, event="booking.blocked", channel="inbox")
        assert f"{timezone.localtime(standing.blocked_until):%Y年%m月%d日}" in block.body and "现场取号" in block.body
        # Every booking is refused with the date, in Chinese first, and the API answers 403 "blocked".
        response = api(citizen).post(
            "/api/v1/appointments/", {"slot": make_slot(hall, hour=15).id, "matter": matter.code}, format="json"
        )
        assert response.status_code == 403
        assert response.json()["code"] == "blocked"
        assert f"暂停至{timezone.localtime(standing.blocked_until):%Y年%m月%d日 %H:%M}" in response.json()["detail"]

    def test_a_no_show_older_than_the_window_does_not_count(self, hall, matter, citizen):
        codes = more_matters(hall, 1)
        old_start, new_start = tomorrow_at(9), tomorrow_at(10)
        appointment_book(citizen=citizen, slot_id=slot_at(hall, old_start).id, matter_code=matter.code)
        appointment_book(citizen=citizen, slot_id=slot_at(hall, new_start).id, matter_code=codes[0])
        no_shows_mark(now=old_start + dt.timedelta(minutes=20))
        Appointment.objects.filter(strike=Strike.NO_SHOW).update(strike_at=F("strike_at") - dt.timedelta(days=31))
        no_shows_mark(now=new_start + dt.timedelta(minutes=20))
        assert BookingStanding.objects.get(citizen=citizen).blocked_until is None

    def test_a_block_in_the_past_no_longer_refuses(self, hall, matter, citizen):
        BookingStanding.objects.create(citizen=citizen, blocked_until=timezone.now() - dt.timedelta(seconds=1))
        assert appointment_book(citizen=citizen, slot_id=make_slot(hall).id, matter_code=matter.code)


class TestWaiver:
    def test_staff_lift_a_block_with_a_reason_and_it_is_recorded(self, hall, matter, citizen, clerk):
        slot = make_slot(hall, hour=8)
        for i in range(2):
            Appointment.objects.create(
                code=f"NOSHOW{i}",
                citizen=citizen,
                matter=matter,
                matter_code=matter.code,
                slot=slot,
                hall=hall,
                status=AppointmentStatus.NO_SHOW,
                strike=Strike.NO_SHOW,
                strike_at=timezone.now() - dt.timedelta(days=1),
            )
        BookingStanding.objects.create(citizen=citizen, blocked_until=timezone.now() + dt.timedelta(days=89))
        # Its own code (the reasons of review's refusals answer 422): a blank form field, 400.
        blank = refusal(lambda: penalty_waive(staff=clerk, citizen=citizen, reason="  "))
        assert blank.error_code == "waiver_reason_required" and status_for(blank) == 400
        assert refusal(lambda: penalty_waive(staff=citizen, citizen=citizen, reason="我想")).error_code == "forbidden"
        waiver = penalty_waive(staff=clerk, citizen=citizen, reason="地铁停运，有站方证明")
        assert BookingStanding.objects.get(citizen=citizen).blocked_until is None
        assert waiver.staff == clerk and waiver.blocked_until is not None and waiver.appointments.count() == 2
        assert not Appointment.objects.filter(citizen=citizen, strike_waived=False).exclude(strike="").exists()
        assert PenaltyWaiver.objects.get().reason == "地铁停运，有站方证明"
        assert appointment_book(citizen=citizen, slot_id=make_slot(hall, hour=10).id, matter_code=matter.code)

    def test_the_supervisor_waives_in_the_admin(self, client, hall, citizen):
        supervisor = make_user("hallsup", Role.HALL_SUPERVISOR, is_staff=True)
        from apps.front.booking.models import StaffPost

        StaffPost.objects.create(user=supervisor, hall=hall)
        standing = BookingStanding.objects.create(citizen=citizen, blocked_until=timezone.now() + dt.timedelta(days=5))
        client.force_login(supervisor)
        page = client.get(f"/admin/booking/bookingstanding/{standing.id}/change/")
        assert page.status_code == 200
        assert citizen.real_name not in page.content.decode()  # masked
        response = client.post(f"/admin/booking/bookingstanding/{standing.id}/change/", {"waive_reason": "系统故障"})
        assert response.status_code == 302
        assert BookingStanding.objects.get(id=standing.id).blocked_until is None
        assert PenaltyWaiver.objects.get().staff == supervisor


class TestHallSideCancellation:
    def test_a_hall_cancellation_an_hour_before_is_never_penalised(self, hall, matter, citizen):
        start = tomorrow_at(9)
        appointment = appointment_book(citizen=citizen, slot_id=slot_at(hall, start).id, matter_code=matter.code)
        with time_machine.travel(start - dt.timedelta(hours=1), tick=False):
            appointment_cancel_by_hall(appointment_id=appointment.id, actor=None, reason="停电")
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.CANCELLED_BY_HALL and appointment.strike == ""
        assert not BookingStanding.objects.filter(citizen=citizen, blocked_until__isnull=False).exists()
        # The place comes back with no resale hold.
        slot = Slot.objects.get(id=appointment.slot_id)
        assert (slot.booked, slot.resale_held) == (0, 0)


class TestAntiResale:
    def test_a_freed_place_is_not_sold_again_until_the_delay_has_passed(self, hall, matter, citizen, other_citizen):
        slot = make_slot(hall, capacity=1)
        appointment = appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
        appointment_cancel(citizen=citizen, appointment_id=appointment.id)
        slot.refresh_from_db()
        assert slot.booked == 0 and slot.resale_held == 1
        # resale_until is set by the database clock: ten minutes from its statement_timestamp().
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement_timestamp()")
            db_now = cursor.fetchone()[0]
        assert dt.timedelta(minutes=9, seconds=50) < slot.resale_until - db_now <= dt.timedelta(minutes=10)
        error = refusal(lambda: appointment_book(citizen=other_citizen, slot_id=slot.id, matter_code=matter.code))
        assert error.error_code == "slot_full"
        # The slot is not offered either, until the hold has run out.
        assert not list(slots_open_for(hall_id=hall.id, matter_code=matter.code))
        Slot.objects.filter(id=slot.id).update(resale_until=db_now - dt.timedelta(seconds=1))
        assert appointment_book(citizen=other_citizen, slot_id=slot.id, matter_code=matter.code).status == "booked"

    def test_the_delay_is_a_setting(self, settings, hall, matter, citizen, other_citizen):
        settings.BOOKING_RESALE_MINUTES = 0
        slot = make_slot(hall, capacity=1)
        appointment_cancel(
            citizen=citizen,
            appointment_id=appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code).id,
        )
        assert appointment_book(citizen=other_citizen, slot_id=slot.id, matter_code=matter.code).status == "booked"


class TestGreenChannel:
    def test_the_green_channel_may_take_the_reserved_share(self, hall, matter, citizen, other_citizen):
        slot = slot_at(hall, tomorrow_at(9), capacity=0, reserved=1)
        assert (
            refusal(lambda: appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)).error_code
            == "slot_full"
        )
        appointment = appointment_book(
            citizen=citizen, slot_id=slot.id, matter_code=matter.code, green_category="disabled"
        )
        assert appointment.quota == Quota.RESERVED and appointment.green_category == "disabled"
        slot.refresh_from_db()
        assert (slot.booked, slot.reserved_booked) == (0, 1)
        error = refusal(
            lambda: appointment_book(
                citizen=other_citizen, slot_id=slot.id, matter_code=matter.code, green_category="military"
            )
        )
        assert error.error_code == "slot_full"
        appointment_cancel(citizen=citizen, appointment_id=appointment.id)
        slot.refresh_from_db()
        assert (slot.booked, slot.reserved_booked, slot.resale_held) == (0, 0, 0)

    def test_only_configured_categories_use_the_reserved_share(self, settings, hall, matter, citizen):
        settings.BOOKING_GREEN_CATEGORIES = ["military"]
        slot = slot_at(hall, tomorrow_at(9), capacity=0, reserved=1)
        error = refusal(
            lambda: appointment_book(
                citizen=citizen, slot_id=slot.id, matter_code=matter.code, green_category="disabled"
            )
        )
        assert error.error_code == "slot_full"

    def test_the_elderly_category_is_checked_against_the_id_number(self, hall, matter, citizen):
        slot = slot_at(hall, tomorrow_at(9), capacity=1)
        error = refusal(
            lambda: appointment_book(
                citizen=citizen, slot_id=slot.id, matter_code=matter.code, green_category="elderly"
            )
        )
        assert error.error_code == "not_elderly" and "年满70周岁" in str(error.detail)
        elder = make_user("elder", id_number=valid_id_number("19500101"))
        assert appointment_book(citizen=elder, slot_id=slot.id, matter_code=matter.code, green_category="elderly")


class TestRefusalMessages:
    """Every refusal explains itself in Chinese first, with a stable code and the right status."""

    def test_each_refusal_over_the_api(self, api, hall, matter, citizen, other_citizen):
        client = api(citizen)

        def book(slot_id, code=matter.code):
            return client.post("/api/v1/appointments/", {"slot": slot_id, "matter": code}, format="json")

        full = make_slot(hall, hour=9, capacity=1)
        appointment_book(citizen=other_citizen, slot_id=full.id, matter_code=matter.code)
        closed = make_slot(hall, hour=10, capacity=1)
        Slot.objects.filter(id=closed.id).update(closed=True)
        later = make_slot(hall, hour=11, released=False)
        cases = [
            (book(full.id), 409, "slot_full", "已约满"),
            (book(closed.id), 409, "closed", "暂停服务"),
            (book(later.id), 422, "not_released", "尚未放号"),
            (book(make_slot(hall, days_ahead=0).id), 422, "too_late", "不能预约当天"),
            (book(999999), 404, "not_found", "不存在"),
        ]
        for response, status, code, words in cases:
            body = response.json()
            assert (response.status_code, body["code"]) == (status, code), body
            assert CJK.match(body["detail"]) and words in body["detail"], body

    def test_a_refusal_is_decided_in_few_queries(self, hall, matter, citizen):
        BookingStanding.objects.create(citizen=citizen, blocked_until=timezone.now() + dt.timedelta(days=1))
        slot = make_slot(hall)
        with CaptureQueriesContext(connection) as blocked:
            refusal(lambda: appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code))
        # The citizen lock reads the block: one query between SAVEPOINT, ROLLBACK TO and RELEASE.
        assert len(blocked) <= 4, [q["sql"] for q in blocked]
        BookingStanding.objects.filter(citizen=citizen).update(blocked_until=None)
        Slot.objects.filter(id=slot.id).update(capacity=0)
        with CaptureQueriesContext(connection) as full:
            refusal(lambda: appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code))
        # + matter, slot with its group's rule, active counts, insert (in a savepoint), conditional UPDATE.
        assert len(full) <= 12, [q["sql"] for q in full]


class TestMissedAtTheWindow:
    def test_a_missed_ticket_ends_its_appointment_as_a_counted_no_show(
        self, api, hall, matter, citizen, slot, terminal, clerk
    ):
        from tests.front.floor.factories import TERMINAL
        from tests.journey_helpers import shift_slot_to_now

        code = (
            api(citizen)
            .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
            .json()["code"]
        )
        shift_slot_to_now(slot.id)
        assert api(None).post("/api/v1/terminal/checkin/", {"code": code}, format="json", **TERMINAL).status_code in (
            200,
            201,
        )
        ticket = api(clerk).post("/api/v1/workbench/call-next/").json()
        assert Appointment.objects.get(code=code).status == AppointmentStatus.CALLED
        response = api(clerk).post(f"/api/v1/workbench/tickets/{ticket['id']}/missed/")
        assert response.status_code == 200, response.content
        appointment = Appointment.objects.get(code=code)
        assert appointment.status == AppointmentStatus.NO_SHOW and appointment.strike == Strike.NO_SHOW
        assert appointment.events.last().actor == clerk
        # Counted by the no-show rule: the first one warns.
        assert BookingStanding.objects.get(citizen=citizen).warned_no_show_at is not None
        # The periodic job does not count it twice.
        assert no_shows_mark(now=timezone.now() + dt.timedelta(hours=2)) == 0
        assert Appointment.objects.filter(citizen=citizen, strike=Strike.NO_SHOW).count() == 1


def test_a_late_arrival_marked_no_show_still_queues_as_a_walk_in(api, hall, matter, citizen, slot, terminal):
    """爽约 is counted, and walk-in stays allowed (DOMAIN.md §3): the kiosk's late path takes the code."""
    from tests.front.floor.factories import TERMINAL
    from tests.journey_helpers import shift_slot_to_now

    code = (
        api(citizen)
        .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        .json()["code"]
    )
    shift_slot_to_now(slot.id, minutes_from_now=-20)
    assert no_shows_mark() == 1
    assert Appointment.objects.get(code=code).status == AppointmentStatus.NO_SHOW
    response = api(None).post("/api/v1/terminal/walk-in/", {"appointment_code": code}, format="json", **TERMINAL)
    assert response.status_code == 201, response.content
    assert response.json()["display_name"] == "王**"


def test_numbers_beyond_any_id_are_bad_input_not_server_errors(api, client, hall, matter, citizen):
    huge = str(2**64)
    client.force_login(citizen)
    assert (
        api(citizen).post("/api/v1/appointments/", {"slot": huge, "matter": matter.code}, format="json").status_code
        == 400
    )
    assert api(None).get(f"/api/v1/slots/?hall={huge}&matter={matter.code}").status_code == 400
    assert api(citizen).post(f"/api/v1/waitlist/{huge}/accept/").status_code == 404
    assert (
        api(citizen)
        .post("/api/v1/waitlist/", {"matter": matter.code, "hall": huge, "date": "2030-01-01"}, format="json")
        .status_code
        == 400
    )
    assert client.post(f"/matters/{matter.code}/book/", {"slot": huge}).status_code == 302
    assert client.post(f"/matters/{matter.code}/book/", {"slot": "²"}).status_code == 302
    assert client.get(f"/matters/{matter.code}/?hall={huge}").status_code == 200
    assert client.post("/waitlist/", {"matter": matter.code, "hall": "²", "date": "2030-01-01"}).status_code == 302
    assert client.post(f"/waitlist/{huge}/leave/").status_code == 302
    assert not Appointment.objects.exists()
