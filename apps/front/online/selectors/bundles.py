"""Reads for 一件事 bundles: their matters, merged form and checklist, each part's status, the statistics and what
the wire carries of a bundle."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from apps.front.booking.models import Hall
from apps.front.intake.models import CASE_SETTLED, Case, CaseStatus, EvidenceItem
from apps.shared.accounts.models import User
from apps.shared.catalog.models import Bundle, BundleItem, Matter, MatterField
from apps.shared.catalog.prerequisites import prerequisites
from apps.shared.exchange import contract
from apps.shared.workcalendar.selectors import add_workdays_or_none
from govservice.lib.decisions import Decision

from ..models import ApplicationFile, BundleApplication, OnlineApplication
from .applications import (
    APPLICATION_FORM_KEY,
    FORM,
    HELD,
    MISSING,
    PRODUCED,
    acting_scope_q,
    files_by_material,
    material_state,
    online_halls,
    prerequisite_results,
    produced_before,
    vault_held,
)

# A part of a bundle has its answer: decided (by central), refused at intake, withdrawn, voided, closed (intake's
# CASE_SETTLED), or dropped before it was submitted.
OUTCOME_OPEN, OUTCOME_APPROVED, OUTCOME_NOT = "open", "approved", "not"


def bundles_active() -> QuerySet[Bundle]:
    return Bundle.objects.filter(is_active=True).prefetch_related("items").order_by("code")


def bundle_get(code: str) -> Bundle:
    return get_object_or_404(Bundle.objects.prefetch_related("items"), code=str(code)[:64], is_active=True)


def bundle_matters(bundle: Bundle) -> list[tuple[BundleItem, Matter]]:
    """The bundle's items with the current version of each matter, in the bundle's order."""
    items = list(bundle.items.all())
    matters = {
        m.code: m
        for m in Matter.objects.filter(code__in=[i.matter_code for i in items], is_current=True)
        .select_related("department")
        .prefetch_related("materials", "form_fields")
    }
    return [(item, matters[item.matter_code]) for item in items if item.matter_code in matters]


def bundle_fields(matters: list[Matter]) -> list[MatterField]:
    """The merged form: each field once, by key (the catalog's rules make a key mean one thing across a bundle),
    required when any matter asking it requires it (a newborn's name: optional for a 社保卡 on its own, required
    by the 出生医学证明)."""
    seen: dict[str, MatterField] = {}
    for matter in matters:
        for form_field in matter.form_fields.all():
            first = seen.setdefault(form_field.key, form_field)
            if form_field.required and not first.required:
                seen[form_field.key] = copy.copy(first)  # the catalog's row as read stays as it is
                seen[form_field.key].required = True
    return list(seen.values())


def bundle_halls(matters: list[Matter]) -> list[Hall]:
    """The halls that receive every matter of the bundle (one hall pre-reviews the whole application)."""
    halls: list[Hall] | None = None
    for matter in matters:
        ids = {h.id for h in online_halls(matter)}
        halls = [h for h in (halls if halls is not None else online_halls(matter)) if h.id in ids]
    return halls or []


@dataclass
class BundleChecklistItem:
    """One material of the merged checklist: asked once whatever the number of matters needing it (by key)."""

    key: str
    name: str
    required: bool
    matters: list[str]
    state: str = MISSING
    files: list[ApplicationFile] = field(default_factory=list)
    evidence: EvidenceItem | None = None
    is_form: bool = False

    @property
    def no_need_to_submit(self) -> bool:
        return self.state in (FORM, HELD, PRODUCED)


def bundle_produced(items: list[tuple[BundleItem, Matter]]) -> dict[str, set[str]]:
    """By matter code, what the steps it waits for (directly or through another) issue: a material of that name is
    not asked of the applicant (``PRODUCED``)."""
    by_code = {matter.code: matter for _item, matter in items}
    after = {item.matter_code: item.after for item, _matter in items}
    return {
        code: produced_before([by_code[step].result_name for step in prerequisites(code, after.get) if step in by_code])
        for code in by_code
    }


def bundle_checklist(application: BundleApplication) -> list[BundleChecklistItem]:
    items = bundle_matters(application.bundle)
    matters = [m for _item, m in items]
    produced = bundle_produced(items)
    files_by_key = files_by_material(application)
    entries: dict[str, BundleChecklistItem] = {}
    # Produced for every matter needing it: an item one matter needs brought is brought.
    brought: set[str] = set()
    for matter in matters:
        held = vault_held(application, matter)
        has_form = bool(list(matter.form_fields.all()))
        for material in matter.materials.all():
            entry = entries.get(material.key)
            if entry is None:
                entry = entries[material.key] = BundleChecklistItem(
                    key=material.key, name=material.name, required=material.required, matters=[]
                )
            entry.required = entry.required or material.required
            entry.matters.append(matter.name)
            if material.name not in produced[matter.code]:
                brought.add(material.key)
            entry.is_form = entry.is_form or (material.key == APPLICATION_FORM_KEY and has_form)
            if material.id in held and entry.evidence is None:
                entry.evidence = held[material.id]
    for entry in entries.values():
        entry.files = files_by_key.get(entry.key, [])
        entry.state = material_state(
            files=entry.files,
            is_form=entry.is_form,
            held=entry.evidence is not None,
            required=entry.required,
            produced=entry.key not in brought,
        )
    return list(entries.values())


def bundle_applications_of(user: User) -> QuerySet[BundleApplication]:
    return BundleApplication.objects.filter(Q(applicant=user) | acting_scope_q(user, by_matter=False))


def bundle_application_get_for_user(*, user: User, code: str) -> BundleApplication:
    """404 when the bundle application is not this person's."""
    return get_object_or_404(
        bundle_applications_of(user).select_related("bundle", "hall", "applicant", "filed_by"), code=str(code)[:16]
    )


@dataclass
class BundlePart:
    application: OnlineApplication
    matter: Matter
    state: str  # "waiting", "dropped", or "case"
    outcome: str  # OUTCOME_OPEN, OUTCOME_APPROVED, OUTCOME_NOT
    sentence: str
    promised_date: dt.date | None
    bearing: str = ""  # what the part's refusal (or drop) means for the bundle's other parts; "" while not refused


@dataclass
class BundleStatus:
    overall: str  # "draft", "in_progress", "completed", "completed_with_refusals"
    sentence: str
    parts: list[BundlePart]
    promised_date: dt.date | None
    done: int

    @property
    def settled(self) -> bool:
        return self.overall in ("completed", "completed_with_refusals")


def part_outcome(part: OnlineApplication) -> str:
    if part.cancelled_at is not None:
        return OUTCOME_NOT
    case = part.case
    if case is None or case.status not in CASE_SETTLED:
        return OUTCOME_OPEN
    if case.status == CaseStatus.DECIDED or case.decision:
        return OUTCOME_APPROVED if case.decision in (Decision.APPROVED, Decision.PARTLY_APPROVED) else OUTCOME_NOT
    return OUTCOME_NOT


def part_outcome_label(part: OnlineApplication) -> str:
    """What became of a part, in a few words (the combined notice lists them)."""
    if part.cancelled_at is not None:
        return _("未提交")
    case = part.case
    if case is None:
        return _("待提交")
    if case.decision:
        return str(case.get_decision_display())
    return str(case.get_status_display())


def part_bearing(part: OnlineApplication, *, waiting: list[str]) -> str:
    """What a part not approved (or not submitted) means for the rest of the bundle: the parts that waited for it
    (``waiting``, their names) are not submitted; every other part is not affected and goes on."""
    if part.cancelled_at is not None:
        if waiting:
            return _("本事项未提交，等待它的“%(matters)s”也不再提交；本一件事的其他事项不受影响，照常办理。") % {
                "matters": "、".join(waiting)
            }
        return _("本事项未提交，不影响本一件事的其他事项，它们照常办理。")
    if waiting:
        return _("本事项未获准予，等待它的“%(matters)s”因此不再提交；本一件事的其他事项不受影响，照常办理。") % {
            "matters": "、".join(waiting)
        }
    return _("本事项未获准予，不影响本一件事的其他事项，它们照常办理。")


def bundle_status(application: BundleApplication) -> BundleStatus:
    """One status for the bundle, with each part's; its promised date is the latest of the parts' (a part waiting
    for another counted from that one's promise). A part not approved says what that means for the others, and
    while others are open the bundle says they go on."""
    if application.is_draft:
        return BundleStatus("draft", _("草稿"), [], None, 0)
    parts = list(
        application.parts.select_related("case__matter", "matter", "waits_for__case", "waits_for__matter").order_by(
            "id"
        )
    )
    waiting: dict[int, list[str]] = {}
    for part in parts:
        if part.waits_for_id is not None:
            waiting.setdefault(part.waits_for_id, []).append(part.matter.name)
    rows = []
    for part in parts:
        outcome = part_outcome(part)
        if part.cancelled_at is not None:
            state, sentence, promised = "dropped", part.cancel_reason, None
        elif part.case is None:
            before = part.waits_for
            state = "waiting"
            sentence = _("等待“%(matter)s”准予后自动提交。") % {"matter": before.matter.name if before else ""}
            base = before.case.promised_date if before is not None and before.case is not None else None
            promised = add_workdays_or_none(base, part.matter.promised_days) if base else None
        else:
            state, sentence, promised = "case", part.case.sentence, part.case.promised_date
        bearing = part_bearing(part, waiting=waiting.get(part.id, [])) if outcome == OUTCOME_NOT else ""
        rows.append(BundlePart(part, part.matter, state, outcome, sentence, promised, bearing))
    done = sum(1 for row in rows if row.outcome != OUTCOME_OPEN)
    refused = sum(1 for row in rows if row.outcome == OUTCOME_NOT)
    if done < len(rows):
        overall = "in_progress"
        sentence = _("一件事正在办理：共%(total)s项，已办结%(done)s项。") % {"total": len(rows), "done": done}
        if refused:
            sentence += _("其中%(refused)s项未获准予或未提交，其余事项不受影响，照常办理。") % {"refused": refused}
    elif all(row.outcome == OUTCOME_APPROVED for row in rows):
        overall, sentence = "completed", _("一件事各事项均已办结并获准予。")
    else:
        overall = "completed_with_refusals"
        sentence = _("一件事各事项均已处理完毕，其中部分事项未获准予或未提交，详见各事项说明。")
    dates = [row.promised_date for row in rows if row.outcome == OUTCOME_OPEN]
    promised_date = max(dates) if dates and all(dates) else None  # type: ignore[type-var]
    return BundleStatus(overall, sentence, rows, promised_date, done)


def bundle_statistics(*, since: dt.datetime) -> list[dict]:
    """一件事 reported as one item and per matter: the bundle applications submitted since ``since``, how many have
    all their answers (and how many with every part approved), how long that took on average (days), and per
    matter its parts approved, not approved (refused, denied, dropped …) and open. Two queries, whatever the count."""
    applications = {
        a.id: a
        for a in BundleApplication.objects.filter(submitted_at__gte=since)
        .select_related("bundle")
        .order_by("bundle__code")
    }
    parts = list(
        OnlineApplication.objects.filter(bundle_application_id__in=list(applications))
        .select_related("case", "matter")
        .order_by("id")
    )
    by_bundle: dict[str, dict] = {}
    for application in applications.values():
        row = by_bundle.setdefault(
            application.bundle.code,
            {
                "bundle": application.bundle.code,
                "name": application.bundle.name,
                "submitted": 0,
                "completed": 0,
                "all_approved": 0,
                "average_days": None,
                "_days": [],
                "matters": {},
            },
        )
        row["submitted"] += 1
        if application.completed_at is not None and application.submitted_at is not None:
            row["completed"] += 1
            row["_days"].append((application.completed_at - application.submitted_at).total_seconds() / 86400)
    outcomes: dict[int, list[str]] = {}
    for part in parts:
        application = applications[part.bundle_application_id]  # type: ignore[index]
        outcome = part_outcome(part)
        outcomes.setdefault(application.id, []).append(outcome)
        matters = by_bundle[application.bundle.code]["matters"]
        counts = matters.setdefault(
            part.matter_code, {"matter": part.matter.name, "approved": 0, "not_approved": 0, "open": 0}
        )
        counts[{OUTCOME_APPROVED: "approved", OUTCOME_NOT: "not_approved", OUTCOME_OPEN: "open"}[outcome]] += 1
    for application in applications.values():
        found = outcomes.get(application.id, [])
        if found and all(o == OUTCOME_APPROVED for o in found):
            by_bundle[application.bundle.code]["all_approved"] += 1
    out = []
    for row in by_bundle.values():
        days = row.pop("_days")
        row["average_days"] = round(sum(days) / len(days), 1) if days else None
        row["matters"] = list(row["matters"].values())
        out.append(row)
    return out


def bundle_materials_covered(*, case: Case) -> set[str]:
    """Intake's ``materials_covered`` hook: for a bundle's part, what the parts it waited for issue (their result),
    which its department reads from the sibling case; nothing for a lone case."""
    part = (
        OnlineApplication.objects.select_related("waits_for__matter")
        .filter(case=case, bundle_application__isnull=False, waits_for__isnull=False)
        .first()
    )
    return prerequisite_results(part) if part is not None else set()


def bundle_submission_fields(*, case: Case) -> dict[str, contract.CaseBundle]:
    """Intake's ``submission_fields`` hook: a bundle's part goes to central with its bundle (the one application,
    the bundle, every part with its case number once sent and the matter it waits for), so that central shows a
    case's siblings and reports the bundle as one item. Nothing for a lone case."""
    bundle = BundleApplication.objects.select_related("bundle").filter(parts__case=case).first()
    if bundle is None:
        return {}
    parts = bundle.parts.select_related("matter", "case", "waits_for").order_by("id")
    return {
        "bundle": contract.CaseBundle(
            id=bundle.code,
            code=bundle.bundle.code,
            name=bundle.bundle.name,
            parts=[
                contract.BundlePart(
                    matter_code=p.matter_code,
                    matter_name=p.matter.name,
                    after=p.waits_for.matter_code if p.waits_for is not None else "",
                    number=p.case.number if p.case is not None else "",
                )
                for p in parts
            ],
        )
    }
