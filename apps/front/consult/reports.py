"""Supervisors' figures on consultation tickets, by department or by matter (12345 practice, DOMAIN.md §6).

For the tickets asked in a period:

* 响应率 response rate: taken by a clerk by the end of their response day / all tickets;
* 办结率 resolution rate: answered (now answered or closed after an answer) / all tickets;
* 满意率 satisfaction: rated 非常满意, 满意 or 基本满意 / rated tickets;
* 超期 overdue: still open after their due date, or last answered after it;
* 书面答复及时率 written answers in time: of the consultations asked in writing (online, terminal), the
  share whose first written answer came within CONSULT_WRITTEN_ANSWER_SECONDS (180: 3 minutes, the 12345
  standard GB/T 33358) of the question. Clock time: a question asked at night waits like any other.

Rates are None when their denominator is 0 (shown as "—", never as 0 %).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from apps.shared.accounts.models import Role, User
from govservice.api import DomainError
from govservice.lib.csvexport import csv_response
from govservice.lib.stats import PeriodError, period_from, rate

from .conf import consult_conf
from .models import OPEN_STATUSES, SATISFIED_AT_MOST, WRITTEN_CHANNELS, ConsultTicket, TicketKind, TicketStatus
from .selectors import staff_post_hall_id

GROUPINGS = {"department": ("department__code", "department__name"), "matter": ("matter__code", "matter__name")}


@dataclass(frozen=True)
class ReportRow:
    key: str
    name: str
    total: int
    responded: int
    resolved: int
    rated: int
    satisfied: int
    overdue: int
    written: int
    written_in_time: int

    # Percent with one decimal, half up (govservice.lib.stats.rate, as every report).
    @property
    def response_rate(self) -> float | None:
        return rate(self.responded, self.total)

    @property
    def resolution_rate(self) -> float | None:
        return rate(self.resolved, self.total)

    @property
    def satisfaction_rate(self) -> float | None:
        return rate(self.satisfied, self.rated)

    @property
    def written_in_time_rate(self) -> float | None:
        return rate(self.written_in_time, self.written)


def ticket_report(*, tickets: QuerySet[ConsultTicket], by: str, today: dt.date) -> list[ReportRow]:
    """One row per department or matter, plus a last row for everything; one query."""
    if by not in GROUPINGS:
        raise ValueError(by)
    key, name = GROUPINGS[by]
    written = Q(kind=TicketKind.CONSULTATION, channel__in=WRITTEN_CHANNELS)
    in_time = dt.timedelta(seconds=consult_conf.CONSULT_WRITTEN_ANSWER_SECONDS)
    measures = {
        "total": Count("id"),
        "responded": Count("id", filter=Q(claimed_at__isnull=False, claimed_at__date__lte=F("response_due"))),
        "resolved": Count(
            "id", filter=Q(first_answered_at__isnull=False, status__in=[TicketStatus.ANSWERED, TicketStatus.CLOSED])
        ),
        "rated": Count("id", filter=Q(rating__isnull=False)),
        "satisfied": Count("id", filter=Q(rating__lte=SATISFIED_AT_MOST)),
        "overdue": Count(
            "id",
            filter=Q(status__in=[*OPEN_STATUSES], due_date__lt=today)
            | Q(answered_at__isnull=False, answered_at__date__gt=F("due_date")),
        ),
        "written": Count("id", filter=written),
        "written_in_time": Count(
            "id", filter=written & Q(first_answered_at__isnull=False, first_answered_at__lte=F("created_at") + in_time)
        ),
    }
    rows = [
        ReportRow(key=r[key], name=r["label"], **{m: r[m] for m in measures})
        for r in tickets.order_by().values(key).annotate(label=Max(name), **measures).order_by(key)
    ]
    if rows:
        rows.append(
            ReportRow(
                key="",
                name="合计",
                **{m: sum(getattr(r, m) for r in rows) for m in measures},
            )
        )
    return rows


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value}%"


def report_csv(rows: list[ReportRow], *, by: str, filename: str) -> HttpResponse:
    """The same rows as the page, for a spreadsheet (govservice.lib.csvexport: UTF-8 with BOM, and no
    department or matter name can run as a formula in Excel)."""
    header = [
        "部门编码" if by == "department" else "事项编码",
        "名称",
        "工单数",
        "及时响应",
        "响应率",
        "已答复",
        "办结率",
        "已评价",
        "满意",
        "满意率",
        "超期",
        "书面咨询",
        "及时书面答复",
        "书面答复及时率",
    ]
    return csv_response(
        filename=filename,
        header=header,
        rows=(
            [
                r.key,
                r.name,
                r.total,
                r.responded,
                _percent(r.response_rate),
                r.resolved,
                _percent(r.resolution_rate),
                r.rated,
                r.satisfied,
                _percent(r.satisfaction_rate),
                r.overdue,
                r.written,
                r.written_in_time,
                _percent(r.written_in_time_rate),
            ]
            for r in rows
        ),
    )


@dataclass(frozen=True)
class ReportScope:
    tickets: QuerySet[ConsultTicket]
    by: str
    date_from: dt.date
    date_to: dt.date


def report_scope(*, user: User, params: Mapping[str, str]) -> ReportScope:
    """Which tickets a supervisor's report covers: their hall's (everything for an administrator), asked
    between ``from`` and ``to`` (ISO dates, both included; the last 30 days by default). The period follows
    the rules of every other report (govservice.lib.stats.period_from: 2000–2099, at most 366 days)."""
    by = params.get("by") or "department"
    if by not in GROUPINGS:
        raise DomainError(_("统计维度应为 department 或 matter。"), code="invalid_by")
    try:
        period = period_from({"start": params.get("from"), "end": params.get("to")})
    except PeriodError as exc:
        raise DomainError(str(exc), code=exc.code) from None
    date_from, date_to = period.start, period.end
    tickets = ConsultTicket.objects.filter(created_at__date__gte=date_from, created_at__date__lte=date_to)
    if user.role != Role.ADMIN:
        hall_id = staff_post_hall_id(user)
        if user.role != Role.HALL_SUPERVISOR or hall_id is None:
            raise DomainError(_("只有大厅主管可以查看统计。"), code="not_supervisor")
        tickets = tickets.filter(hall_id=hall_id)
    return ReportScope(tickets=tickets, by=by, date_from=date_from, date_to=date_to)
