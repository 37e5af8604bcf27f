"""The booking fast path: the statements a flash crowd's bookings run, written once instead of compiled by the
ORM on every request. Everything here that is not the ORM lives in this module and nowhere else.

Why it exists. Measured, not assumed (README "Benchmarks", ``make bench-booking``, ``bench/booking.py``):
one read of all the facts refuses a visibly full slot in one statement without a transaction (a 409 was 14
statements, now 1); that read is PREPAREd once per connection (planning took 0.26 ms of its 0.31); the
insert, the event row and the conditional UPDATE of a plain online booking skip the ORM's compilation.
Together they took the booking endpoint from 23 to over 300 requests/s on this two-core machine (ratio to
the bare-UPDATE ceiling about 0.8).

The ORM path is the reference. ``services/reference.py`` books through the ORM alone, in the same order of
rules; ``tests/front/booking/test_fastpath.py`` runs the same scenarios through both and asserts the same
rows and the same refusal codes, ``test_book_sql.py`` holds the UPDATE to the ORM condition in every state a
slot can be in. Change the rules in the ORM (``services/rules.py``, ``selectors.online_free_q``) and here
only what must follow. Invariants every statement here keeps (DESIGN.md §6):

- A slot counter moves only by the conditional UPDATE: ``booked = booked + 1 WHERE id = … AND`` bookable
  (from tomorrow, the minimum notice) ``AND`` online_free_q (open, released by database time, ``capacity >
  booked + waitlist_held + the anti-resale hold``). It is generated once from that ORM expression, so there
  is no second copy of it; ``CHECK (booked <= capacity)`` is the backstop. Never read-then-write.
- Per-quota share: the plain path takes only the online share; the reserved share (phone, on-site, green
  channel) and waitlist offers go through the ORM in ``services/booking.py``.
- One active appointment per citizen per matter (the partial unique index catches a concurrent twin: the
  insert fails and the request answers ``duplicate``) and the per-person limits, from the one read taken
  while the citizen row (FOR NO KEY UPDATE) and the citizen's booking lock are held.
- The Idempotency-Key: the read finds an earlier appointment with the key; the early refusal then stands
  aside and the transaction returns the first result (a retry in flight waits on the citizen lock).
- The ``lock_timeout`` of the connection (settings) still bounds every statement: a pile-up answers
  "busy, try again" (``govservice.api``), never a hung request.

PgBouncer in transaction pooling breaks session-level prepared statements: ``BOOKING_PREPARED_STATEMENTS``
(default on) switches the PREPARE off, and the read is then sent as a plain parameterised statement.
"""

from __future__ import annotations

import datetime as dt
import re
import weakref
from typing import Any, TypeVar, cast

from django.db import connection
from django.db.models import F, Model
from django.db.models.sql import UpdateQuery

from apps.front.booking.conf import booking_conf
from apps.shared.accounts.models import User
from apps.shared.catalog.models import Matter

from .models import ACTIVE_APPOINTMENT_STATUSES, Appointment, BookingStanding, GroupMatter, Hall, Slot, WindowGroup
from .selectors import online_free_q
from .services.rules import BookingFacts, account_inactive, slot_bookable

M = TypeVar("M", bound=Model)

# The advisory lock (class, citizen id) a booking transaction holds from its first read to its end, taken
# after the citizen row lock. The early refusal looks whether it is free (tried shared, released at once):
# while a booking of the same citizen is in flight, the request does not refuse early but waits its turn on
# the citizen lock.
BOOKING_LOCK_CLASS = 6002


def _facts_sql(*, early: bool) -> str:
    """One read of everything a booking is decided by: the matter (with whom it serves), the slot with its group's rule for the
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
        SELECT m.id, m.name, m.bookable, m.target,
               s.id, s.hall_id, s.group_id, s.date, s.start, s."end", s.capacity, s.booked, s.release_at, s.closed,
               s.resale_held, s.resale_until, s.waitlist_held,
               h.name, h.address, gm.found IS NOT NULL, gm.min_notice_hours, g.min_notice_hours, now(),
               a.total, a.same, a.previous,
               (SELECT b.blocked_until FROM {BookingStanding._meta.db_table} b WHERE b.citizen_id = $1),
               {lock}
        FROM (SELECT 1) one
        LEFT JOIN LATERAL (
            SELECT id, name, bookable, target FROM {Matter._meta.db_table} WHERE code = $3 AND is_current LIMIT 1
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


# The parameters of _facts_sql, in the order of $1..$6, with their types.
_FACTS_PARAMETERS = "bigint, bigint, text, text, text[], int"
_ACTIVE = [str(status) for status in ACTIVE_APPOINTMENT_STATUSES]
# Without PREPARE: the same statement with named parameters ($n used several times). No ``%`` in it but
# these: pghistory may add parameters of its own to any statement (it keeps a dict a dict).
_UNPREPARED: dict[bool, str] = {}


class _Prepared:
    """What one database session holds: the names it has PREPAREd, and whether a first use failed (then it
    is unknown whether the PREPARE stayed)."""

    __slots__ = ("names", "unsure")

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.unsure = False


# Per DB-API connection (a session): a new connection (CONN_MAX_AGE, a broken one replaced) prepares again,
# and a closed one's entry goes with it.
_SESSIONS: weakref.WeakKeyDictionary[Any, _Prepared] = weakref.WeakKeyDictionary()


def prepared_in_session() -> _Prepared:
    """The PREPARE bookkeeping of the current connection's session (for tests: what it holds)."""
    connection.ensure_connection()
    raw = connection.connection
    state = _SESSIONS.get(raw)
    if state is None:
        state = _SESSIONS[raw] = _Prepared()
    return state


def _execute_facts(cursor: Any, *, early: bool, params: list[Any]) -> None:
    """EXECUTE the facts' read, PREPAREd once per database session; the first use sends PREPARE and
    EXECUTE as one call (still one statement to the caller). After a failed first use the next first use
    starts with DEALLOCATE ALL (this module's statements are the only ones prepared)."""
    if not booking_conf.BOOKING_PREPARED_STATEMENTS:
        sql = _UNPREPARED.get(early)
        if sql is None:
            sql = _UNPREPARED[early] = re.sub(r"\$(\d)", r"%(p\1)s", _facts_sql(early=early))
        cursor.execute(sql, {f"p{n}": value for n, value in enumerate(params, start=1)})
        return
    name = "booking_facts_early" if early else "booking_facts_locked"
    state = prepared_in_session()
    execute = f"EXECUTE {name} ({', '.join(['%s'] * len(params))})"
    if name in state.names:
        cursor.execute(execute, params)
        return
    prepare = f"PREPARE {name} ({_FACTS_PARAMETERS}) AS {_facts_sql(early=early)}; "
    if state.unsure:
        prepare = "DEALLOCATE ALL; " + prepare
        state.names.clear()
    try:
        cursor.execute(prepare + execute, params)
    except Exception:
        state.unsure = True
        raise
    state.unsure = False
    state.names.add(name)


_FIELD_ORDER: dict[type, dict[str, int]] = {}


def _from_row(model: type[M], **values: Any) -> M:
    """An instance as the ORM makes one from a row of these fields (``from_db``: values by position, the other
    fields deferred, so a rule that reads one fetches it rather than seeing a default). Building them by keyword
    was the largest cost of a refused booking after the read itself (bench/stack_cost.py)."""
    order = _FIELD_ORDER.get(model)
    if order is None:
        order = _FIELD_ORDER[model] = {f.attname: i for i, f in enumerate(model._meta.concrete_fields)}
    names = sorted(values, key=order.__getitem__)
    return model.from_db(connection.alias, names, [values[name] for name in names])


def booking_facts(
    *, citizen: User, slot_id: int, matter_code: str, idempotency_key: str, early: bool
) -> tuple[BookingFacts, bool]:
    """The facts, and (early) whether no booking of this citizen was in flight (the try-lock succeeded)."""
    params = [citizen.pk, slot_id, matter_code, idempotency_key, _ACTIVE, BOOKING_LOCK_CLASS]
    with connection.cursor() as cursor:
        _execute_facts(cursor, early=early, params=params)
        row = cursor.fetchone()
    (matter_id, matter_name, bookable, target, slot_id, hall_id, group_id, date, start, end, capacity, booked, release_at,
     closed, resale_held, resale_until, waitlist_held, hall_name, hall_address, handles, link_notice, group_notice,
     db_now, total, same, previous, blocked_until, lock) = row  # fmt: skip
    # Instances as the ORM makes them from a row (from_db: the values by position, the fields not read deferred,
    # so a rule that reads one fetches it rather than seeing a default): building them by keyword was the
    # largest cost of a refused booking after the read itself (bench/stack_cost.py).
    matter = None
    if matter_id is not None:
        matter = _from_row(Matter, id=matter_id, name=matter_name, bookable=bookable, target=target)
    slot = None
    if slot_id is not None:
        slot = _from_row(
            Slot, id=slot_id, hall_id=hall_id, group_id=group_id, date=date, start=start, end=end, capacity=capacity,
            booked=booked, release_at=release_at, closed=closed, resale_held=resale_held, resale_until=resale_until,
            waitlist_held=waitlist_held,
        )  # fmt: skip
        slot.hall = _from_row(Hall, id=hall_id, name=hall_name, address=hall_address)
        slot.db_now = db_now  # type: ignore[attr-defined]
    # The matter's own minimum notice at this group, else the group's, else the site's default.
    notice = link_notice if link_notice is not None else group_notice
    facts = BookingFacts(
        matter=matter,
        slot=slot,
        handles=handles,
        notice=booking_conf.BOOKING_MIN_NOTICE_HOURS if notice is None else notice,
        total=total,
        same=same,
        previous_id=previous,
        blocked_until=blocked_until,
    )
    return facts, lock is not False


# The conditional UPDATE of a plain online booking, compiled once per process from the ORM's own expression
# (slot_bookable + online_free_q, booked + 1): the statement the ORM compiled on every booking, no copy of
# it. Compiled with stand-in values nothing real has, whose places among the parameters are then filled in.
_STAND_IN_SLOT = -7_230_001
_STAND_IN_DAY = dt.date(1, 1, 2)
_STAND_IN_AHEAD = dt.timedelta(microseconds=7_230_003)
_TAKES: dict[bool, tuple[str, list[Any], list[int]]] = {}


def _stand_in_places(params: tuple[Any, ...], stand_ins: list[Any]) -> list[int]:
    places = []
    for stand_in in stand_ins:
        found = [i for i, value in enumerate(params) if type(value) is type(stand_in) and value == stand_in]
        if len(found) != 1:  # the expression changed shape: refuse rather than fill in the wrong parameter
            raise RuntimeError(f"booking fast path: {stand_in!r} found {len(found)} times in the compiled UPDATE")
        places.append(found[0])
    return places


def take_online_statement(*, notice: bool) -> tuple[str, list[Any], list[int]]:
    """The UPDATE (with the minimum-notice condition or without), its parameters with stand-ins, and the
    places of the slot id, the local date and (with notice) the notice among them."""
    cached = _TAKES.get(notice)
    if cached is None:
        stand_ins: list[Any] = [_STAND_IN_SLOT, _STAND_IN_DAY] + ([_STAND_IN_AHEAD] if notice else [])
        slots = slot_bookable(_STAND_IN_SLOT, today=_STAND_IN_DAY, ahead=_STAND_IN_AHEAD if notice else None)
        query = cast(UpdateQuery, slots.filter(online_free_q()).query.chain(UpdateQuery))
        query.add_update_values({"booked": F("booked") + 1})
        query.clear_select_clause()
        sql, params = query.get_compiler(connection.alias).as_sql()
        cached = _TAKES[notice] = (sql, list(params), _stand_in_places(tuple(params), stand_ins))
    return cached


def take_online(*, slot_id: int, today: dt.date, notice: int) -> int:
    """Take one online place of the slot if one is free now; the number of rows updated (0 or 1)."""
    sql, template, places = take_online_statement(notice=bool(notice))
    params = list(template)
    values: list[Any] = [slot_id, today] + ([dt.timedelta(hours=notice)] if notice else [])
    for place, value in zip(places, values, strict=True):
        params[place] = value
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# model -> (INSERT … RETURNING id, its fields): written once per process from the model's fields.
_INSERTS: dict[type, tuple[str, list[Any]]] = {}


def insert(obj: Any) -> None:
    """INSERT a new row of obj's model as Model.objects.create does (the same columns, the fields' own
    pre_save — auto_now_add — and database preparation), with the statement written once per process
    instead of compiled on every booking. No model signals: none is connected to these models (pghistory
    records by trigger); test_fastpath.py compares the rows with create()'s."""
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


def citizen_row_lock(citizen: User) -> None:
    """The booking transaction's first statement: the citizen row, FOR NO KEY UPDATE (services/rules.py
    citizen_lock without the block, which the facts' read brings)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT is_active FROM {User._meta.db_table} WHERE id = %s FOR NO KEY UPDATE", [citizen.pk])  # noqa: S608
        row = cursor.fetchone()
    if row is None or not row[0]:
        raise account_inactive()
