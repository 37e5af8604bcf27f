"""Hall supervisors' reports: one page of tables and charts for a period and a hall, each table also as
CSV. A hall supervisor sees their own hall; an admin any hall, or all of them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from apps.front.booking.models import Hall
from apps.shared.accounts.models import Role
from govservice.lib.csvexport import csv_response
from govservice.lib.replica import replica_reads
from govservice.lib.stats import Period, PeriodError, period_from
from govservice.roles import role_required

from .selectors import halls_for
from .tables import TABLES, cells, chart_for, read_all, satisfaction_by_department, summary

REPORT_ROLES = (Role.HALL_SUPERVISOR, Role.ADMIN)


class Refused(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Scope:
    hall: Hall | None  # None: every hall (admins only)
    halls: list[Hall]  # what the hall selector offers
    period: Period

    @property
    def hall_id(self) -> int | None:
        return self.hall.id if self.hall else None

    @property
    def query(self) -> dict[str, str]:
        return {**self.period.as_query(), "hall": self.hall.code if self.hall else ""}


def _scope(request: HttpRequest) -> Scope:
    """The hall and period asked for, checked against what the user may read."""
    halls = list(halls_for(request.user))  # type: ignore[arg-type]  # role_required: authenticated
    code = (request.GET.get("hall") or "").strip()
    try:
        period = period_from(request.GET)
    except PeriodError as exc:
        raise Refused(str(exc), 400) from None
    if request.user.role == Role.ADMIN:  # type: ignore[union-attr]
        if not code:
            return Scope(hall=None, halls=halls, period=period)
        hall = next((h for h in halls if h.code == code), None)
        if hall is None:
            raise Http404(_("没有这个大厅。"))
        return Scope(hall=hall, halls=halls, period=period)
    if not halls:
        raise Refused(_("您尚未分配到大厅。"), 403)
    own = halls[0]
    if code and code != own.code:
        raise Refused(_("您只能查看本大厅的统计。"), 403)
    return Scope(hall=own, halls=halls, period=period)


def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


@role_required(*REPORT_ROLES)
@replica_reads()
def reports(request: HttpRequest) -> HttpResponse:
    try:
        scope = _scope(request)
    except Refused as exc:
        return _refused(request, exc)
    results = read_all(period=scope.period, hall_id=scope.hall_id)
    every_hall = scope.hall is None
    tables = [
        {
            "spec": spec,
            "rows": [list(zip(cells(spec, row), [c.kind for c in spec.columns], strict=True)) for row in results[slug]],
            "chart": chart_for(spec, results[slug], every_hall=every_hall),
            "export_url": reverse("reports_export", args=[slug]) + "?" + urlencode(scope.query),
        }
        for slug, spec in TABLES.items()
    ]
    satisfaction = TABLES["satisfaction"]
    by_department = {
        # The same columns without the matter: one row per department.
        "columns": [c for c in satisfaction.columns if c.key != "matter"],
        "rows": [
            [(row[c.key], c.kind) for c in satisfaction.columns if c.key != "matter"]
            for row in satisfaction_by_department(results["satisfaction"])
        ],
    }
    return render(
        request,
        "reports/front.html",
        {
            "scope": scope,
            "tables": tables,
            "by_department": by_department,
            "summary": summary(results),
            "is_admin": request.user.role == Role.ADMIN,  # type: ignore[union-attr]
        },
    )


@role_required(*REPORT_ROLES)
@replica_reads()
def export(request: HttpRequest, slug: str) -> HttpResponse:
    spec = TABLES.get(slug)
    if spec is None:
        raise Http404(_("没有这张报表。"))
    try:
        scope = _scope(request)
    except Refused as exc:
        return _refused(request, exc)
    rows = spec.read(period=scope.period, hall_id=scope.hall_id)
    # Hall codes are typed by admins: only safe characters go into the file name header.
    where = (re.sub(r"[^A-Za-z0-9_-]", "", scope.hall.code) or "hall") if scope.hall else "all"
    return csv_response(
        filename=f"{slug}_{where}_{scope.period.start:%Y%m%d}-{scope.period.end:%Y%m%d}.csv",
        header=[str(column.label) for column in spec.columns],
        rows=(cells(spec, row) for row in rows),
    )
