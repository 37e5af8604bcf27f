"""Calling at the windows: call next, recall, missed, start, finish, transfer, park, resume (DESIGN.md §6).

Every change follows the same steps: lock the ticket (or claim it with SKIP LOCKED), check
TICKET_TRANSITIONS, a conditional UPDATE on the status it was read in, and one TicketEvent row, all in one
transaction. A linked appointment follows where its own lifecycle allows it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.models import APPOINTMENT_TRANSITIONS, AppointmentStatus, StaffPost, WindowGroup
from apps.front.booking.services import appointment_mark_no_show, appointment_transition
from apps.front.floor.conf import floor_conf
from apps.shared.accounts.models import User
from govservice.lib import lifecycle
from govservice.lib.errors import Conflict, DomainError

from ..fastpath import claim_next
from ..models import Ticket, TicketAction, TicketStatus
from ..selectors import window_post_for
from .events import ticket_event_record


def _post_for(clerk: User) -> StaffPost:
    return window_post_for(clerk=clerk)


def _ticket_at_hall(*, post: StaffPost, ticket_id: int, lock: bool) -> Ticket:
    qs = Ticket.objects.select_related("matter", "citizen", "appointment", "group", "hall", "window")
    if lock:
        qs = qs.select_for_update(of=("self",))
    ticket = qs.filter(id=ticket_id, hall_id=post.hall_id).first()
    if ticket is None:
        raise DomainError(_("未找到该号码，或不属于本大厅。"), code="not_found")
    return ticket


def ticket_get_for_clerk(*, clerk: User, ticket_id: int, lock: bool = False) -> Ticket:
    """A clerk sees only tickets of their own hall (404 otherwise)."""
    return _ticket_at_hall(post=_post_for(clerk), ticket_id=ticket_id, lock=lock)


def _at_my_window(*, clerk: User, ticket_id: int) -> tuple[StaffPost, Ticket]:
    """The locked ticket, if it is at the clerk's window: 404 for another hall's, 403 for another window's."""
    post = _post_for(clerk)
    ticket = _ticket_at_hall(post=post, ticket_id=ticket_id, lock=True)
    if ticket.window_id != post.window_id:
        raise DomainError(_("该号码不在您的窗口。"), code="not_your_window")
    return post, ticket


# The action an event records for a bare status change (intake moves tickets through ticket_transition).
_ACTION_FOR: dict[str, str] = {
    TicketStatus.CALLED: TicketAction.RESUME,
    TicketStatus.SERVING: TicketAction.START,
    TicketStatus.DONE: TicketAction.FINISH,
    TicketStatus.MISSED: TicketAction.MISS,
    TicketStatus.PARKED: TicketAction.PARK,
    TicketStatus.WAITING: TicketAction.TRANSFER,
}


def _move(ticket: Ticket, *, to_status: str, actor: User | None, action: str, note: str = "", **fields) -> None:
    """The lifecycle's guarded move (govservice.lib.lifecycle), with the event row (the window for calls)."""
    window = fields.get("window", ticket.window) if to_status == TicketStatus.CALLED else None
    lifecycle.move(
        ticket,
        to_status,
        fields=fields,
        event={"action": action, "actor": actor, "note": note, "window": window},
        refused=_("号码当前为“%(status)s”，不能执行此操作。") % {"status": ticket.get_status_display()},
        stale=_("号码状态已被他人更改，请刷新。"),
    )


def _timestamps(to_status: str) -> dict:
    # Service time is measured from the latest start: time spent parked is not window time.
    if to_status == TicketStatus.SERVING:
        return {"started_at": timezone.now()}
    if to_status == TicketStatus.DONE:
        return {"finished_at": timezone.now()}
    return {}


@transaction.atomic
def ticket_transition(*, ticket: Ticket, to_status: str, actor: User, note: str = "") -> None:
    """Move a ticket the caller has locked; one event row. Intake uses it to start and finish a service."""
    _move(ticket, to_status=to_status, actor=actor, action=_ACTION_FOR[to_status], note=note, **_timestamps(to_status))


def _appointment_follow(ticket: Ticket, to_status: str, actor: User) -> None:
    """Move the ticket's appointment along where its lifecycle allows (an appointment already in service
    stays so when its ticket is transferred; a missed call is a no-show, see ticket_mark_missed)."""
    appointment = ticket.appointment if ticket.appointment_id else None
    if appointment is not None and to_status in APPOINTMENT_TRANSITIONS[appointment.status]:
        appointment_transition(appointment=appointment, to_status=to_status, actor=actor)


@transaction.atomic
def ticket_call_next(*, clerk: User) -> Ticket | None:
    """Claim the first waiting ticket of the clerk's window group, once: two windows never get the same.
    One statement (floor/fastpath.py: the claim of DESIGN.md §6 with its CALL event)."""
    ticket = claim_next(clerk=clerk, now=timezone.now(), day=timezone.localdate())
    if ticket is None:
        return None
    _appointment_follow(ticket, AppointmentStatus.CALLED, clerk)
    return ticket


@transaction.atomic
def ticket_recall(*, clerk: User, ticket_id: int) -> Ticket:
    """Call the same number again (the board announces it again), at most HALL_MAX_RECALLS times; after
    that the window must mark it missed (过号)."""
    post, ticket = _at_my_window(clerk=clerk, ticket_id=ticket_id)
    if not ticket.can_recall:
        raise Conflict(_("只有已叫号的号码可以重呼。"), code="invalid_state")
    if ticket.recalls >= floor_conf.HALL_MAX_RECALLS:
        raise Conflict(_("已重呼%(count)s次，请标记过号。") % {"count": ticket.recalls}, code="recall_limit")
    now = timezone.now()
    changed = Ticket.objects.filter(id=ticket.id, status=TicketStatus.CALLED, recalls=ticket.recalls).update(
        recalls=F("recalls") + 1, called_at=now
    )
    if not changed:
        raise Conflict(_("号码状态已被他人更改，请刷新。"), code="stale")
    ticket.recalls += 1
    ticket.called_at = now
    ticket_event_record(
        ticket=ticket,
        action=TicketAction.RECALL,
        actor=clerk,
        from_status=TicketStatus.CALLED,
        note=f"第{ticket.recalls}次重呼",
        window=post.window,
    )
    return ticket


@transaction.atomic
def ticket_mark_missed(*, clerk: User, ticket_id: int) -> Ticket:
    """过号: the citizen did not come to the window. Final for the ticket; they take a new one."""
    _post, ticket = _at_my_window(clerk=clerk, ticket_id=ticket_id)
    _move(
        ticket,
        to_status=TicketStatus.MISSED,
        actor=clerk,
        action=TicketAction.MISS,
        note=f"重呼{ticket.recalls}次后过号",
    )
    # A booked citizen who never came to the window ends their appointment as a no-show (DOMAIN.md §3),
    # counted by the penalty rule like one who never checked in.
    appointment = ticket.appointment if ticket.appointment_id else None
    if appointment is not None and appointment.status == AppointmentStatus.CALLED:
        appointment_mark_no_show(appointment=appointment, actor=clerk, note="叫号未到，过号")
    return ticket


@transaction.atomic
def ticket_start(*, clerk: User, ticket_id: int) -> Ticket:
    """The citizen is at the window: service starts (its duration feeds the estimated waits)."""
    _post, ticket = _at_my_window(clerk=clerk, ticket_id=ticket_id)
    _move(
        ticket,
        to_status=TicketStatus.SERVING,
        actor=clerk,
        action=TicketAction.START,
        **_timestamps(TicketStatus.SERVING),
    )
    _appointment_follow(ticket, AppointmentStatus.IN_SERVICE, clerk)
    return ticket


@transaction.atomic
def ticket_finish(*, clerk: User, ticket_id: int) -> Ticket:
    _post, ticket = _at_my_window(clerk=clerk, ticket_id=ticket_id)
    _move(
        ticket, to_status=TicketStatus.DONE, actor=clerk, action=TicketAction.FINISH, **_timestamps(TicketStatus.DONE)
    )
    _appointment_follow(ticket, AppointmentStatus.COMPLETED, clerk)
    return ticket


@transaction.atomic
def ticket_transfer(*, clerk: User, ticket_id: int, group_id: int, note: str = "") -> Ticket:
    """Send the citizen to another window group of the same hall. The ticket waits there with its priority,
    booked time and check-in time (so it is not sent to the back), and keeps the number on its paper."""
    post, ticket = _at_my_window(clerk=clerk, ticket_id=ticket_id)
    target = WindowGroup.objects.filter(id=group_id, hall_id=post.hall_id).first()
    if target is None:
        raise DomainError(_("本大厅没有该窗口组。"), code="not_found")
    if target.id == ticket.group_id:
        raise DomainError(_("号码已在该窗口组。"), code="same_group")
    _move(
        ticket,
        to_status=TicketStatus.WAITING,
        actor=clerk,
        action=TicketAction.TRANSFER,
        note=f"转至 {target.letter} {target.name}" + (f"：{note.strip()}" if note.strip() else ""),
        group=target,
        window=None,
        served_by=None,
        called_at=None,
        started_at=None,
        recalls=0,
    )
    _appointment_follow(ticket, AppointmentStatus.CHECKED_IN, clerk)
    return ticket


@transaction.atomic
def ticket_park(*, clerk: User, ticket_id: int, note: str = "") -> Ticket:
    """挂起: set the ticket aside at this window (e.g. the citizen fetches a missing copy)."""
    _post, ticket = _at_my_window(clerk=clerk, ticket_id=ticket_id)
    _move(ticket, to_status=TicketStatus.PARKED, actor=clerk, action=TicketAction.PARK, note=note.strip())
    return ticket


@transaction.atomic
def ticket_resume(*, clerk: User, ticket_id: int) -> Ticket:
    """Call a parked ticket back to the same window; the board announces it again."""
    post, ticket = _at_my_window(clerk=clerk, ticket_id=ticket_id)
    _move(
        ticket,
        to_status=TicketStatus.CALLED,
        actor=clerk,
        action=TicketAction.RESUME,
        called_at=timezone.now(),
        window=post.window,
        recalls=0,
    )
    return ticket
