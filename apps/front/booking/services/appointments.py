"""Writes for appointments: book, cancel, reschedule, the hall's moves and no-shows (DOMAIN.md §3, DESIGN.md §6).

Lock order, everywhere: the citizen row (FOR NO KEY UPDATE), then the appointment, then the slot(s) in id
order. A slot counter moves only by a conditional UPDATE, never read-then-write; nothing but the database
is touched inside a booking transaction (notifications are rows, delivered after commit).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Now
from django.utils import timezone

from apps.front.booking.conf import booking_conf
from apps.front.notifications.services import notify
from apps.shared.accounts.models import User
from apps.shared.catalog.models import Matter
from govservice.api import Conflict, DomainError
from govservice.lib import idcard, lifecycle
from govservice.lib.codes import human_code
from govservice.lib.tasks import enqueue_on_commit

from ..models import (
    ACTIVE_APPOINTMENT_STATUSES,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    BookingStanding,
    GreenCategory,
    GroupMatter,
    Hall,
    Quota,
    Slot,
    Strike,
    WaitlistEntry,
    WaitlistStatus,
    WindowGroup,
)
from ..selectors import online_free_q, resale_held_now
from .penalties import strike_record

logger = logging.getLogger(__name__)


def _lock_citizen(citizen: User) -> dt.datetime | None:
    """Lock the citizen and read, in the same statement, until when online booking is blocked for them.

    NO KEY UPDATE still serialises one citizen's writes, but lets other transactions insert rows that
    reference the citizen (a ticket at check-in takes FOR KEY SHARE on it): no deadlock against them."""
    blocked_until = BookingStanding.objects.filter(citizen_id=OuterRef("pk")).values("blocked_until")[:1]
    return (
        User.objects.select_for_update(no_key=True)
        .filter(pk=citizen.pk)
        .annotate(blocked_until=Subquery(blocked_until))
        .values_list("blocked_until", flat=True)
        .first()
    )


def _record(appointment: Appointment, *, actor: User | None, from_status: str, note: str = "") -> None:
    AppointmentEvent.objects.create(
        appointment=appointment, actor=actor, from_status=from_status, to_status=appointment.status, note=note
    )


def when_text(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y年%m月%d日 %H:%M}"


# The advisory lock (class, citizen id) a booking transaction holds from its first read to its end, taken
# after the citizen row lock. The early refusal looks whether it is free (tried shared, released at once):
# while a booking of the same citizen is in flight, the request does not refuse early but waits its turn on
# the citizen lock, as before.
BOOKING_LOCK_CLASS = 6002


def _booking_facts_sql(*, early: bool) -> str:
    """One read of everything a booking is decided by: the matter, the slot with its group's rule for the
    matter and database time, the citizen's active appointments (all, and for this matter), an earlier
    appointment with the same Idempotency-Key, the citizen's block. Early (before the booking transaction):
    whether the citizen's booking lock is free; in the transaction: taking it (the citizen row is held)."""
    slot, group, link = Slot._meta.db_table, WindowGroup._meta.db_table, GroupMatter._meta.db_table
    key = "$6, mod($1, 2147483647)::int"
    # Early: is the lock free this instant? Taken and given back in the same expression (session level), so
    # nothing stays held when the caller is inside a transaction of its own (a checklist booking is).
    lock = (
        f"CASE WHEN pg_try_advisory_lock_shared({key}) THEN pg_advisory_unlock_shared({key}) ELSE false END"
        if early
        else f"pg_advisory_xact_lock({key})"
    )
    return f"""
        SELECT m.id, m.name, m.bookable,
               s.id, s.hall_id, s.group_id, s.date, s.start, s."end", s.capacity, s.booked, s.release_at, s.closed,
               s.resale_held, s.resale_until, s.waitlist_held,
               h.name, h.address, gm.found IS NOT NULL, gm.min_notice_hours, g.min_notice_hours, now(),
               a.total, a.same, a.previous,
               (SELECT b.blocked_until FROM {BookingStanding._meta.db_table} b WHERE b.citizen_id = $1),
               {lock}
        FROM (SELECT 1) one
        LEFT JOIN LATERAL (
            SELECT id, name, bookable FROM {Matter._meta.db_table} WHERE code = $3 AND is_current LIMIT 1
        ) m ON true
        LEFT JOIN {slot} s ON s.id = $2
        LEFT JOIN {group} g ON g.id = s.group_id
        LEFT JOIN {Hall._meta.db_table} h ON h.id = s.hall_id
        LEFT JOIN LATERAL (
            SELECT 1 AS found, min_notice_hours FROM {link} WHERE group_id = s.group_id AND matter_code = $3
        ) gm ON true
        CROSS JOIN LATERAL (
            SELECT count(*) AS total,
                   count(*) FILTER (WHERE matter_code = $3) AS same,
                   (SELECT id FROM {Appointment._meta.db_table}
                    WHERE citizen_id = $1 AND idempotency_key = $4 AND $4 <> '' LIMIT 1) AS previous
            FROM {Appointment._meta.db_table} WHERE citizen_id = $1 AND status = ANY($5)
        ) a
    """  # noqa: S608 (table names from the models, values as parameters $1..$6: see _FACTS_PARAMETERS)


# The parameters of _booking_facts_sql, in the order of $1..$6, with their types.
_FACTS_PARAMETERS = "bigint, bigint, text, text, text[], int"
_ACTIVE = [str(status) for status in ACTIVE_APPOINTMENT_STATUSES]


def _execute_prepared(cursor: Any, name: str, build_sql: Any, params: list[Any]) -> None:
    """EXECUTE the statement ``name``, PREPAREd once per database connection: the booking facts' read is
    planned once per connection, not on each of a flash crowd's requests (planning took 0.26 ms of its
    0.31). The first use sends PREPARE and EXECUTE as one call (still one statement to the caller).

    A prepared statement lives as long as the session, whatever the transaction does; a new connection
    (CONN_MAX_AGE, a broken one replaced) prepares again. When that first call fails, whether the PREPARE
    stayed is unknown: the next first use starts with DEALLOCATE ALL (this module's statements are the only
    ones). No ``%`` in the statement: pghistory may add parameters of its own to any statement."""
    raw = connection.connection
    state = getattr(connection, "_booking_prepared", None)
    if state is None or state[0] is not raw:
        state = [raw, set(), False]  # connection, prepared names, unsure (a first use failed)
        connection._booking_prepared = state  # type: ignore[attr-defined]
    names: set[str] = state[1]
    execute = f"EXECUTE {name} ({', '.join(['%s'] * len(params))})"
    if name in names:
        cursor.execute(execute, params)
        return
    prepare = f"PREPARE {name} ({_FACTS_PARAMETERS}) AS {build_sql()}; "
    if state[2]:
        prepare = "DEALLOCATE ALL; " + prepare
        names.clear()
    try:
        cursor.execute(prepare + execute, params)
    except Exception:
        state[2] = True
        raise
    state[2] = False
    names.add(name)


class _Facts:
    """The row of _booking_facts_sql as objects: the matter, the slot (with its hall and db_now) or None."""

    __slots__ = ("blocked_until", "handles", "matter", "notice", "previous_id", "same", "slot", "total")

    def __init__(self, row: tuple) -> None:
        (matter_id, matter_name, bookable, slot_id, hall_id, group_id, date, start, end, capacity, booked, release_at,
         closed, resale_held, resale_until, waitlist_held, hall_name, hall_address, handles, link_notice, group_notice,
         db_now, total, same, previous, blocked_until, _lock) = row  # fmt: skip
        self.matter = None if matter_id is None else Matter(id=matter_id, name=matter_name, bookable=bookable)
        self.slot: Slot | None = None
        if slot_id is not None:
            self.slot = Slot(
                id=slot_id, hall_id=hall_id, group_id=group_id, date=date, start=start, end=end, capacity=capacity,
                booked=booked, release_at=release_at, closed=closed, resale_held=resale_held,
                resale_until=resale_until, waitlist_held=waitlist_held,
            )  # fmt: skip
            self.slot.hall = Hall(id=hall_id, name=hall_name, address=hall_address)
            self.slot.db_now = db_now  # type: ignore[attr-defined]
        self.handles = handles
        # The matter's own minimum notice at this group, else the group's, else the site's default.
        notice = link_notice if link_notice is not None else group_notice
        self.notice: int = booking_conf.BOOKING_MIN_NOTICE_HOURS if notice is None else notice
        self.total, self.same, self.previous_id, self.blocked_until = total, same, previous, blocked_until


def _booking_facts(*, citizen: User, slot_id: int, matter_code: str, idempotency_key: str, early: bool) -> tuple[_Facts, bool]:
    """The facts, and (early) whether no booking of this citizen was in flight (the try-lock succeeded)."""
    params = [citizen.pk, slot_id, matter_code, idempotency_key, _ACTIVE, BOOKING_LOCK_CLASS]
    name = "booking_facts_early" if early else "booking_facts_locked"
    with connection.cursor() as cursor:
        _execute_prepared(cursor, name, lambda: _booking_facts_sql(early=early), params)
        row = cursor.fetchone()
    return _Facts(row), row[-1] is not False


def _refusal(facts: _Facts, *, green_category: str, slot_state: bool) -> DomainError | None:
    """The first reason to refuse, in the order of the rules (block, matter, slot, group, duplicate, limit,
    then the slot's own state when ``slot_state``), or None."""
    blocked_until = facts.blocked_until
    if blocked_until is not None and blocked_until > timezone.now():
        return DomainError(
            f"因多次爽约或临近取消，您的网上预约已暂停至{when_text(blocked_until)}；期间仍可到大厅现场取号办理。"
            f" Online booking is blocked until {timezone.localtime(blocked_until):%Y-%m-%d %H:%M}.",
            code="blocked",
            status_code=403,
        )
    if green_category and green_category not in GreenCategory.values:
        return DomainError("绿色通道类别无效。 Unknown green-channel category.", code="invalid_green_category", status_code=400)
    if facts.matter is None:
        return DomainError("事项不存在。 No such matter.", code="not_found", status_code=404)
    if not facts.matter.bookable:
        return DomainError("该事项无需预约，请直接到大厅办理或在线办理。 This matter cannot be booked.", code="not_bookable")
    if facts.slot is None:
        return DomainError("预约时段不存在。 No such slot.", code="not_found", status_code=404)
    if not facts.handles:
        return DomainError("该时段所在窗口不办理此事项。 This window group does not handle the matter.", code="wrong_group")
    if facts.same:
        return Conflict("您已有该事项的有效预约，不能重复预约。 You already have an appointment for this matter.", code="duplicate")
    if facts.total >= booking_conf.BOOKING_MAX_ACTIVE_PER_CITIZEN:
        return Conflict(
            f"每人最多同时持有{booking_conf.BOOKING_MAX_ACTIVE_PER_CITIZEN}个有效预约，请先完成或取消已有预约。"
            " Limit of active appointments reached.",
            code="limit_reached",
        )
    if slot_state and not _online_free(facts.slot, notice=facts.notice):
        return slot_refusal(facts.slot, notice=facts.notice, reread=False)
    return None


def _online_free(slot: Slot, *, notice: int) -> bool:
    """In Python, the condition of the conditional UPDATE (online_free_q and the notice), on a slot as read
    with database time: to refuse before any transaction. The UPDATE stays the authority."""
    now = slot.db_now  # type: ignore[attr-defined]
    resale = slot.resale_held if slot.resale_until is not None and slot.resale_until > now else 0
    return (
        slot.date > timezone.localdate()
        and not slot.closed
        and not (notice and slot.start < now + dt.timedelta(hours=notice))
        and slot.release_at <= now
        and slot.capacity > slot.booked + slot.waitlist_held + resale
    )


def appointment_book(
    *,
    citizen: User,
    slot_id: int,
    matter_code: str,
    idempotency_key: str = "",
    rescheduled_from: Appointment | None = None,
    green_category: str = "",
    waitlist_entry: WaitlistEntry | None = None,
) -> Appointment:
    """Book one place. The slot counter moves only by a conditional UPDATE: never read-then-write.

    A plain online booking is first refused without any transaction or lock when one read shows a reason
    (most of a flash crowd: the slot is visibly full): the same refusals, in the same order, as the
    transaction would give from that moment's state. That read stands aside (the request takes the
    transaction) when the citizen already has an appointment with this Idempotency-Key or a booking of the
    citizen is in flight (its advisory lock is held): a retry still waits for and returns the first result.
    Green-channel requests (which may take the reserved share), reschedules and waitlist offers always go
    through the transaction."""
    if rescheduled_from is None and waitlist_entry is None and not green_category:
        facts, alone = _booking_facts(
            citizen=citizen, slot_id=slot_id, matter_code=matter_code, idempotency_key=idempotency_key, early=True
        )
        if alone and facts.previous_id is None:
            refusal = _refusal(facts, green_category="", slot_state=True)
            if refusal is not None:
                raise refusal
    return _book(
        citizen=citizen,
        slot_id=slot_id,
        matter_code=matter_code,
        idempotency_key=idempotency_key,
        rescheduled_from=rescheduled_from,
        green_category=green_category,
        waitlist_entry=waitlist_entry,
    )



# The conditional UPDATE of a plain online booking, written out: the slot (id), bookable from tomorrow on
# (local date), and online_free_q() (selectors.py) with database time as the ORM's Now() renders it on
# PostgreSQL (STATEMENT_TIMESTAMP()); with a notice, the start far enough ahead. The ORM compiled the same
# statement on every booking. tests/front/booking/test_book_sql.py holds the two to the same answers.
_TAKE_ONLINE_SQL = (
    f'UPDATE {Slot._meta.db_table} SET "booked" = "booked" + 1 '  # noqa: S608 (table name from the model)
    'WHERE "id" = %s AND "date" > %s AND NOT "closed" AND "release_at" <= STATEMENT_TIMESTAMP() '
    'AND "capacity" > "booked" + "waitlist_held" '
    '+ CASE WHEN "resale_until" > STATEMENT_TIMESTAMP() THEN "resale_held" ELSE 0 END'
)
_TAKE_NOTICE_SQL = ' AND "start" >= STATEMENT_TIMESTAMP() + %s'

# model -> (INSERT … RETURNING id, its fields): written once per process from the model's fields.
_INSERTS: dict[type, tuple[str, list[Any]]] = {}


def _insert(obj: Any) -> None:
    """INSERT a new row of obj's model as Model.objects.create does (the same columns, the fields' own
    pre_save — auto_now_add — and database preparation), with the statement written once per process
    instead of compiled on every booking. No model signals: none is connected to these models (pghistory
    records by trigger)."""
    model = type(obj)
    cached = _INSERTS.get(model)
    if cached is None:
        quote = connection.ops.quote_name
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        columns = ", ".join(quote(field.column) for field in fields)
        values = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values}) RETURNING {quote(model._meta.pk.column)}"  # noqa: S608
        cached = _INSERTS[model] = (sql, fields)
    sql, fields = cached
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias


@transaction.atomic
def _book(
    *,
    citizen: User,
    slot_id: int,
    matter_code: str,
    idempotency_key: str,
    rescheduled_from: Appointment | None,
    green_category: str,
    waitlist_entry: WaitlistEntry | None,
) -> Appointment:
    """The booking transaction. Statements: the citizen lock; one read of the facts (taking the citizen's
    booking lock); the insert; the event row; the conditional UPDATE, last before the commit (it holds the
    slot row until then). Refusals are decided in the order of the rules from that read; "full", "not yet
    released" and "too soon" are the conditional UPDATE."""
    # Serialise one citizen's bookings first: a concurrent retry with the same Idempotency-Key then
    # waits here and finds the first result, and the per-person total holds under concurrency.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {User._meta.db_table} WHERE id = %s FOR NO KEY UPDATE", [citizen.pk])  # noqa: S608
    # A new statement after the lock: it sees what the citizen's previous transaction committed.
    facts, _ = _booking_facts(
        citizen=citizen, slot_id=slot_id, matter_code=matter_code, idempotency_key=idempotency_key, early=False
    )
    if facts.previous_id is not None:
        return Appointment.objects.select_related("matter", "hall", "slot").get(id=facts.previous_id)
    refusal = _refusal(facts, green_category=green_category, slot_state=False)
    if refusal is not None:
        raise refusal
    if green_category == GreenCategory.ELDERLY:
        _check_elderly(citizen)
    matter, slot, notice = facts.matter, facts.slot, facts.notice
    assert matter is not None and slot is not None
    matter.code = matter_code

    try:
        # No savepoint: on a unique violation the whole transaction is rolled back (nothing else is kept).
        appointment = Appointment(
            code=human_code(8),
            citizen=citizen,
            matter=matter,
            matter_code=matter_code,
            slot=slot,
            hall=slot.hall,
            idempotency_key=idempotency_key,
            rescheduled_from=rescheduled_from,
            green_category=green_category,
        )
        _insert(appointment)
    except IntegrityError:
        # The partial unique index (one active per matter) caught a concurrent twin.
        raise Conflict("您已有该事项的有效预约，不能重复预约。 You already have an appointment for this matter.", code="duplicate") from None
    # The event row before the conditional UPDATE: the UPDATE locks the (hot) slot row until commit, so it
    # comes last; a refusal rolls the event back with the rest.
    _insert(AppointmentEvent(appointment=appointment, actor=citizen, from_status="", to_status=appointment.status))

    if waitlist_entry is None and not green_category:
        # The plain online booking (a flash crowd's thousand successes): the conditional UPDATE of the else
        # branch below, as one statement written once (see _TAKE_ONLINE_SQL).
        params: list[Any] = [slot.id, timezone.localdate()]
        if notice:
            params.append(dt.timedelta(hours=notice))
        with connection.cursor() as cursor:
            cursor.execute(_TAKE_ONLINE_SQL + _TAKE_NOTICE_SQL if notice else _TAKE_ONLINE_SQL, params)
            taken = cursor.rowcount
    else:
        base = Slot.objects.filter(id=slot.id, date__gt=timezone.localdate())
        if notice:
            base = base.filter(start__gte=ExpressionWrapper(Now() + Value(dt.timedelta(hours=notice)), output_field=Slot._meta.get_field("start")))
        if waitlist_entry is not None:
            # Accepting a waitlist offer: the place held for it becomes the booking.
            taken = base.filter(closed=False, waitlist_held__gt=0).update(
                booked=F("booked") + 1, waitlist_held=F("waitlist_held") - 1
            )
        else:
            taken = base.filter(online_free_q()).update(booked=F("booked") + 1)
            if not taken and green_category in booking_conf.BOOKING_GREEN_CATEGORIES:
                # The green channel may also take the share reserved for phone and on-site booking.
                taken = base.filter(closed=False, release_at__lte=Now(), reserved__gt=F("reserved_booked")).update(
                    reserved_booked=F("reserved_booked") + 1
                )
                if taken:
                    Appointment.objects.filter(id=appointment.id).update(quota=Quota.RESERVED)
                    appointment.quota = Quota.RESERVED
    if taken == 0:
        refusal = slot_refusal(slot, notice=notice)  # may read the slot again: before marking the rollback
        transaction.set_rollback(True)
        raise refusal
    return appointment


@transaction.atomic
def appointment_book_by_staff(*, staff: User, citizen: User, slot_id: int, matter_code: str, idempotency_key: str = "") -> Appointment:
    """Phone or on-site booking by hall staff (DOMAIN.md §3 quotas): a place of the slot's reserved share,
    at the staff member's own hall. The per-person limits hold as online; the online block does not (it
    stops online booking only, like walk-in). Lock order as everywhere: the citizen, then the slot."""
    from ..models import StaffPost

    hall_id = StaffPost.objects.filter(user=staff).values_list("hall_id", flat=True).first()
    if hall_id is None:
        raise DomainError("您尚未分配到大厅。 You have no hall.", code="no_hall", status_code=403)
    _lock_citizen(citizen)
    if idempotency_key:
        previous = Appointment.objects.filter(citizen=citizen, idempotency_key=idempotency_key).first()
        if previous is not None:
            return previous
    matter = Matter.objects.filter(code=matter_code, is_current=True).only("id", "code", "bookable").first()
    if matter is None:
        raise DomainError("事项不存在。 No such matter.", code="not_found", status_code=404)
    links = GroupMatter.objects.filter(group_id=OuterRef("group_id"), matter_code=matter.code)
    slot = Slot.objects.annotate(handles=Exists(links), db_now=Now()).filter(id=slot_id, hall_id=hall_id).first()
    if slot is None:
        raise DomainError("本大厅没有该时段。 No such slot at your hall.", code="not_found", status_code=404)
    if not slot.handles:
        raise DomainError("该时段所在窗口不办理此事项。 This window group does not handle the matter.", code="wrong_group")
    counts = Appointment.objects.filter(citizen=citizen, status__in=ACTIVE_APPOINTMENT_STATUSES).aggregate(
        total=Count("id"), same=Count("id", filter=Q(matter_code=matter.code))
    )
    if counts["same"]:
        raise Conflict("该市民已有此事项的有效预约。 The citizen already has an appointment for this matter.", code="duplicate")
    if counts["total"] >= booking_conf.BOOKING_MAX_ACTIVE_PER_CITIZEN:
        raise Conflict(
            f"该市民已持有{booking_conf.BOOKING_MAX_ACTIVE_PER_CITIZEN}个有效预约。 The citizen's limit is reached.",
            code="limit_reached",
        )
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                code=human_code(8),
                citizen=citizen,
                matter=matter,
                matter_code=matter.code,
                slot=slot,
                hall_id=slot.hall_id,
                idempotency_key=idempotency_key,
                quota=Quota.RESERVED,
            )
    except IntegrityError:
        raise Conflict("该市民已有此事项的有效预约。 The citizen already has an appointment for this matter.", code="duplicate") from None
    taken = Slot.objects.filter(id=slot.id, closed=False, start__gt=Now(), reserved__gt=F("reserved_booked")).update(
        reserved_booked=F("reserved_booked") + 1
    )
    if not taken:
        if slot.closed:
            refusal: DomainError = Conflict("该时段大厅暂停服务。 The hall is closed at this time.", code="closed")
        elif slot.start <= slot.db_now:
            refusal = DomainError("该时段已开始。 The slot has started.", code="too_late")
        else:
            refusal = Conflict("该时段的电话/现场预留名额已满。 The reserved places of this slot are taken.", code="slot_full")
        transaction.set_rollback(True)
        raise refusal
    _record(appointment, actor=staff, from_status="", note="电话/现场预约")
    return appointment


def _check_elderly(citizen: User) -> None:
    today = timezone.localdate()
    try:
        birth = idcard.parse(citizen.id_number or "", today=today).birth_date
    except idcard.InvalidIdNumber:
        birth = None
    age = booking_conf.HALL_GREEN_CHANNEL_AGE
    if birth is None or today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day)) < age:
        raise DomainError(
            f"老年人绿色通道适用于年满{age}周岁的市民（按账户身份证号码核验）。 Not old enough for the green channel.",
            code="not_elderly",
        )


def slot_refusal(slot: Slot, *, notice: int = 0, reread: bool = True) -> DomainError:
    """Why the conditional UPDATE took nothing, in Chinese first, with a stable code. Decided from the
    slot as read before the UPDATE and database time (read with it), the clock the UPDATE used. When that
    read shows no reason (the slot changed in between: the last place went, or the hall closed it), the
    slot is read once more; a crowd on a full slot costs no extra query."""
    now = getattr(slot, "db_now", None) or timezone.now()
    resale = slot.resale_held if slot.resale_until is not None and slot.resale_until > now else 0
    explained = (
        slot.date <= timezone.localdate()
        or slot.closed
        or (notice and slot.start < now + dt.timedelta(hours=notice))
        or slot.release_at > now
        or slot.booked + slot.waitlist_held + resale >= slot.capacity
    )
    if not explained and reread:
        fresh = Slot.objects.annotate(db_now=Now()).filter(id=slot.id).first()
        if fresh is not None:
            return slot_refusal(fresh, notice=notice, reread=False)
    if slot.date <= timezone.localdate():
        return DomainError("不能预约当天或已过去的时段，当天请到大厅现场取号。 Same-day slots cannot be booked.", code="too_late")
    if slot.closed:
        return Conflict("该时段大厅暂停服务，请选择其他时段。 The hall is closed at this time.", code="closed")
    if notice and slot.start < now + dt.timedelta(hours=notice):
        return DomainError(
            f"该事项需至少提前{notice}小时预约，请选择更晚的时段。 Book at least {notice} hours ahead.", code="too_soon"
        )
    if slot.release_at > now:
        return DomainError(
            f"该时段尚未放号，将于{when_text(slot.release_at)}开放预约。 Not yet released; opens {timezone.localtime(slot.release_at):%Y-%m-%d %H:%M}.",
            code="not_released",
        )
    return Conflict(
        "该时段已约满，请选择其他时段；当天全部约满时可登记候补。 This slot is full; you may join the waitlist.",
        code="slot_full",
    )


@transaction.atomic
def appointment_cancel(*, citizen: User, appointment_id: int, note: str = "") -> Appointment:
    """Flip the status with a conditional update first, then give the place back, in one transaction.
    The citizen row is locked first, as in booking: one citizen's writes never cross each other.
    Cancelling later than BOOKING_FREE_CANCEL_HOURS before the start counts as a late cancellation."""
    _lock_citizen(citizen)
    appointment = _cancel(citizen=citizen, appointment_id=appointment_id, note=note)
    waitlist_kick(appointment)
    notify(
        recipient=citizen,
        event="booking.cancelled",
        context=message_context(appointment) | {"late": _late_text(appointment)},
    )
    return appointment


def _late_text(appointment: Appointment) -> str:
    if appointment.strike != Strike.LATE_CANCEL:
        return ""
    return f"本次取消距开始不足{booking_conf.BOOKING_FREE_CANCEL_HOURS}小时，计为一次临近取消。"


@transaction.atomic
def appointment_reschedule(*, citizen: User, appointment_id: int, slot_id: int, idempotency_key: str = "") -> Appointment:
    """One atomic cancel + book: either the citizen holds the new place and the old one is released, or
    nothing changed. The new appointment points back at the old one."""
    _lock_citizen(citizen)
    if idempotency_key:
        previous = Appointment.objects.filter(citizen=citizen, idempotency_key=idempotency_key).first()
        if previous is not None:
            return previous
    # Lock both slots in id order before touching either: two citizens swapping slots would otherwise
    # each hold one and wait for the other (a deadlock PostgreSQL breaks only after a second).
    old_slot_id = Appointment.objects.filter(id=appointment_id, citizen=citizen).values_list("slot_id", flat=True).first()
    list(Slot.objects.select_for_update().filter(id__in=[old_slot_id, slot_id]).order_by("id").values_list("id", flat=True))
    old = _cancel(citizen=citizen, appointment_id=appointment_id, note="改约")
    new = appointment_book(
        citizen=citizen,
        slot_id=slot_id,
        matter_code=old.matter_code,
        idempotency_key=idempotency_key,
        rescheduled_from=old,
        green_category=old.green_category,
    )
    waitlist_kick(old)
    return new


def waitlist_kick(appointment: Appointment) -> None:
    """After commit, offer a freed place to the waitlist at once (the periodic sweep is the safety net)."""
    waiting = WaitlistEntry.objects.filter(
        hall_id=appointment.hall_id, date=appointment.slot.date, status=WaitlistStatus.WAITING
    ).exists()
    if waiting:
        from ..tasks import waitlist_sweep  # tasks import services

        enqueue_on_commit(waitlist_sweep)  # broker down: the periodic sweep offers the place


def _cancel(*, citizen: User, appointment_id: int, note: str) -> Appointment:
    try:
        appointment = lifecycle.move_pk(
            Appointment, appointment_id, AppointmentStatus.CANCELLED_BY_CITIZEN,
            sources={AppointmentStatus.BOOKED}, where={"citizen": citizen}, event={"actor": citizen, "note": note},
            refused="该预约当前状态不能取消。 This appointment can no longer be cancelled.",
            select_related=("slot", "matter", "hall"),
        )
    except lifecycle.TransitionRefused:
        if not Appointment.objects.filter(id=appointment_id, citizen=citizen).exists():
            raise DomainError("未找到该预约。 No such appointment.", code="not_found", status_code=404) from None
        raise
    now = timezone.now()
    if appointment.slot.start <= now:
        raise Conflict(
            "预约时段已开始，不能再取消；未到场将按爽约处理。 The appointment has started and can no longer be cancelled.",
            code="started",
        )
    _give_back(appointment, resale=True)
    if appointment.slot.start - now < dt.timedelta(hours=booking_conf.BOOKING_FREE_CANCEL_HOURS):
        strike_record(appointment=appointment, kind=Strike.LATE_CANCEL, now=now)
    return appointment


def _give_back(appointment: Appointment, *, resale: bool) -> None:
    """Return the appointment's place to its slot. A citizen's cancellation holds an online place back from
    sale for BOOKING_RESALE_MINUTES (anti-resale; a waitlist offer may still take it)."""
    if appointment.quota == Quota.RESERVED:
        Slot.objects.filter(id=appointment.slot_id).update(reserved_booked=F("reserved_booked") - 1)
        return
    minutes = booking_conf.BOOKING_RESALE_MINUTES
    if not resale or minutes <= 0:
        Slot.objects.filter(id=appointment.slot_id).update(booked=F("booked") - 1)
        return
    Slot.objects.filter(id=appointment.slot_id).update(
        booked=F("booked") - 1,
        resale_held=Case(When(resale_until__gt=Now(), then=F("resale_held") + 1), default=Value(1)),
        resale_until=ExpressionWrapper(Now() + Value(dt.timedelta(minutes=minutes)), output_field=Slot._meta.get_field("resale_until")),
    )


def _cancel_booked_by_hall(appointment_id: int, *, actor: User | None, reason: str, note: str) -> Appointment | None:
    """Inside the caller's transaction, the citizen locked: a booked appointment becomes cancelled by the
    hall, its place goes back with no resale hold, the event is recorded. None when it was no longer booked."""
    try:
        appointment = lifecycle.move_pk(
            Appointment, appointment_id, AppointmentStatus.CANCELLED_BY_HALL,
            sources={AppointmentStatus.BOOKED}, fields={"cancel_reason": reason[:200]},
            event={"actor": actor, "note": note[:200]}, select_related=("slot", "matter", "hall", "citizen"),
        )
    except lifecycle.TransitionRefused:
        return None
    _give_back(appointment, resale=False)
    return appointment


def appointment_cancel_by_hall(*, appointment_id: int, actor: User | None, reason: str) -> Appointment | None:
    """The hall cancels a booked appointment (closure, outage): never penalised, no resale hold. Locks the
    citizen first like every booking write; returns None when the appointment was no longer booked."""
    with transaction.atomic():
        citizen_id = Appointment.objects.filter(id=appointment_id).values_list("citizen_id", flat=True).first()
        if citizen_id is None:
            return None
        User.objects.select_for_update(no_key=True).filter(pk=citizen_id).first()
        return _cancel_booked_by_hall(appointment_id, actor=actor, reason=reason, note=reason)


def appointment_move_by_hall(*, appointment_id: int, slot_id: int, actor: User | None, reason: str) -> Appointment | None:
    """The hall moves a booked appointment to another slot of the same hall (closure, outage): one atomic
    cancel-by-hall + book, never penalised; the new appointment points back at the old one. Limits and the
    citizen's block do not apply (one place out, one in; the hall decided). Returns None when the
    appointment was no longer booked; raises Conflict ("slot_full") when the new slot has no place, and
    then nothing changed."""
    with transaction.atomic():
        row = Appointment.objects.filter(id=appointment_id).values_list("citizen_id", "slot_id").first()
        if row is None:
            return None
        citizen_id, old_slot_id = row
        User.objects.select_for_update(no_key=True).filter(pk=citizen_id).first()
        list(Slot.objects.select_for_update().filter(id__in=[old_slot_id, slot_id]).order_by("id").values_list("id", flat=True))
        old = _cancel_booked_by_hall(appointment_id, actor=actor, reason=reason, note=f"大厅调整：{reason}")
        if old is None:
            return None
        slot = Slot.objects.filter(id=slot_id, hall_id=old.hall_id).first()
        if slot is None:
            raise DomainError("该时段不属于本大厅。 Not a slot of this hall.", code="not_found", status_code=404)
        taken = Slot.objects.filter(id=slot.id, start__gt=Now()).filter(
            closed=False, capacity__gt=F("booked") + F("waitlist_held") + resale_held_now()
        ).update(booked=F("booked") + 1)
        if not taken:
            raise Conflict("该时段已约满，请选择其他时段。 This slot is full.", code="slot_full")
        new = Appointment.objects.create(
            code=human_code(8),
            citizen_id=citizen_id,
            matter=old.matter,
            matter_code=old.matter_code,
            slot=slot,
            hall_id=old.hall_id,
            rescheduled_from=old,
            green_category=old.green_category,
        )
        _record(new, actor=actor, from_status="", note=f"大厅调整：{reason}"[:200])
        notify(
            recipient=old.citizen,
            event="booking.moved_by_hall",
            context=message_context(new) | {"old_time": when_text(old.slot.start), "reason": reason},
        )
    return new


def appointment_transition(*, appointment: Appointment, to_status: str, actor: User | None, note: str = "") -> None:
    """Move an appointment the hall is handling (check-in, call, service); the caller holds the transaction."""
    lifecycle.move(
        appointment, to_status, event={"actor": actor, "note": note},
        refused=f"预约状态不能从“{appointment.get_status_display()}”变更。 Invalid transition.",
        stale="预约状态已被他人更改，请刷新。 Changed by someone else.",
    )


def appointment_mark_no_show(
    *, appointment: Appointment, actor: User | None, note: str = "", now: dt.datetime | None = None
) -> str:
    """爽约: the citizen did not come (not checked in by start + grace, or called and never at the window).
    The place stays used (the slot has begun); the no-show counts toward the penalty. The caller holds the
    transaction. Returns what the penalty rule did ("blocked", "warned" or "")."""
    appointment_transition(appointment=appointment, to_status=AppointmentStatus.NO_SHOW, actor=actor, note=note)
    return strike_record(appointment=appointment, kind=Strike.NO_SHOW, now=now)


def no_shows_mark(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The periodic no-show detection: every appointment still BOOKED at start + grace becomes NO_SHOW.
    Each in its own short transaction; rows another transaction holds are skipped and picked up next run."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=booking_conf.BOOKING_NO_SHOW_GRACE_MINUTES)
    ids = list(
        Appointment.objects.filter(status=AppointmentStatus.BOOKED, slot__start__lte=cutoff)
        .order_by("slot__start")
        .values_list("id", flat=True)[:limit]
    )
    marked = 0
    for appointment_id in ids:
        with transaction.atomic():
            appointment = (
                Appointment.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(id=appointment_id, status=AppointmentStatus.BOOKED)
                .first()
            )
            if appointment is None:
                continue
            appointment_mark_no_show(appointment=appointment, actor=None, note="超过签到时间未签到", now=now)
            marked += 1
    return marked


def message_context(appointment: Appointment) -> dict[str, str]:
    """Template fields of an appointment's messages: never an ID number or a phone."""
    return {
        "code": appointment.code,
        "matter": appointment.matter.name,
        "hall": appointment.hall.name,
        "address": appointment.hall.address,
        "time": when_text(appointment.slot.start),
    }
