"""Call-next's fast path: one statement finds the clerk's window, claims the next ticket, writes its CALL event
and reads what the answer shows. Everything in call-next that is not the ORM lives here.

Why it exists: ``make bench-call-next`` (``bench/call_next.py``, README "Benchmarks"), eight windows
calling at the same instant, p95 well under DESIGN.md §8's 50 ms; the ORM took five round trips for it.

Invariants (DESIGN.md §6): the next ticket is taken in CALLING_ORDER among the waiting tickets of the
window's group for the day, ``FOR UPDATE SKIP LOCKED`` (eight windows never wait on each other, two never
get the same ticket); the status moves WAITING → CALLED only by an UPDATE conditional on WAITING; the CALL
event row is written in the same statement, with the columns ``TicketEvent.objects.create`` writes (the
column list is checked against the model when this module loads).

The ORM path is the reference: ``claim_next_reference`` does the same with the ORM and
``ticket_event_record``; ``tests/front/floor/test_fastpath.py`` holds the two to the same rows.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from apps.front.booking.models import StaffPost, Window, WindowGroup
from apps.shared.accounts.models import User
from apps.shared.catalog.models import Matter

from .models import Ticket, TicketAction, TicketEvent, TicketStatus
from .selectors import CALLING_ORDER, no_window, window_post_for
from .services.events import ticket_event_record

_TICKET_COLUMNS = [str(field.column) for field in Ticket._meta.concrete_fields]
_TICKET_ATTNAMES = [field.attname for field in Ticket._meta.concrete_fields]

# The CALL event's columns and their values from the claimed row: what ticket_event_record gives
# TicketEvent.objects.create for a call (the claimed ticket, its hall and new window, the clerk, the note
# empty, at = called_at).
_EVENT_VALUES = {
    "ticket_id": "id",
    "hall_id": "hall_id",
    "action": "%(action)s",
    "actor_id": "%(clerk)s",
    "window_id": "window_id",
    "from_status": "%(waiting)s",
    "to_status": "%(called)s",
    "note": "''",
    "at": "%(now)s",
}
_EVENT_FIELDS = {
    field.attname: str(field.column) for field in TicketEvent._meta.concrete_fields if not field.primary_key
}
# A field added to TicketEvent must be given its value here too: fail at start-up, not write it empty.
assert set(_EVENT_VALUES) == set(_EVENT_FIELDS), sorted(set(_EVENT_VALUES) ^ set(_EVENT_FIELDS))

# One round trip, no read-then-write: the subquery takes the first waiting ticket in calling order that no
# other window holds (SKIP LOCKED) and locks it; the outer UPDATE moves it to CALLED only while it is still
# waiting. The partial index ticket_waiting_idx serves the ORDER BY. A clerk without a window gets no row;
# a row with no ticket means the queue is empty.
_TICKET = Ticket._meta.db_table
_CLAIM_SQL = f"""
    WITH w AS (
        SELECT bw.id, bw.hall_id, bw.group_id, bw.number
        FROM {Window._meta.db_table} bw JOIN {StaffPost._meta.db_table} sp ON sp.window_id = bw.id
        WHERE sp.user_id = %(clerk)s
        LIMIT 1
    ), claimed AS (
        UPDATE {_TICKET} SET status = %(called)s, called_at = %(now)s, window_id = (SELECT id FROM w),
                               served_by_id = %(clerk)s, recalls = 0
        WHERE status = %(waiting)s AND id = (
            SELECT id FROM {_TICKET}
            WHERE group_id = (SELECT group_id FROM w) AND service_date = %(day)s AND status = %(waiting)s
            ORDER BY {", ".join(CALLING_ORDER)}
            LIMIT 1
            FOR UPDATE SKIP LOCKED
        )
        RETURNING {", ".join(_TICKET_COLUMNS)}
    ), called_event AS (
        INSERT INTO {TicketEvent._meta.db_table} ({", ".join(_EVENT_FIELDS[name] for name in _EVENT_VALUES)})
        SELECT {", ".join(_EVENT_VALUES.values())} FROM claimed
    )
    SELECT w.id, w.hall_id, w.group_id, w.number, m.name, g.name, g.letter,
           {", ".join(f"c.{column}" for column in _TICKET_COLUMNS)}
    FROM w
    LEFT JOIN claimed c ON true
    LEFT JOIN {Matter._meta.db_table} m ON m.id = c.matter_id
    LEFT JOIN {WindowGroup._meta.db_table} g ON g.id = c.group_id
"""  # noqa: S608 (table and column names from the models, values as parameters)


def claim_next(*, clerk: User, now: dt.datetime, day: dt.date) -> Ticket | None:
    """In the caller's transaction: the claimed ticket with its matter (name), group and window, or None
    when the queue is empty; 403 ``no_window`` for a clerk who sits at no window."""
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM_SQL,
            {
                "called": TicketStatus.CALLED.value,
                "waiting": TicketStatus.WAITING.value,
                "action": TicketAction.CALL.value,
                "now": now,
                "clerk": clerk.id,
                "day": day,
            },
        )
        row = cursor.fetchone()
    if row is None:
        raise no_window()
    window_id, hall_id, group_id, number, matter_name, group_name, group_letter, *ticket_values = row
    if ticket_values[0] is None:
        return None
    ticket = Ticket.from_db(connection.alias, _TICKET_ATTNAMES, ticket_values)
    ticket.matter = Matter(id=ticket.matter_id, name=matter_name)
    ticket.group = WindowGroup(id=group_id, hall_id=hall_id, name=group_name, letter=group_letter)
    ticket.window = Window(id=window_id, hall_id=hall_id, group_id=group_id, number=number)
    return ticket


def claim_next_reference(*, clerk: User, now: dt.datetime, day: dt.date) -> Ticket | None:
    """The same claim through the ORM (the reference for tests): lock the first waiting ticket SKIP LOCKED,
    move it by a conditional UPDATE, record the CALL event with ticket_event_record."""
    post = window_post_for(clerk=clerk)
    window = post.window
    assert window is not None  # window_post_for refuses a clerk without one
    ticket = (
        Ticket.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("matter", "group")
        .filter(group_id=window.group_id, service_date=day, status=TicketStatus.WAITING)
        .order_by(*CALLING_ORDER)
        .first()
    )
    if ticket is None:
        return None
    fields = {"called_at": now, "window": window, "served_by": clerk, "recalls": 0}
    Ticket.objects.filter(id=ticket.id, status=TicketStatus.WAITING).update(status=TicketStatus.CALLED, **fields)
    ticket.status = TicketStatus.CALLED
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket_event_record(
        ticket=ticket, action=TicketAction.CALL, actor=clerk, from_status=TicketStatus.WAITING, window=window
    )
    return ticket
