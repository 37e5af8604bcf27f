"""Central's reads of its cases (HackSoft's selectors), by responsibility: which cases a person may see and how the
case list finds and orders them (cases), a case's clocks and SLA colours (clocks), and what the dashboard and reports
read (reports)."""

from __future__ import annotations

from .cases import (
    CLOSED,
    MINE,
    NEWEST,
    OLDEST,
    OPEN,
    UNASSIGNED,
    URGENT,
    CaseQuery,
    ClockOrdered,
    approvers_by_department,
    case_get_for_approver,
    cases_for_approver,
    cases_search,
    extension_pending,
)
from .clocks import (
    SlaReading,
    case_legal_sla,
    case_reading,
    case_readings,
    case_sla,
    clock_of,
    legal_clock_of,
)
from .reports import (
    APPLICANT_KINDS,
    OpenCaseClock,
    deliveries_in_period,
    durations_by_department_matter,
    open_case_clocks,
    overdue_by_department,
    overdue_cases,
    platforms_summary,
    received_by_applicant_kind,
)

__all__ = [
    "APPLICANT_KINDS",
    "CLOSED",
    "MINE",
    "NEWEST",
    "OLDEST",
    "OPEN",
    "UNASSIGNED",
    "URGENT",
    "CaseQuery",
    "ClockOrdered",
    "OpenCaseClock",
    "SlaReading",
    "approvers_by_department",
    "case_get_for_approver",
    "case_legal_sla",
    "case_reading",
    "case_readings",
    "case_sla",
    "cases_for_approver",
    "cases_search",
    "clock_of",
    "deliveries_in_period",
    "durations_by_department_matter",
    "extension_pending",
    "legal_clock_of",
    "open_case_clocks",
    "overdue_by_department",
    "overdue_cases",
    "platforms_summary",
    "received_by_applicant_kind",
]
