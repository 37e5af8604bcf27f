"""The booking fast path (apps/front/booking/fastpath.py) is held to the ORM reference
(services/reference.py): every scenario runs through both from the same state and must leave the same rows
and give the same answer (the same refusal code, status and message). Each scenario also states the answer
it expects, so the comparison cannot pass by both paths being wrong the same way or by nothing happening."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from apps.front.booking import fastpath
from apps.front.booking.models import (
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    BookingStanding,
    GroupMatter,
    Slot,
    WindowGroup,
)
from apps.front.booking.services import appointment_book
from apps.front.booking.services.reference import appointment_book_reference
from govservice.api import DomainError, status_for
from govservice.lib.codes import human_code
from tests.factories import make_matter, valid_id_number
from tests.personas_front import make_slot

pytestmark = pytest.mark.django_db

PATHS: dict[str, Callable[..., Appointment]] = {"fast": appointment_book, "orm": appointment_book_reference}
# Columns compared as they are; the code is random and the timestamps are the clock's (checked set).
_SKIP = {"id", "code", "created_at", "updated_at"}
APPOINTMENT_COLUMNS = [f.attname for f in Appointment._meta.concrete_fields if f.attname not in _SKIP]
EVENT_COLUMNS = ["appointment__citizen_id", "appointment__slot_id", "actor_id", "from_status", "to_status", "note"]
SLOT_COLUMNS = ["id", "booked", "reserved_booked", "waitlist_held", "resale_held"]


def _held(citizen, slot, matter, **fields) -> Appointment:
    """An appointment the citizen already holds (written directly: the state a scenario starts from)."""
    appointment = Appointment.objects.create(
        code=human_code(8), citizen=citizen, matter=matter, matter_code=matter.code, slot=slot, hall=slot.hall, **fields
    )
    Slot.objects.filter(id=slot.id).update(booked=slot.booked + 1)
    return appointment


def _rows() -> dict[str, Any]:
    appointments = list(Appointment.objects.order_by("slot_id", "citizen_id").values(*APPOINTMENT_COLUMNS))
    assert not Appointment.objects.filter(created_at__isnull=True).exists()
    audit = apps.get_model("booking", "AppointmentAudit")
    return {
        "appointments": appointments,
        "events": list(AppointmentEvent.objects.order_by(*EVENT_COLUMNS).values_list(*EVENT_COLUMNS)),
        "slots": list(Slot.objects.order_by("id").values(*SLOT_COLUMNS)),
        "audit": audit.objects.count(),
    }


def _run(book: Callable[..., Appointment], kwargs: dict[str, Any], previous: Appointment | None) -> tuple[tuple, dict]:
    """One booking from the scenario's state, then undone: its answer and the rows it left."""
    with transaction.atomic():
        try:
            appointment = book(**kwargs)
            answer: tuple = ("booked", appointment.quota, appointment.green_category)
            if previous is not None:
                answer += ("the first result" if appointment.id == previous.id else "a new appointment",)
        except DomainError as error:
            answer = ("refused", error.code, status_for(error), str(error.detail))
        rows = _rows()
        transaction.set_rollback(True)
    return answer, rows


# Each scenario: (changes to the state, given the citizen, a free slot of capacity 2 tomorrow at 09:00 and
# the matter; returns the booking's arguments and the earlier appointment an idempotent retry returns) and
# the answer expected.
def _free(c, slot, m):
    return {}, None


def _full(c, slot, m):
    Slot.objects.filter(id=slot.id).update(booked=2)
    return {}, None


def _reserved_share_only(c, slot, m):
    Slot.objects.filter(id=slot.id).update(booked=2, reserved=1)
    return {}, None


def _reserved_share_green(c, slot, m):
    Slot.objects.filter(id=slot.id).update(booked=2, reserved=1)
    return {"green_category": "disabled"}, None


def _green_online_first(c, slot, m):
    Slot.objects.filter(id=slot.id).update(reserved=1)
    return {"green_category": "military"}, None


def _duplicate(c, slot, m):
    _held(c, make_slot(slot.hall, hour=10), m)
    return {}, None


def _limit(c, slot, m):
    for n, hour in enumerate((10, 11, 13)):
        other = make_matter(f"M-L{n}", name=f"其他事项{n}")
        GroupMatter.objects.create(group=slot.group, matter_code=other.code)
        _held(c, make_slot(slot.hall, hour=hour), other)
    return {}, None


def _limit_counts_only_active(c, slot, m):
    for n, hour in enumerate((10, 11, 13)):
        other = make_matter(f"M-L{n}", name=f"其他事项{n}")
        GroupMatter.objects.create(group=slot.group, matter_code=other.code)
        _held(c, make_slot(slot.hall, hour=hour), other, status=AppointmentStatus.CANCELLED_BY_CITIZEN)
    return {}, None


def _blocked(c, slot, m):
    BookingStanding.objects.create(citizen=c, blocked_until=timezone.now() + dt.timedelta(days=30))
    return {}, None


def _block_over(c, slot, m):
    BookingStanding.objects.create(citizen=c, blocked_until=timezone.now() - dt.timedelta(days=1))
    return {}, None


def _idempotent_retry(c, slot, m):
    return {"idempotency_key": "k-1"}, _held(c, slot, m, idempotency_key="k-1")


def _new_key(c, slot, m):
    other = make_matter("M-K", name="另一事项")
    GroupMatter.objects.create(group=slot.group, matter_code=other.code)
    return {"idempotency_key": "k-2"}, _held(c, make_slot(slot.hall, hour=10), other, idempotency_key="k-1")


def _key_reused_for_another_slot(c, slot, m):
    # The key of an earlier booking (another slot of the same matter) sent with this slot: not a retry.
    return {"idempotency_key": "k-1"}, _held(c, make_slot(slot.hall, hour=10), m, idempotency_key="k-1")


def _key_reused_for_another_matter(c, slot, m):
    other = make_matter("M-R", name="另一事项")
    GroupMatter.objects.create(group=slot.group, matter_code=other.code)
    return {"idempotency_key": "k-1"}, _held(c, slot, other, idempotency_key="k-1")


def _account_closed_meanwhile(c, slot, m):
    # Deleted (PIPL) or frozen (a takeover) between the request's authentication and its booking.
    type(c).objects.filter(id=c.id).update(is_active=False)
    return {}, None


def _not_released(c, slot, m):
    Slot.objects.filter(id=slot.id).update(release_at=timezone.now() + dt.timedelta(days=1))
    return {}, None


def _closed(c, slot, m):
    Slot.objects.filter(id=slot.id).update(closed=True)
    return {}, None


def _today(c, slot, m):
    return {"slot_id": make_slot(slot.hall, days_ahead=0, hour=23).id}, None


def _too_soon(c, slot, m):
    GroupMatter.objects.filter(matter_code=m.code).update(min_notice_hours=72)
    return {}, None


def _group_notice(c, slot, m):
    WindowGroup.objects.filter(id=slot.group_id).update(min_notice_hours=72)
    return {}, None


def _waitlist_hold(c, slot, m):
    Slot.objects.filter(id=slot.id).update(booked=1, waitlist_held=1)
    return {}, None


def _resale_hold(c, slot, m):
    Slot.objects.filter(id=slot.id).update(booked=1, resale_held=1, resale_until=timezone.now() + dt.timedelta(hours=1))
    return {}, None


def _resale_hold_over(c, slot, m):
    Slot.objects.filter(id=slot.id).update(booked=1, resale_held=1, resale_until=timezone.now() - dt.timedelta(hours=1))
    return {}, None


def _wrong_group(c, slot, m):
    group = WindowGroup.objects.create(hall=slot.hall, letter="B", name="其他窗口组")
    other = Slot.objects.create(
        hall=slot.hall,
        group=group,
        date=slot.date,
        start=slot.start,
        end=slot.end,
        capacity=2,
        release_at=slot.release_at,
    )
    return {"slot_id": other.id}, None


def _no_matter(c, slot, m):
    return {"matter_code": "NO-SUCH"}, None


def _no_slot(c, slot, m):
    return {"slot_id": slot.id + 10_000}, None


def _not_bookable(c, slot, m):
    type(m).objects.filter(id=m.id).update(bookable=False)
    return {}, None


def _for_companies_only(c, slot, m):
    type(m).objects.filter(id=m.id).update(target="organisation")
    return {}, None


def _for_both(c, slot, m):
    type(m).objects.filter(id=m.id).update(target="both")
    return {}, None


def _company_for_companies(c, slot, m):
    """A company's account (booked for by its agent: the appointment is the company's) and a matter for companies."""
    type(c).objects.filter(id=c.id).update(role="company")
    type(m).objects.filter(id=m.id).update(target="organisation")
    return {}, None


def _company_for_persons(c, slot, m):
    type(c).objects.filter(id=c.id).update(role="company")
    return {}, None


def _unknown_green(c, slot, m):
    return {"green_category": "vip"}, None


def _not_elderly(c, slot, m):
    return {"green_category": "elderly"}, None


def _elderly(c, slot, m):
    type(c).objects.filter(id=c.id).update(id_number=valid_id_number("19400101"))
    return {"green_category": "elderly"}, None


SCENARIOS: dict[str, tuple[Callable, tuple]] = {
    "a free place": (_free, ("booked", "online", "")),
    "a full slot": (_full, ("refused", "slot_full", 409)),
    "only the reserved share left": (_reserved_share_only, ("refused", "slot_full", 409)),
    "the green channel takes the reserved share": (_reserved_share_green, ("booked", "reserved", "disabled")),
    "the green channel takes an online place first": (_green_online_first, ("booked", "online", "military")),
    "a duplicate for the matter": (_duplicate, ("refused", "duplicate", 409)),
    "the per-person limit": (_limit, ("refused", "limit_reached", 409)),
    "the limit counts active appointments only": (_limit_counts_only_active, ("booked", "online", "")),
    "a blocked citizen": (_blocked, ("refused", "blocked", 403)),
    "a block that is over": (_block_over, ("booked", "online", "")),
    "an idempotent retry": (_idempotent_retry, ("booked", "online", "", "the first result")),
    "another key": (_new_key, ("booked", "online", "", "a new appointment")),
    "a key reused for another slot": (_key_reused_for_another_slot, ("refused", "idempotency_key_reused", 422)),
    "a key reused for another matter": (_key_reused_for_another_matter, ("refused", "idempotency_key_reused", 422)),
    "an account closed meanwhile": (_account_closed_meanwhile, ("refused", "account_inactive", 403)),
    "not released yet": (_not_released, ("refused", "not_released", 422)),
    "closed by the hall": (_closed, ("refused", "closed", 409)),
    "a slot of today": (_today, ("refused", "too_late", 422)),
    "the matter's minimum notice": (_too_soon, ("refused", "too_soon", 422)),
    "the group's minimum notice": (_group_notice, ("refused", "too_soon", 422)),
    "a place held for a waitlist offer": (_waitlist_hold, ("refused", "slot_full", 409)),
    "a place held back after a cancellation": (_resale_hold, ("refused", "slot_full", 409)),
    "a resale hold that is over": (_resale_hold_over, ("booked", "online", "")),
    "a group that does not handle the matter": (_wrong_group, ("refused", "wrong_group", 422)),
    "no such matter": (_no_matter, ("refused", "not_found", 404)),
    "no such slot": (_no_slot, ("refused", "not_found", 404)),
    "a matter that is not booked": (_not_bookable, ("refused", "not_bookable", 422)),
    "a person for a matter serving companies only": (_for_companies_only, ("refused", "matter_not_for_persons", 422)),
    "a person for a matter serving both": (_for_both, ("booked", "online", "")),
    "a company for a matter serving companies": (_company_for_companies, ("booked", "online", "")),
    "a company for a matter serving persons only": (_company_for_persons, ("refused", "matter_not_for_companies", 422)),
    "an unknown green category": (_unknown_green, ("refused", "invalid_green_category", 400)),
    "too young for the elderly channel": (_not_elderly, ("refused", "not_elderly", 422)),
    "the elderly channel": (_elderly, ("booked", "online", "elderly")),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_it_gives_the_answers_and_rows_of_the_orm_reference(name, citizen, hall, matter):
    arrange, expected = SCENARIOS[name]
    slot = make_slot(hall, capacity=2)
    changes, previous = arrange(citizen, slot, matter)
    citizen.refresh_from_db()
    kwargs = {"citizen": citizen, "slot_id": slot.id, "matter_code": matter.code} | changes
    before = _rows()
    outcomes = {path: _run(book, kwargs, previous) for path, book in PATHS.items()}
    (fast_answer, fast_rows), (orm_answer, orm_rows) = outcomes["fast"], outcomes["orm"]
    assert fast_answer[: len(expected)] == expected, fast_answer
    assert fast_answer == orm_answer
    assert fast_rows == orm_rows
    # A booking adds exactly one appointment and its event; a refusal or a retry leaves the rows as they were.
    added = len(fast_rows["appointments"]) - len(before["appointments"])
    assert added == (1 if (expected[0] == "booked" and previous is None) or expected[-1] == "a new appointment" else 0)
    assert len(fast_rows["events"]) - len(before["events"]) == added


def test_the_scenarios_cover_every_refusal_of_the_rules():
    """A refusal code the rules can give (services/rules.py) is tried through both paths."""
    codes = {expected[1] for _arrange, expected in SCENARIOS.values() if expected[0] == "refused"}
    assert codes == {
        "slot_full", "duplicate", "limit_reached", "blocked", "not_released", "closed", "too_late", "too_soon",
        "wrong_group", "not_found", "not_bookable", "invalid_green_category", "not_elderly", "idempotency_key_reused", "account_inactive",
        "matter_not_for_persons", "matter_not_for_companies",
    }  # fmt: skip


def test_the_fast_insert_writes_the_row_create_writes(citizen, slot, matter):
    """fastpath.insert against Model.objects.create, column by column, for the two models it inserts."""
    at = timezone.now() - dt.timedelta(minutes=5)

    def written(*, fast: bool) -> tuple[dict, dict]:
        with transaction.atomic():
            fields = {"code": "C0DE0001", "citizen": citizen, "matter": matter, "matter_code": matter.code}
            fields |= {"slot": slot, "hall": slot.hall, "idempotency_key": "k-9"}
            if fast:
                appointment = Appointment(**fields)
                fastpath.insert(appointment)
                assert appointment.pk is not None and not appointment._state.adding
                event = AppointmentEvent(appointment=appointment, actor=citizen, to_status="booked", at=at)
                fastpath.insert(event)
            else:
                appointment = Appointment.objects.create(**fields)
                event = AppointmentEvent.objects.create(
                    appointment=appointment, actor=citizen, to_status="booked", at=at
                )
            appointment_row = Appointment.objects.filter(id=appointment.id).values().get()
            event_row = AppointmentEvent.objects.filter(id=event.id).values().get()
            assert event_row["appointment_id"] == appointment.id
            transaction.set_rollback(True)
        for stamp in ("created_at", "updated_at"):
            assert abs(appointment_row.pop(stamp) - timezone.now()) < dt.timedelta(minutes=1)
        for row in (appointment_row, event_row):
            row.pop("id")
        event_row.pop("appointment_id")
        return appointment_row, event_row

    fast, orm = written(fast=True), written(fast=False)
    assert fast == orm
    assert (fast[0]["status"], fast[0]["quota"], fast[1]["at"], fast[1]["from_status"]) == ("booked", "online", at, "")


def test_the_take_is_compiled_from_the_orm_expression_once():
    """The UPDATE is the ORM's (online_free_q, slot_bookable), compiled once; every stand-in is replaced."""
    for notice in (False, True):
        sql, _params, places = fastpath.take_online_statement(notice=notice)
        assert fastpath.take_online_statement(notice=notice)[0] is sql
        assert sql.startswith('UPDATE "booking_slot" SET "booked"') and "STATEMENT_TIMESTAMP()" in sql
        assert '"waitlist_held"' in sql and '"resale_held"' in sql and '"release_at"' in sql and '"closed"' in sql
        assert len(places) == (3 if notice else 2) and len(set(places)) == len(places)
        assert ('"start" >=' in sql) is notice


def test_the_read_without_prepare_gives_the_same_facts(settings, citizen, slot, matter):
    """BOOKING_PREPARED_STATEMENTS off (PgBouncer in transaction pooling): the same read, not prepared."""
    _held(citizen, make_slot(slot.hall, hour=10), matter, idempotency_key="k-1")

    def facts():
        read, alone = fastpath.booking_facts(
            citizen=citizen, slot_id=slot.id, matter_code=matter.code, idempotency_key="k-1", early=True
        )
        return (
            read.matter.id,
            read.slot.id,
            read.slot.booked,
            read.handles,
            read.notice,
            read.total,
            read.same,
            read.previous_id,
            alone,
        )

    prepared = facts()
    settings.BOOKING_PREPARED_STATEMENTS = False
    assert facts() == prepared
    assert prepared[5:8] == (1, 1, Appointment.objects.get(idempotency_key="k-1").id)


def test_without_prepare_nothing_is_prepared(settings, api, citizen, slot, matter):
    settings.BOOKING_PREPARED_STATEMENTS = False
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    fastpath.prepared_in_session().names.clear()
    response = api(citizen).post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
    assert response.status_code == 201, response.json()
    assert Slot.objects.get(id=slot.id).booked == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 0
