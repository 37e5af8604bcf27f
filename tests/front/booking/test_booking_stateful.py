"""Booking invariants under random sequences of book, cancel, reschedule, check-in and no-show (DESIGN.md §9).

The machine keeps its own model of every appointment, predicts each service's answer from it (the
refusal code included) and checks after every step that the database agrees and that the invariants
hold:

- a slot's ``booked`` equals the places its appointments hold, and 0 <= booked <= capacity;
- a citizen holds at most one active appointment per matter and at most
  ``BOOKING_MAX_ACTIVE_PER_CITIZEN`` active appointments in all (DOMAIN.md §3).

Which appointments hold a place: only a cancellation gives a place back (``_give_back`` is the one code
path that decrements ``booked``). A citizen's cancellation (or the old half of a reschedule) also holds
the freed place back from sale for BOOKING_RESALE_MINUTES (anti-resale): the machine never moves the
clock, so in the model every place freed in an example stays held back, and a slot is full when
held + freed-recently reaches its capacity. A no-show keeps its place: DOMAIN.md §3 marks 爽约 only once the slot has
started (start + 15 min), when the slot can no longer be booked (no same-day booking), so the place was
used up, not freed; ``booked`` stays the number of places handed out, as it does for a completed visit.
So ``booked`` == active + no-show appointments, while the per-citizen limits count active ones only.
The machine does not move the clock: it marks no-shows (and check-ins) on future slots, which the
services allow because the time rule belongs to their callers; the counting is the same. Each no-show is a
strike: at BOOKING_NO_SHOW_LIMIT strikes the citizen's online booking is blocked, and every later booking
or reschedule is refused with "blocked" until staff waive the strikes (the ``waive`` rule).

Every service call commits for real (``transaction=True``); the rows made by one example are deleted in
``teardown`` so the next example starts from empty slots.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, Q
from hypothesis import HealthCheck, event
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from apps.front.booking.conf import booking_conf
from apps.front.booking.models import (
    ACTIVE_APPOINTMENT_STATUSES,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    BookingStanding,
    GroupMatter,
    Hall,
    PenaltyWaiver,
    Slot,
)
from apps.front.booking.services import (
    appointment_book,
    appointment_cancel,
    appointment_mark_no_show,
    appointment_reschedule,
    appointment_transition,
    penalty_waive,
)
from apps.shared.accounts.models import Role
from govservice.api import DomainError
from tests.factories import make_matter, make_user
from tests.personas_front import make_slot

CITIZENS = 4
SLOTS = 4
MATTERS = 4  # one more than the per-citizen limit, so the limit can be reached

# Statuses whose appointment still holds its place in the slot (see the module docstring).
HOLDS_A_PLACE = (*ACTIVE_APPOINTMENT_STATUSES, AppointmentStatus.NO_SHOW, AppointmentStatus.COMPLETED)


@dataclass
class World:
    """What every example shares, made once per test: a hall handling the matters, and the citizens."""

    hall: Hall
    citizens: list
    matter_codes: list[str]
    staff: object


@dataclass
class Held:
    citizen: int
    matter_code: str
    slot: int
    status: str


class BookingMachine(RuleBasedStateMachine):
    def __init__(self, world: World):
        super().__init__()
        self.world = world
        self.slots: list[Slot] = []
        self.appointments: dict[int, Held] = {}
        self.resale: dict[int, int] = {}  # slot index -> places freed by cancellation, held back from sale
        self.no_shows: dict[int, int] = {}  # citizen -> strikes not waived

    # --- the model ---------------------------------------------------------------------------------

    def held_in(self, slot: int) -> int:
        return sum(1 for a in self.appointments.values() if a.slot == slot and a.status in HOLDS_A_PLACE)

    def active_of(self, citizen: int) -> list[Held]:
        return [
            a for a in self.appointments.values() if a.citizen == citizen and a.status in ACTIVE_APPOINTMENT_STATUSES
        ]

    def expect_book(self, citizen: int, slot: int, matter_code: str, *, releasing: int | None = None) -> str:
        """The answer appointment_book should give, in the order it checks; ``releasing`` is the
        appointment a reschedule has just cancelled in the same transaction."""
        if self.blocked(citizen):
            return "blocked"
        active = [a for a in self.active_of(citizen) if a is not self.appointments.get(releasing)]
        if any(a.matter_code == matter_code for a in active):
            return "duplicate"
        if len(active) >= booking_conf.BOOKING_MAX_ACTIVE_PER_CITIZEN:
            return "limit_reached"
        # A reschedule within one slot frees its place and holds it back from sale at once: no net change.
        taken = self.held_in(slot) + self.resale.get(slot, 0)
        if taken >= self.slots[slot].capacity:
            return "slot_full"
        return "ok"

    def blocked(self, citizen: int) -> bool:
        return self.no_shows.get(citizen, 0) >= booking_conf.BOOKING_NO_SHOW_LIMIT

    def freed(self, slot: int) -> None:
        if booking_conf.BOOKING_RESALE_MINUTES > 0:
            self.resale[slot] = self.resale.get(slot, 0) + 1

    def pick(self, data) -> int:
        """Mostly an active appointment; sometimes any, since refusing the inactive is part of the contract."""
        active = sorted(i for i, a in self.appointments.items() if a.status in ACTIVE_APPOINTMENT_STATUSES)
        pool = active if active and not data.draw(st.booleans(), label="any appointment") else sorted(self.appointments)
        return data.draw(st.sampled_from(pool), label="appointment")

    # --- rules -------------------------------------------------------------------------------------

    @initialize(capacities=st.lists(st.integers(min_value=1, max_value=4), min_size=SLOTS, max_size=SLOTS))
    def make_slots(self, capacities):
        self.slots = [make_slot(self.world.hall, hour=9 + i, capacity=c) for i, c in enumerate(capacities)]

    @rule(
        citizen=st.integers(min_value=0, max_value=CITIZENS - 1),
        slot=st.integers(min_value=0, max_value=SLOTS - 1),
        matter=st.integers(min_value=0, max_value=MATTERS - 1),
    )
    def book(self, citizen, slot, matter):
        self.try_to_book(citizen, slot, self.world.matter_codes[matter])

    @rule(
        citizen=st.integers(min_value=0, max_value=CITIZENS - 1),
        slots=st.lists(st.integers(min_value=0, max_value=SLOTS - 1), min_size=MATTERS, max_size=MATTERS),
    )
    def book_every_matter(self, citizen, slots):
        """One citizen books all the matters in a row: the way to meet the per-citizen limit."""
        for slot, code in zip(slots, self.world.matter_codes, strict=True):
            self.try_to_book(citizen, slot, code)

    def try_to_book(self, citizen: int, slot: int, code: str) -> None:
        expected = self.expect_book(citizen, slot, code)
        try:
            appointment = appointment_book(
                citizen=self.world.citizens[citizen], slot_id=self.slots[slot].id, matter_code=code
            )
        except DomainError as exc:
            event(f"book: {exc.error_code}")
            assert exc.error_code == expected
            return
        event("book: ok")
        assert expected == "ok"
        self.appointments[appointment.id] = Held(citizen, code, slot, AppointmentStatus.BOOKED)

    @precondition(lambda self: self.appointments)
    @rule(data=st.data())
    def cancel(self, data):
        appointment_id = self.pick(data)
        held = self.appointments[appointment_id]
        expected = "ok" if held.status == AppointmentStatus.BOOKED else "invalid_state"
        try:
            appointment_cancel(citizen=self.world.citizens[held.citizen], appointment_id=appointment_id)
        except DomainError as exc:
            event(f"cancel: {exc.error_code}")
            assert exc.error_code == expected
            return
        event("cancel: ok")
        assert expected == "ok"
        held.status = AppointmentStatus.CANCELLED_BY_CITIZEN
        self.freed(held.slot)

    @precondition(lambda self: self.appointments)
    @rule(data=st.data(), slot=st.integers(min_value=0, max_value=SLOTS - 1))
    def reschedule(self, data, slot):
        appointment_id = self.pick(data)
        held = self.appointments[appointment_id]
        if held.status != AppointmentStatus.BOOKED:
            expected = "invalid_state"
        else:
            expected = self.expect_book(held.citizen, slot, held.matter_code, releasing=appointment_id)
        try:
            new = appointment_reschedule(
                citizen=self.world.citizens[held.citizen], appointment_id=appointment_id, slot_id=self.slots[slot].id
            )
        except DomainError as exc:
            # A refused reschedule changes nothing: the old appointment keeps its place.
            event(f"reschedule: {exc.error_code}")
            assert exc.error_code == expected
            return
        event("reschedule: ok")
        assert expected == "ok"
        assert new.rescheduled_from_id == appointment_id
        held.status = AppointmentStatus.CANCELLED_BY_CITIZEN
        self.freed(held.slot)
        self.appointments[new.id] = Held(held.citizen, held.matter_code, slot, AppointmentStatus.BOOKED)

    @precondition(lambda self: self.appointments)
    @rule(data=st.data())
    def check_in(self, data):
        self.hall_moves(self.pick(data), AppointmentStatus.CHECKED_IN)

    @precondition(lambda self: self.appointments)
    @rule(data=st.data())
    def no_show(self, data):
        self.hall_moves(self.pick(data), AppointmentStatus.NO_SHOW)

    def hall_moves(self, appointment_id: int, to_status: str) -> None:
        held = self.appointments[appointment_id]
        allowed = {
            AppointmentStatus.CHECKED_IN: {AppointmentStatus.BOOKED},
            # A citizen who checked in came: never a no-show (issue 13: the edge nothing made is gone).
            AppointmentStatus.NO_SHOW: {AppointmentStatus.BOOKED},
        }[to_status]
        expected = "ok" if held.status in allowed else "invalid_state"
        try:
            with transaction.atomic():
                appointment = Appointment.objects.select_for_update().get(id=appointment_id)
                if to_status == AppointmentStatus.NO_SHOW:
                    outcome = appointment_mark_no_show(appointment=appointment, actor=None)
                else:
                    appointment_transition(appointment=appointment, to_status=to_status, actor=None)
        except DomainError as exc:
            event(f"{to_status}: {exc.error_code}")
            assert exc.error_code == expected
            return
        event(f"{to_status}: ok")
        assert expected == "ok"
        held.status = to_status
        if to_status == AppointmentStatus.NO_SHOW:
            self.no_shows[held.citizen] = self.no_shows.get(held.citizen, 0) + 1
            # The penalty rule: a warning one short of the limit, a block at it.
            count, limit = self.no_shows[held.citizen], booking_conf.BOOKING_NO_SHOW_LIMIT
            assert outcome == ("blocked" if count >= limit else "warned" if count == limit - 1 else ""), (
                count,
                outcome,
            )

    @rule(citizen=st.integers(min_value=0, max_value=CITIZENS - 1))
    def waive(self, citizen):
        """Staff lift a block with a reason: the strikes stop counting and booking is open again."""
        penalty_waive(staff=self.world.staff, citizen=self.world.citizens[citizen], reason="系统故障导致未能签到")
        self.no_shows[citizen] = 0

    # --- invariants --------------------------------------------------------------------------------

    @precondition(lambda self: self.slots)
    @invariant()
    def slots_count_the_places_held(self):
        rows = Slot.objects.filter(id__in=[s.id for s in self.slots]).annotate(
            active=Count("appointments", filter=Q(appointments__status__in=ACTIVE_APPOINTMENT_STATUSES)),
            held=Count("appointments", filter=Q(appointments__status__in=HOLDS_A_PLACE)),
        )
        by_id = {row.id: row for row in rows}
        for index, slot in enumerate(self.slots):
            row = by_id[slot.id]
            assert 0 <= row.booked <= row.capacity
            assert row.booked == row.held == self.held_in(index), (index, row.booked, row.held, self.held_in(index))
            assert row.active <= row.booked

    @precondition(lambda self: self.slots)
    @invariant()
    def citizens_keep_to_their_limits(self):
        active = Appointment.objects.filter(status__in=ACTIVE_APPOINTMENT_STATUSES)
        per_matter = active.values("citizen", "matter_code").annotate(n=Count("id")).filter(n__gt=1)
        assert not per_matter.exists(), list(per_matter)
        per_citizen = active.values("citizen").annotate(n=Count("id"))
        assert all(row["n"] <= booking_conf.BOOKING_MAX_ACTIVE_PER_CITIZEN for row in per_citizen), list(per_citizen)

    @precondition(lambda self: self.slots)
    @invariant()
    def database_agrees_with_the_model(self):
        assert dict(Appointment.objects.values_list("id", "status")) == {
            i: a.status for i, a in self.appointments.items()
        }

    @precondition(lambda self: self.slots)
    @invariant()
    def blocks_follow_the_strikes(self):
        blocked = set(BookingStanding.objects.filter(blocked_until__isnull=False).values_list("citizen_id", flat=True))
        expected = {self.world.citizens[c].id for c in range(CITIZENS) if self.blocked(c)}
        assert blocked == expected

    def teardown(self):
        # Committed rows outlive the example: empty the booking tables for the next one (citizens, hall
        # and matters are shared and stay). DELETE, not TRUNCATE: for a few dozen rows it is many times
        # cheaper (TRUNCATE ... CASCADE cost ~80 ms an example), and the self-reference of rescheduled
        # appointments is a deferred constraint, checked once all the rows are gone.
        models = (
            PenaltyWaiver.appointments.through,
            PenaltyWaiver,
            BookingStanding,
            AppointmentEvent,
            apps.get_model("booking", "AppointmentAudit"),
            Appointment,
            Slot,
        )
        with transaction.atomic(), connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"DELETE FROM {model._meta.db_table}")


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_booking_invariants_under_any_sequence_of_actions():
    hall = Hall.objects.create(code="TZ", name="北京城市副中心政务服务中心", address="地址", case_prefix="TZ")
    group = hall.groups.create(letter="A", name="综合受理")
    hall.windows.create(group=group, number=1)
    codes = []
    for i in range(MATTERS):
        matter = make_matter(f"M-00{i}", name=f"事项{i}")
        GroupMatter.objects.create(group=group, matter_code=matter.code)
        codes.append(matter.code)
    staff = make_user("stateful_staff", Role.HALL_SUPERVISOR)
    world = World(hall, [make_user(f"stateful{i}", phone=f"137{i:08d}") for i in range(CITIZENS)], codes, staff)

    run_state_machine_as_test(
        lambda: BookingMachine(world),
        settings=hypothesis_settings(
            max_examples=40,
            stateful_step_count=20,
            deadline=None,
            database=None,  # no .hypothesis/ folder in the shared working tree
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
