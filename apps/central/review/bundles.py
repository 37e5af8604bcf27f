"""一件事 at central (issue 15): a case that is a part of a bundle arrives with it (case.submitted's ``bundle``: the
front's bundle application code, the bundle, every part with the matter it waits for). Central keeps it on the case
(``ReviewCase.bundle_ref`` shared by the siblings, ``ReviewCase.bundle``), shows an approver a case's siblings, and
reports each bundle as one item beside its matters.

A part the front has not sent is *waiting* while the matter before it is open, and will never come once that one
ends without approval (the front drops it and tells the applicant); so central knows which parts a bundle still
expects without another message. A bundle's promise and the time it took add up along its dependency (户口 then
医保: their promised days, and their review clocks, one after the other) and take the longest chain (parallel
parts run side by side)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.shared.catalog.prerequisites import prerequisites
from apps.shared.exchange import contract
from govservice.lib.decisions import Decision
from govservice.lib.stats import Period, one_decimal, rate

from .models import FINISHED, ReviewCase, ReviewStatus

APPROVED = frozenset({Decision.APPROVED, Decision.PARTLY_APPROVED})


def bundle_fields(bundle: contract.CaseBundle | None) -> dict[str, Any]:
    """The case's fields from case.submitted's ``bundle`` (nothing for a lone case)."""
    if bundle is None:
        return {}
    return {"bundle_ref": bundle.id, "bundle": bundle.model_dump(mode="json")}


def _approved(case: ReviewCase | None) -> bool:
    return case is not None and case.status == ReviewStatus.DECIDED and case.decision in APPROVED


def _parts(cases: list[ReviewCase]) -> list[dict[str, str]]:
    """The bundle's parts as the front last told them (every message carries all of them; the latest knows the
    most case numbers)."""
    latest = max(cases, key=lambda c: (sum(1 for p in c.bundle.get("parts", []) if p.get("number")), c.received_at))
    return list(latest.bundle.get("parts", []))


@dataclass
class Sibling:
    matter_code: str
    matter_name: str
    after_name: str
    case: ReviewCase | None
    sentence: str
    is_this: bool
    openable: bool


@dataclass
class BundleReading:
    ref: str
    code: str
    name: str
    parts: list[Sibling]


def _expected(parts: list[dict[str, str]], by_matter: dict[str, ReviewCase]) -> dict[str, bool | None]:
    """Per matter: True (sent, or still to come), False (will never come: the matter before it ended without
    approval), by the dependency."""
    found: dict[str, bool | None] = {}

    def expected(code: str, seen: frozenset[str] = frozenset()) -> bool:
        if code in found:
            return bool(found[code])
        part = next((p for p in parts if p["matter_code"] == code), None)
        if part is None or code in seen:
            return False
        before = part.get("after", "")
        if by_matter.get(code) is not None or not before:
            result = True
        else:
            prerequisite = by_matter.get(before)
            ended_without = prerequisite is not None and prerequisite.status in FINISHED and not _approved(prerequisite)
            result = expected(before, seen | {code}) and not ended_without
        found[code] = result
        return result

    for p in parts:
        expected(p["matter_code"])
    return found


def bundle_reading(case: ReviewCase, *, visible: QuerySet[ReviewCase]) -> BundleReading | None:
    """A case's bundle as the approver reads it: each part with its case at central (its status and decision), or
    why it has not come; a sibling opens only for those who may open it (``visible``: the approver's cases)."""
    if not case.bundle_ref:
        return None
    cases = list(
        ReviewCase.objects.filter(platform_id=case.platform_id, bundle_ref=case.bundle_ref).select_related(
            "matter", "department"
        )
    )
    by_matter = {c.matter.code: c for c in cases}
    openable = set(visible.filter(id__in=[c.id for c in cases]).values_list("id", flat=True))
    parts = _parts(cases)
    names = {p["matter_code"]: p.get("matter_name") or p["matter_code"] for p in parts}
    expected = _expected(parts, by_matter)
    rows = []
    for part in parts:
        code, before = part["matter_code"], part.get("after", "")
        sibling = by_matter.get(code)
        if sibling is not None:
            sentence = f"{sibling.department.name} · {sibling.get_status_display()}"
            if sibling.decision:
                sentence += f" · {sibling.get_decision_display()}"
        elif not expected.get(code):
            sentence = _("前置事项“%(matter)s”未获准予，该事项不再报送。") % {"matter": names.get(before, before)}
        elif before:
            sentence = _("等待前置事项“%(matter)s”准予后报送。") % {"matter": names.get(before, before)}
        else:
            sentence = _("尚未报送。")
        rows.append(
            Sibling(
                matter_code=code,
                matter_name=names[code],
                after_name=names.get(before, before) if before else "",
                case=sibling,
                sentence=sentence,
                is_this=sibling is not None and sibling.id == case.id,
                openable=sibling is not None and sibling.id in openable,
            )
        )
    return BundleReading(
        ref=case.bundle_ref, code=case.bundle.get("code", ""), name=case.bundle.get("name", ""), parts=rows
    )


def _chain(code: str, parts: dict[str, dict[str, str]], value: dict[str, int]) -> int:
    """The value of a part added to that of the parts before it (its dependency chain, as far as it runs through
    ``parts``)."""
    if code not in parts:
        return 0
    after = {matter: part.get("after", "") for matter, part in parts.items()}
    return value.get(code, 0) + sum(value.get(step, 0) for step in prerequisites(code, after.get) if step in parts)


def bundle_statistics(*, period: Period) -> list[dict[str, Any]]:
    """一件事 reported as one item and per matter: the bundle applications whose last expected part was decided in
    the period; per bundle how many, how many with every part approved, how many within the bundle's promise (the
    longest chain of promised days against the longest chain of review clocks), the median days and promise; and
    per matter its parts decided, approved and within their own promise. Two queries."""
    refs = ReviewCase.objects.filter(
        decided_at__gte=period.start_at,
        decided_at__lt=period.end_before,
        bundle_ref__gt="",  # a bundle's part
    ).values("bundle_ref")
    groups: dict[tuple[int, str], list[ReviewCase]] = defaultdict(list)
    for case in ReviewCase.objects.filter(bundle_ref__in=refs).select_related("matter").order_by("id"):
        groups[(case.platform_id, case.bundle_ref)].append(case)
    rows: dict[str, dict[str, Any]] = {}
    for cases in groups.values():
        parts = _parts(cases)
        by_matter = {c.matter.code: c for c in cases}
        expected = _expected(parts, by_matter)
        wanted = [p for p in parts if expected.get(p["matter_code"])]
        if not wanted or any(
            by_matter.get(p["matter_code"]) is None or by_matter[p["matter_code"]].status not in FINISHED
            for p in wanted
        ):
            continue  # still open
        last = max((c.decided_at for c in cases if c.decided_at is not None), default=None)
        if last is None or not (period.start_at <= last < period.end_before):
            continue
        structure = {p["matter_code"]: p for p in wanted}
        promised = {code: c.promised_limit for code, c in by_matter.items()}
        used = {code: c.clock_used for code, c in by_matter.items()}
        bundle_promised = max(_chain(code, structure, promised) for code in structure)
        bundle_used = max(_chain(code, structure, used) for code in structure)
        first = cases[0].bundle
        row = rows.setdefault(
            first.get("code", ""),
            {
                "bundle": first.get("code", ""),
                "name": first.get("name", ""),
                "completed": 0,
                "all_approved": 0,
                "within": 0,
                "_used": [],
                "_promised": [],
                "matters": {},
            },
        )
        row["completed"] += 1
        row["all_approved"] += all(_approved(by_matter.get(p["matter_code"])) for p in parts)
        row["within"] += bundle_used <= bundle_promised
        row["_used"].append(bundle_used)
        row["_promised"].append(bundle_promised)
        for case in cases:
            counts = row["matters"].setdefault(
                case.matter.code, {"matter": case.matter.name, "decided": 0, "approved": 0, "within": 0}
            )
            if case.status == ReviewStatus.DECIDED:
                counts["decided"] += 1
                counts["approved"] += _approved(case)
                counts["within"] += case.clock_used <= case.promised_limit
    out = []
    for row in rows.values():
        used_days, promised_days = row.pop("_used"), row.pop("_promised")
        row["within_rate"] = rate(row["within"], row["completed"])
        row["median_days"] = one_decimal(statistics.median(used_days))
        row["promised_days"] = one_decimal(statistics.median(promised_days))
        row["matters"] = list(row["matters"].values())
        out.append(row)
    return sorted(out, key=lambda r: r["bundle"])
