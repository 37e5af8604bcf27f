"""The periodic sweep: reminders and escalation before a limit is missed (DOMAIN.md §6)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.front.booking.selectors import hall_supervisors
from apps.front.notifications.services import notify
from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib.workdays import CalendarUnknown, WorkCalendar

from ..limits import ESCALATE_WHEN_WORKDAYS_LEFT, REMIND_WHEN_WORKDAYS_LEFT, deadlines_for, workdays_left
from ..models import OPEN_STATUSES, ConsultTicket, TicketAction, TicketStatus
from .records import event_record, message_context


def _remind_one(ticket_id: int, *, now: dt.datetime, today: dt.date, calendar: WorkCalendar) -> tuple[int, int]:
    """Reminder and escalation of one ticket, each at most once per limit (compare-and-set on the
    timestamp, so two beat runs at once still send one)."""
    reminded = escalated = 0
    with transaction.atomic():
        ticket = (
            ConsultTicket.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("matter", "owner")
            .filter(id=ticket_id, status__in=[*OPEN_STATUSES])
            .first()
        )
        if ticket is None:
            return 0, 0
        if ticket.due_date is None or ticket.response_due is None:
            # The calendar of that year may have been published since.
            deadlines = deadlines_for(
                kind=ticket.kind, asked_on=timezone.localdate(ticket.created_at), calendar=calendar
            )
            if deadlines.due_date is None or deadlines.response_due is None:
                return 0, 0
            ticket.due_date = ticket.due_date or deadlines.due_date
            ticket.response_due = ticket.response_due or deadlines.response_due
            ticket.save(update_fields=["due_date", "response_due"])
        assert ticket.due_date is not None and ticket.response_due is not None
        left = workdays_left(due_date=ticket.due_date, today=today, calendar=calendar)
        reasons = []
        # Late to be taken once a working day has begun after the response day (not on the weekend).
        if ticket.status == TicketStatus.NEW and calendar.workdays_between(ticket.response_due, today) >= 1:
            reasons.append("无人受理，已超过当日响应时限")
        if left <= ESCALATE_WHEN_WORKDAYS_LEFT:
            reasons.append(f"办理期限为{ticket.due_date.isoformat()}，尚未答复")
        if left <= REMIND_WHEN_WORKDAYS_LEFT and ticket.reminded_at is None:
            ticket.reminded_at = now
            ticket.save(update_fields=["reminded_at"])
            recipients = [ticket.owner] if ticket.owner else hall_supervisors(ticket.hall_id)
            for user in recipients:
                notify(recipient=user, event="consult.reminder", context=message_context(ticket))
            event_record(
                ticket, TicketAction.REMIND, actor=None, from_status=ticket.status, note=f"剩余{max(left, 0)}个工作日"
            )
            reminded = 1
        if reasons and ticket.escalated_at is None:
            ticket.escalated_at = now
            ticket.save(update_fields=["escalated_at"])
            reason = "；".join(reasons)
            for user in hall_supervisors(ticket.hall_id):
                notify(recipient=user, event="consult.escalated", context=message_context(ticket, reason=reason))
            event_record(ticket, TicketAction.ESCALATE, actor=None, from_status=ticket.status, note=reason)
            escalated = 1
    return reminded, escalated


def tickets_remind_and_escalate(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic sweep (beat every 15 minutes): idempotent, one short transaction per ticket."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = calendar_get()
    candidates = ConsultTicket.objects.filter(status__in=[*OPEN_STATUSES]).filter(
        Q(reminded_at__isnull=True) | Q(escalated_at__isnull=True)
    )
    totals = {"reminded": 0, "escalated": 0}
    for ticket_id in list(candidates.values_list("id", flat=True)):
        try:
            reminded, escalated = _remind_one(ticket_id, now=now, today=today, calendar=calendar)
        except CalendarUnknown:  # fails closed: no reminder from a guessed calendar
            continue
        totals["reminded"] += reminded
        totals["escalated"] += escalated
    return totals
