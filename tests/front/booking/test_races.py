"""Booking under contention, proved with real threads on real PostgreSQL (DESIGN.md §6, §9).

Each thread has its own database connection (Django's connections are per thread), opens it before the
barrier so that the calls start together, and closes it at the end. Every thread's outcome is recorded
as "ok" or the error code it got; a lock timeout or a deadlock counts as "busy", which is what the API
answers for them (govservice.api.BUSY_SQLSTATES). Each test also checks that the calls really ran at the
same time, so a run that happened to be serial cannot pass for a race.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from apps.front.booking.conf import booking_conf
from apps.front.booking.models import (
    ACTIVE_APPOINTMENT_STATUSES,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    GroupMatter,
    Hall,
    Slot,
)
from apps.front.booking.services import appointment_book, appointment_cancel, appointment_reschedule
from govservice.api import BUSY_SQLSTATES, DomainError
from tests.factories import make_matter, make_user
from tests.personas_front import make_slot

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Outcome:
    result: str  # "ok", or the DomainError code, or "busy"
    appointment_id: int | None
    started: float
    ended: float


def attempt(call: Callable[[], Appointment]) -> Outcome:
    """Call a service and record what came of it; anything but a refusal or "busy" propagates."""
    started = time.monotonic()
    try:
        result, appointment_id = "ok", call().id
    except DomainError as exc:
        result, appointment_id = exc.error_code, None
    except OperationalError as exc:
        if getattr(exc.__cause__, "pgcode", None) not in BUSY_SQLSTATES:
            raise
        result, appointment_id = "busy", None
    return Outcome(result, appointment_id, started, time.monotonic())


def race(calls: list[Callable[[], Appointment]]) -> list[Outcome]:
    """Run every call in its own thread, all released at once, and return their outcomes in order."""
    barrier = threading.Barrier(len(calls), timeout=30)
    outcomes: list[Outcome | None] = [None] * len(calls)
    crashes: list[BaseException] = []

    def run(index: int, call: Callable[[], Appointment]) -> None:
        try:
            # Connect before the barrier: opening a connection takes milliseconds and would stagger the calls.
            connection.ensure_connection()
            barrier.wait()
            outcomes[index] = attempt(call)
        except BaseException as exc:
            crashes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert not crashes, crashes
    assert not barrier.broken
    done = [outcome for outcome in outcomes if outcome is not None]
    assert len(done) == len(calls)
    return done


def in_flight_at_once(outcomes: list[Outcome]) -> int:
    """The largest number of calls that were running at the same moment."""
    edges = sorted([(o.started, 1) for o in outcomes] + [(o.ended, -1) for o in outcomes], key=lambda e: (e[0], e[1]))
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


def assert_counters_match_appointments() -> None:
    """Every slot counts exactly its active appointments and never more than its capacity."""
    slots = Slot.objects.annotate(
        active=Count("appointments", filter=Q(appointments__status__in=ACTIVE_APPOINTMENT_STATUSES))
    )
    for slot in slots:
        assert slot.booked == slot.active, f"slot {slot.id}: booked {slot.booked}, active {slot.active}"
        assert 0 <= slot.booked <= slot.capacity


def citizens(count: int, prefix: str = "racer") -> list:
    return [make_user(f"{prefix}{i}", phone=f"139{i:08d}") for i in range(count)]


@pytest.fixture
def place(transactional_db) -> tuple[Hall, str]:
    """A hall with one window group handling one matter; slots are made per test."""
    hall = Hall.objects.create(code="TZ", name="北京城市副中心政务服务中心", address="地址", case_prefix="TZ")
    group = hall.groups.create(letter="A", name="综合受理")
    hall.windows.create(group=group, number=1)
    matter = make_matter()
    GroupMatter.objects.create(group=group, matter_code=matter.code)
    return hall, matter.code


def link_matters(hall: Hall, count: int) -> list[str]:
    codes = []
    for i in range(count):
        matter = make_matter(f"M-1{i:02d}", name=f"事项{i}")
        GroupMatter.objects.create(group=hall.groups.get(), matter_code=matter.code)
        codes.append(matter.code)
    return codes


@pytest.mark.parametrize(("capacity", "crowd"), [(1, 30), (5, 30)])
def test_it_never_sells_more_places_than_the_slot_has(place, capacity, crowd):
    hall, matter_code = place
    slot = make_slot(hall, capacity=capacity)
    people = citizens(crowd)

    outcomes = race([lambda c=c: appointment_book(citizen=c, slot_id=slot.id, matter_code=matter_code) for c in people])

    results = Counter(o.result for o in outcomes)
    assert results["ok"] == capacity, results
    # A lock timeout would be a legitimate "busy, try again"; nothing else is.
    assert set(results) <= {"ok", "slot_full", "busy"}, results
    assert in_flight_at_once(outcomes) >= 2
    slot.refresh_from_db()
    assert slot.booked == capacity
    winners = {o.appointment_id for o in outcomes if o.result == "ok"}
    assert (
        set(Appointment.objects.filter(slot=slot, status__in=ACTIVE_APPOINTMENT_STATUSES).values_list("id", flat=True))
        == winners
    )
    # The losers kept nothing: no appointment row and no event row.
    assert Appointment.objects.count() == capacity
    assert AppointmentEvent.objects.count() == capacity
    assert_counters_match_appointments()


def test_it_keeps_one_active_appointment_per_matter_when_a_citizen_books_twice_at_once(place):
    hall, matter_code = place
    slots = [
        make_slot(hall, hour=9, capacity=2),
        make_slot(hall, hour=10, capacity=2),
        make_slot(hall, hour=11, capacity=2),
    ]
    (citizen,) = citizens(1)

    outcomes = race(
        [lambda s=s: appointment_book(citizen=citizen, slot_id=s.id, matter_code=matter_code) for s in slots * 4]
    )

    results = Counter(o.result for o in outcomes)
    assert results["ok"] == 1, results
    assert set(results) <= {"ok", "duplicate", "busy"}, results
    assert in_flight_at_once(outcomes) >= 2
    active = Appointment.objects.filter(citizen=citizen, status__in=ACTIVE_APPOINTMENT_STATUSES)
    assert active.count() == Appointment.objects.count() == 1
    assert sum(Slot.objects.values_list("booked", flat=True)) == 1
    assert Slot.objects.get(id=active.get().slot_id).booked == 1
    assert_counters_match_appointments()


def test_it_holds_the_per_citizen_limit_when_many_matters_are_booked_at_once(place):
    hall, _ = place
    limit = booking_conf.BOOKING_MAX_ACTIVE_PER_CITIZEN
    assert limit == 3
    codes = link_matters(hall, 8)
    slot = make_slot(hall, capacity=10)
    (citizen,) = citizens(1)

    outcomes = race(
        [lambda code=code: appointment_book(citizen=citizen, slot_id=slot.id, matter_code=code) for code in codes]
    )

    results = Counter(o.result for o in outcomes)
    assert results["ok"] == limit, results
    assert set(results) <= {"ok", "limit_reached", "busy"}, results
    assert in_flight_at_once(outcomes) >= 2
    assert Appointment.objects.filter(citizen=citizen, status__in=ACTIVE_APPOINTMENT_STATUSES).count() == limit
    assert Appointment.objects.count() == limit
    slot.refresh_from_db()
    assert slot.booked == limit
    assert_counters_match_appointments()


def test_it_lets_exactly_one_of_cancel_and_reschedule_win(place):
    hall, matter_code = place
    rounds = 8
    old_slot = make_slot(hall, hour=9, capacity=rounds)
    targets = [make_slot(hall, hour=10, capacity=rounds), make_slot(hall, hour=11, capacity=rounds)]
    winners: Counter[str] = Counter()

    for citizen in citizens(rounds):
        old = appointment_book(citizen=citizen, slot_id=old_slot.id, matter_code=matter_code)
        kinds = ["cancel", "cancel", "reschedule", "reschedule"]
        outcomes = race(
            [
                lambda c=citizen, a=old.id: appointment_cancel(citizen=c, appointment_id=a),
                lambda c=citizen, a=old.id: appointment_cancel(citizen=c, appointment_id=a),
                lambda c=citizen, a=old.id: appointment_reschedule(citizen=c, appointment_id=a, slot_id=targets[0].id),
                lambda c=citizen, a=old.id: appointment_reschedule(citizen=c, appointment_id=a, slot_id=targets[1].id),
            ]
        )

        results = Counter(o.result for o in outcomes)
        assert results["ok"] == 1, results
        # The citizen lock serialises the four: none waits long enough to time out.
        assert set(results) <= {"ok", "invalid_state"}, results
        assert in_flight_at_once(outcomes) >= 2
        winner = next(kind for kind, o in zip(kinds, outcomes, strict=True) if o.result == "ok")
        winners[winner] += 1

        old.refresh_from_db()
        assert old.status == AppointmentStatus.CANCELLED_BY_CITIZEN
        # Cancelled exactly once: one status event, one place given back.
        assert old.events.filter(to_status=AppointmentStatus.CANCELLED_BY_CITIZEN).count() == 1
        successors = Appointment.objects.filter(rescheduled_from=old)
        active = Appointment.objects.filter(citizen=citizen, status__in=ACTIVE_APPOINTMENT_STATUSES)
        if winner == "reschedule":
            assert successors.count() == 1
            assert list(active) == list(successors)
        else:
            assert not successors.exists()
            assert not active.exists()
        assert_counters_match_appointments()

    assert sum(winners.values()) == rounds
    old_slot.refresh_from_db()
    assert old_slot.booked == 0
    assert sum(t.booked for t in Slot.objects.filter(id__in=[t.id for t in targets])) == winners["reschedule"]


def test_it_returns_the_first_result_to_every_concurrent_retry(place):
    """DESIGN.md §6: a retry with the same Idempotency-Key returns the first result, even one sent at once
    (the key is looked up under the citizen lock, so a twin waits for the first to commit)."""
    hall, matter_code = place
    slot = make_slot(hall, capacity=3)
    (citizen,) = citizens(1)

    outcomes = race(
        [
            lambda: appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter_code, idempotency_key="k-1")
            for _ in range(10)
        ]
    )

    assert in_flight_at_once(outcomes) >= 2
    appointment = Appointment.objects.get(citizen=citizen)
    assert appointment.idempotency_key == "k-1"
    assert [o.result for o in outcomes] == ["ok"] * 10
    assert {o.appointment_id for o in outcomes} == {appointment.id}
    slot.refresh_from_db()
    assert slot.booked == 1
    assert appointment.events.count() == 1
    assert_counters_match_appointments()


def test_it_returns_the_first_result_to_every_concurrent_reschedule_retry(place):
    hall, matter_code = place
    old_slot, new_slot = make_slot(hall, hour=9, capacity=3), make_slot(hall, hour=10, capacity=3)
    (citizen,) = citizens(1)
    old = appointment_book(citizen=citizen, slot_id=old_slot.id, matter_code=matter_code)

    outcomes = race(
        [
            lambda: appointment_reschedule(
                citizen=citizen, appointment_id=old.id, slot_id=new_slot.id, idempotency_key="r-1"
            )
            for _ in range(6)
        ]
    )

    assert in_flight_at_once(outcomes) >= 2
    new = Appointment.objects.get(rescheduled_from=old)
    assert [o.result for o in outcomes] == ["ok"] * 6
    assert {o.appointment_id for o in outcomes} == {new.id}
    assert old.events.filter(to_status=AppointmentStatus.CANCELLED_BY_CITIZEN).count() == 1
    assert (Slot.objects.get(id=old_slot.id).booked, Slot.objects.get(id=new_slot.id).booked) == (0, 1)
    assert_counters_match_appointments()


def reschedule_against_book(hall: Hall, matter_code: str, rounds: int) -> list[list[Outcome]]:
    """A citizen moves an appointment out of a slot while booking another matter into that slot."""
    (other_matter,) = link_matters(hall, 1)
    # Room to spare: a refusal for lack of places would hide the lock order under test.
    here, there = make_slot(hall, hour=9, capacity=4 * rounds), make_slot(hall, hour=10, capacity=4 * rounds)
    results = []
    for citizen in citizens(rounds, "mover"):
        old = appointment_book(citizen=citizen, slot_id=here.id, matter_code=matter_code)
        outcomes = race(
            [
                lambda c=citizen, a=old.id: appointment_reschedule(citizen=c, appointment_id=a, slot_id=there.id),
                lambda c=citizen: appointment_book(citizen=c, slot_id=here.id, matter_code=other_matter),
            ]
        )
        moved, booked = (o.result == "ok" for o in outcomes)
        old.refresh_from_db()
        assert old.status == (AppointmentStatus.CANCELLED_BY_CITIZEN if moved else AppointmentStatus.BOOKED)
        assert Appointment.objects.filter(rescheduled_from=old, slot=there).count() == int(moved)
        assert Appointment.objects.filter(citizen=citizen, matter_code=other_matter, slot=here).count() == int(booked)
        results.append(outcomes)
    return results


def swap_slots(hall: Hall, matter_code: str, rounds: int) -> list[list[Outcome]]:
    """Two citizens reschedule across each other: one from 9:00 to 10:00, the other from 10:00 to 9:00."""
    nine, ten = make_slot(hall, hour=9, capacity=4 * rounds), make_slot(hall, hour=10, capacity=4 * rounds)
    people = citizens(2 * rounds, "swapper")
    results = []
    for first, second in zip(people[::2], people[1::2], strict=True):
        a = appointment_book(citizen=first, slot_id=nine.id, matter_code=matter_code)
        b = appointment_book(citizen=second, slot_id=ten.id, matter_code=matter_code)
        outcomes = race(
            [
                lambda c=first, i=a.id: appointment_reschedule(citizen=c, appointment_id=i, slot_id=ten.id),
                lambda c=second, i=b.id: appointment_reschedule(citizen=c, appointment_id=i, slot_id=nine.id),
            ]
        )
        for appointment, outcome in zip((a, b), outcomes, strict=True):
            appointment.refresh_from_db()
            moved = outcome.result == "ok"
            assert appointment.status == (AppointmentStatus.CANCELLED_BY_CITIZEN if moved else AppointmentStatus.BOOKED)
            assert Appointment.objects.filter(rescheduled_from=appointment).count() == int(moved)
        results.append(outcomes)
    return results


def cancel_against_book(hall: Hall, matter_code: str, rounds: int) -> list[list[Outcome]]:
    """A citizen cancels one appointment while booking another matter into the same slot."""
    (other_matter,) = link_matters(hall, 1)
    slot = make_slot(hall, hour=9, capacity=4 * rounds)
    results = []
    for citizen in citizens(rounds, "canceller"):
        old = appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter_code)
        outcomes = race(
            [
                lambda c=citizen, a=old.id: appointment_cancel(citizen=c, appointment_id=a),
                lambda c=citizen: appointment_book(citizen=c, slot_id=slot.id, matter_code=other_matter),
            ]
        )
        cancelled, booked = (o.result == "ok" for o in outcomes)
        old.refresh_from_db()
        assert old.status == (AppointmentStatus.CANCELLED_BY_CITIZEN if cancelled else AppointmentStatus.BOOKED)
        assert Appointment.objects.filter(citizen=citizen, matter_code=other_matter).count() == int(booked)
        results.append(outcomes)
    return results


SCENARIOS = {
    "reschedule_against_book": reschedule_against_book,
    "swap_slots": swap_slots,
    "cancel_against_book": cancel_against_book,
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_it_lets_crossing_writes_both_go_through_without_deadlock(place, scenario):
    """Writes that merely cross are no pile-up: both succeed, and none waits for PostgreSQL to break a
    deadlock (which would answer "busy" after deadlock_timeout): every write takes its citizen first, and
    a reschedule takes its two slots in id order."""
    hall, matter_code = place
    for outcomes in SCENARIOS[scenario](hall, matter_code, rounds=3):
        assert in_flight_at_once(outcomes) == 2
        assert [o.result for o in outcomes] == ["ok", "ok"]
        assert_counters_match_appointments()


class Scripted(threading.Thread):
    """One call in its own thread and connection, started on cue, so a test can order who waits for whom."""

    def __init__(self, call: Callable[[], Appointment]):
        super().__init__()
        self.call = call
        self.pid: int | None = None
        self.connected = threading.Event()
        self.outcome: Outcome | None = None
        self.crash: BaseException | None = None

    def run(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.connected.set()
            self.outcome = attempt(self.call)
        except BaseException as exc:
            self.crash = exc
        finally:
            self.connected.set()
            connection.close()

    def start_and_wait_until_blocked(self) -> None:
        """Start, and return once PostgreSQL shows this thread's backend waiting for a row lock."""
        self.start()
        assert self.connected.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [self.pid])
                row = cursor.fetchone()
            if row and row[0] == "Lock":
                return
            time.sleep(0.005)
        raise AssertionError(f"{self.call} never waited for a lock (outcome {self.outcome}, crash {self.crash!r})")


def test_it_lets_a_check_in_and_a_cancel_of_one_appointment_cross_without_deadlock(place):
    """The kiosk checks an appointment in while its citizen cancels it: one of them wins, at once. The
    order is scripted: a third transaction holds the appointment row while the check-in, then the cancel,
    queue up behind it; both start the moment it lets go."""
    from apps.front.floor.models import Terminal
    from apps.front.floor.services.issuing import checkin_by_code

    hall, matter_code = place
    terminal = Terminal.objects.create(hall=hall, name="1号取号机", token_sha256="0" * 64)
    slot = make_slot(hall, capacity=2)
    (citizen,) = citizens(1)
    appointment = appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter_code)
    # Within the check-in window (DOMAIN.md §3: from start - 30 min to start + 15 min).
    Slot.objects.filter(id=slot.id).update(start=timezone.now() + dt.timedelta(minutes=5))

    held, release = threading.Event(), threading.Event()

    def hold_the_appointment():
        with transaction.atomic():
            Appointment.objects.select_for_update().get(id=appointment.id)
            held.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_the_appointment)
    check_in = Scripted(lambda: checkin_by_code(terminal=terminal, code=appointment.code).appointment)
    cancel = Scripted(lambda: appointment_cancel(citizen=citizen, appointment_id=appointment.id))
    holder.start()
    try:
        assert held.wait(10)
        check_in.start_and_wait_until_blocked()
        cancel.start_and_wait_until_blocked()
    finally:
        release.set()
        for thread in (holder, check_in, cancel):
            thread.join(30)
    assert not (check_in.crash or cancel.crash), (check_in.crash, cancel.crash)

    # The check-in queued first, so it wins; the cancel finds the appointment checked in.
    assert (check_in.outcome.result, cancel.outcome.result) == ("ok", "invalid_state")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert Slot.objects.get(id=slot.id).booked == 1
    assert_counters_match_appointments()


def test_a_closure_racing_bookings_leaves_no_booked_place_in_the_closed_slot(place):
    """Bookings and a closure meet on the slot row: a booking that got in before the closure is cancelled by
    it, one after is refused "closed"; none stays booked in a closed slot, and the counter agrees."""
    from apps.front.booking.models import StaffPost
    from apps.front.booking.services import closure_create
    from apps.shared.accounts.models import Role

    hall, matter_code = place
    # A place for everyone: the only refusals are the closure's ("full" once ten got in before it was CI's flake).
    slot = make_slot(hall, capacity=12)
    supervisor = make_user("racesup", Role.HALL_SUPERVISOR)
    StaffPost.objects.create(user=supervisor, hall=hall)
    people = citizens(12)
    calls = [lambda c=c: appointment_book(citizen=c, slot_id=slot.id, matter_code=matter_code) for c in people]
    calls.insert(6, lambda: closure_create(actor=supervisor, hall=hall, date=slot.date, reason="停电"))

    outcomes = race(calls)

    results = Counter(o.result for o in outcomes)
    assert set(results) <= {"ok", "closed", "busy"}, results
    assert in_flight_at_once(outcomes) >= 2
    slot.refresh_from_db()
    assert slot.closed and slot.booked == 0
    assert not Appointment.objects.filter(slot=slot, status=AppointmentStatus.BOOKED).exists()
    # Every booking that went through was cancelled by the hall, and counted in the closure.
    booked_ok = results["ok"] - 1  # the closure itself answered "ok"
    assert Appointment.objects.filter(slot=slot, status=AppointmentStatus.CANCELLED_BY_HALL).count() == booked_ok
    from apps.front.booking.models import HallClosure

    assert HallClosure.objects.get().cancelled_count == booked_ok
    assert_counters_match_appointments()


def test_a_place_held_for_a_waitlist_offer_goes_to_the_offered_citizen_only(place):
    from apps.front.booking.models import WaitlistStatus
    from apps.front.booking.services import waitlist_accept, waitlist_join, waitlist_sweep

    hall, matter_code = place
    slot = make_slot(hall, days_ahead=2, capacity=1)  # an offer's hold never reaches the day, at any hour
    holder, waiting, *crowd = citizens(12)
    taken = appointment_book(citizen=holder, slot_id=slot.id, matter_code=matter_code)
    entry = waitlist_join(citizen=waiting, matter_code=matter_code, hall_id=hall.id, date=slot.date)
    appointment_cancel(citizen=holder, appointment_id=taken.id)
    # Past the resale hold, so that only the waitlist hold keeps the crowd out.
    Slot.objects.filter(id=slot.id).update(resale_until=timezone.now() - dt.timedelta(seconds=1))
    assert waitlist_sweep()["offered"] == 1

    calls = [lambda c=c: appointment_book(citizen=c, slot_id=slot.id, matter_code=matter_code) for c in crowd]
    calls.insert(5, lambda: waitlist_accept(citizen=waiting, entry_id=entry.id))
    outcomes = race(calls)

    results = Counter(o.result for o in outcomes)
    assert results["ok"] == 1 and set(results) <= {"ok", "slot_full", "busy"}, results
    assert outcomes[5].result == "ok"
    slot.refresh_from_db()
    assert (slot.booked, slot.waitlist_held) == (1, 0)
    assert Appointment.objects.get(slot=slot, status=AppointmentStatus.BOOKED).citizen == waiting
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.ACCEPTED
    assert_counters_match_appointments()
