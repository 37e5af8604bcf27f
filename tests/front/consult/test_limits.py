"""Time limits in working days with frozen time: the National Day holiday and its 调休 Saturday, a
weekend, reminders sent once, escalation before the limit is missed, extension, unknown years."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from apps.front.consult.limits import deadlines_for
from apps.front.consult.models import TicketAction
from apps.front.consult.services import (
    ticket_claim,
    ticket_extend,
    ticket_follow_up,
    ticket_reply,
    tickets_remind_and_escalate,
)
from apps.front.consult.tasks import tickets_remind_and_escalate as sweep_task
from apps.front.notifications.models import Notification
from apps.shared.workcalendar.models import CalendarOverride, PublishedYear
from govservice.api import DomainError, status_for
from govservice.lib.workdays import WorkCalendar

from .conftest import at

pytestmark = pytest.mark.django_db


def sweep(when: dt.datetime) -> dict[str, int]:
    with time_machine.travel(when, tick=False):
        return tickets_remind_and_escalate()


def test_limits_skip_the_national_day_holiday_and_count_the_make_up_saturday():
    calendar = WorkCalendar()
    # Wed 30 Sep 2026; 1–7 Oct off; Thu 8, Fri 9 and the 调休 Saturday 10 Oct are working days.
    asked = deadlines_for(kind="consultation", asked_on=dt.date(2026, 9, 30), calendar=calendar)
    assert asked.response_due == dt.date(2026, 9, 30)
    assert asked.due_date == dt.date(2026, 10, 10)
    # Asked on a holiday: respond on the first working day after it.
    holiday = deadlines_for(kind="consultation", asked_on=dt.date(2026, 10, 3), calendar=calendar)
    assert holiday.response_due == dt.date(2026, 10, 8)
    assert holiday.due_date == dt.date(2026, 10, 10)
    # Complaints: 13 working days.
    complaint = deadlines_for(kind="complaint", asked_on=dt.date(2026, 11, 2), calendar=calendar)
    assert complaint.due_date == dt.date(2026, 11, 19)


def test_a_friday_question_is_due_on_wednesday(ask):
    ticket = ask(when=at(2026, 11, 27, 16))  # Friday
    assert ticket.response_due == dt.date(2026, 11, 27)
    assert ticket.due_date == dt.date(2026, 12, 2)


@pytest.mark.unpublished_calendar
def test_an_unpublished_year_leaves_the_limit_open_until_it_is_published(ask, clerk, supervisor):
    ticket = ask(when=at(2026, 12, 29, 10))  # 3 working days run into 2027, which nobody has published
    assert ticket.response_due == dt.date(2026, 12, 29)
    assert ticket.due_date is None
    assert sweep(at(2026, 12, 29, 11)) == {"reminded": 0, "escalated": 0}
    PublishedYear.objects.create(year=2027, note="国务院办公厅通知")
    CalendarOverride.objects.create(date=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    sweep(at(2026, 12, 30, 9))
    ticket.refresh_from_db()
    assert ticket.due_date == dt.date(2027, 1, 4)  # 30, 31 Dec, (1 Jan off, 2–3 weekend), Mon 4 Jan


def test_the_owner_is_reminded_once_the_day_before_and_the_supervisor_alerted_on_the_last_day(ask, clerk, supervisor):
    ticket = ask(when=at(2026, 9, 30, 10))
    with time_machine.travel(at(2026, 9, 30, 11), tick=False):
        ticket_claim(clerk=clerk, code=ticket.code)
    # During the holiday and on the first day back, nothing: two working days are left on 8 Oct.
    for moment in (at(2026, 10, 2, 9), at(2026, 10, 8, 9), at(2026, 10, 8, 16)):
        assert sweep(moment) == {"reminded": 0, "escalated": 0}
    # Friday 9 Oct: one working day left (the make-up Saturday). Reminded once, however often the job runs.
    assert sweep(at(2026, 10, 9, 9)) == {"reminded": 1, "escalated": 0}
    with time_machine.travel(at(2026, 10, 9, 9, 15), tick=False):
        assert sweep_task.run() == {"reminded": 0, "escalated": 0}  # the Celery task body, as beat runs it
    reminders = Notification.objects.filter(event="consult.reminder", channel="inbox")
    assert [n.recipient for n in reminders] == [clerk]
    assert ticket.code in reminders.get().body and "2026-10-10" in reminders.get().body
    # Saturday 10 Oct, the last day, still unanswered: escalated to the hall supervisor, once.
    assert sweep(at(2026, 10, 10, 9)) == {"reminded": 0, "escalated": 1}
    assert sweep(at(2026, 10, 10, 14)) == {"reminded": 0, "escalated": 0}
    escalations = Notification.objects.filter(event="consult.escalated", channel="inbox")
    assert [n.recipient for n in escalations] == [supervisor]
    assert "尚未答复" in escalations.get().body
    ticket.refresh_from_db()
    assert ticket.escalated_at and ticket.reminded_at
    assert list(
        ticket.events.filter(action__in=[TicketAction.REMIND, TicketAction.ESCALATE]).values_list("action", flat=True)
    ) == [
        TicketAction.REMIND,
        TicketAction.ESCALATE,
    ]


def test_an_answered_ticket_is_neither_reminded_nor_escalated(ask, clerk, supervisor):
    ticket = ask(when=at(2026, 9, 30, 10))
    with time_machine.travel(at(2026, 9, 30, 11), tick=False):
        ticket_claim(clerk=clerk, code=ticket.code)
        ticket_reply(actor=clerk, code=ticket.code, body="答复")
    assert sweep(at(2026, 10, 10, 9)) == {"reminded": 0, "escalated": 0}
    assert not Notification.objects.filter(event__in=["consult.reminder", "consult.escalated"]).exists()


def test_nobody_taking_a_ticket_on_its_day_escalates_it_the_next_working_day(ask, supervisor):
    ticket = ask(when=at(2026, 11, 27, 16))  # Friday
    assert sweep(at(2026, 11, 28, 10)) == {"reminded": 0, "escalated": 0}  # Saturday: not yet a working day late
    assert sweep(at(2026, 11, 30, 9)) == {"reminded": 0, "escalated": 1}  # Monday
    escalation = Notification.objects.get(event="consult.escalated", channel="inbox")
    assert escalation.recipient == supervisor and "无人受理" in escalation.body
    # Unowned: the reminder the day before the limit goes to the supervisor.
    assert sweep(at(2026, 12, 1, 9)) == {"reminded": 1, "escalated": 0}
    assert Notification.objects.get(event="consult.reminder", channel="inbox").recipient == supervisor
    ticket.refresh_from_db()
    assert ticket.owner is None


def test_an_extension_moves_the_limit_and_rearms_the_reminders(ask, clerk, supervisor):
    ticket = ask(when=at(2026, 11, 27, 16))
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        ticket_claim(clerk=clerk, code=ticket.code)
    sweep(at(2026, 12, 1, 9))
    ticket.refresh_from_db()
    assert ticket.reminded_at
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        ticket_extend(supervisor=supervisor, code=ticket.code, days=2, reason="需医保局核实参保记录")
    ticket.refresh_from_db()
    assert ticket.due_date == dt.date(2026, 12, 4) and ticket.extension_days == 2
    assert ticket.reminded_at is None
    assert sweep(at(2026, 12, 2, 9)) == {"reminded": 0, "escalated": 0}
    assert sweep(at(2026, 12, 3, 9)) == {"reminded": 1, "escalated": 0}
    with pytest.raises(Exception) as refused:
        ticket_extend(supervisor=clerk, code=ticket.code, days=2, reason="x")
    assert getattr(refused.value, "error_code", "") == "not_supervisor"


@pytest.mark.unpublished_calendar
def test_an_extension_into_an_unpublished_year_is_refused_with_a_message(ask, clerk, supervisor, client):
    # Asked Monday 28 December 2026, due Thursday 31; two more working days reach 2027, not yet published.
    ticket = ask(when=at(2026, 12, 28, 10))
    assert ticket.due_date == dt.date(2026, 12, 31)
    with time_machine.travel(at(2026, 12, 29, 10), tick=False):
        client.force_login(supervisor)
        with pytest.raises(DomainError) as refused:
            ticket_extend(supervisor=supervisor, code=ticket.code, days=2, reason="需医保局核实")
        page = client.post(f"/consult/desk/{ticket.code}/extend/", {"days": "2", "reason": "需医保局核实"})
    assert status_for(refused.value) == 409 and refused.value.error_code == "calendar_unknown"
    assert page.status_code == 409 and "2027年的节假日安排尚未发布" in page.content.decode()
    ticket.refresh_from_db()
    assert (ticket.due_date, ticket.extension_days) == (dt.date(2026, 12, 31), 0)


def test_a_follow_up_gets_a_fresh_limit(ask, clerk, citizen):
    ticket = ask(when=at(2026, 11, 23, 10))  # Monday, due Thursday 26
    with time_machine.travel(at(2026, 11, 23, 11), tick=False):
        ticket_claim(clerk=clerk, code=ticket.code)
        ticket_reply(actor=clerk, code=ticket.code, body="答复")
    with time_machine.travel(at(2026, 11, 27, 10), tick=False):  # Friday
        ticket_follow_up(citizen=citizen, code=ticket.code, body="追问")
    ticket.refresh_from_db()
    assert ticket.due_date == dt.date(2026, 12, 2)
