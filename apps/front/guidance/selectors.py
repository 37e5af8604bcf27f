"""Reads for guidance: the questions of a matter, the checklist their answers produce, what the
government already holds for a citizen, and the matter guide (DOMAIN.md §2, §4, §6)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from apps.front.intake.models import TrustLevel
from apps.front.intake.selectors import evidence_for_matter
from apps.shared.accounts.models import Role, User
from apps.shared.catalog.models import Material, MaterialSource, Matter
from govservice.lib.errors import DomainError

from .models import Checklist, Option, Question, Rule, RuleEffect

# Item statuses in a checklist.
NEEDED = "needed"  # bring it
IF_APPLICABLE = "if_applicable"  # optional, and no answer decided it: read the note
NOT_NEEDED = "not_needed"  # an answer ruled it out

# 国办函〔2016〕108号: A (government-issued with e-seal) and B (original seen by a clerk) are used as they
# are; C and D still need the original or a signed commitment at the window.
REUSABLE_LEVELS = frozenset({TrustLevel.A, TrustLevel.B})


def questions_for_matter(code: str) -> list[Question]:
    return list(
        Question.objects.filter(matter_code=code, active=True)
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("position", "id")), "rules")
        .order_by("position", "id")
    )


def answers_clean(questions: list[Question], raw: Mapping[str, Any]) -> dict[str, str]:
    """Every question answered with one of its options, and nothing else; a clear 400 otherwise."""
    known = {q.key for q in questions}
    unknown = sorted(str(k) for k in raw if k not in known)
    if unknown:
        raise DomainError(
            _("没有这个问题：%(keys)s。请刷新页面后重新回答。") % {"keys": "、".join(unknown)},
            code="unknown_question",
        )
    answers: dict[str, str] = {}
    for question in questions:
        value = raw.get(question.key)
        if value is None or value == "":
            raise DomainError(_("请回答：“%(q)s”") % {"q": question.text}, code="answer_missing")
        options = dict(question.option_list())
        if not isinstance(value, str) or value not in options:
            raise DomainError(
                _("“%(q)s”的回答无效，请从以下选项中选择：%(options)s。")
                % {"q": question.text, "options": "、".join(options.values())},
                code="answer_invalid",
            )
        answers[question.key] = value
    return answers


@dataclass
class Built:
    """What a set of answers makes of a matter's materials."""

    items: list[dict[str, Any]] = field(default_factory=list)  # needed and if-applicable, in catalog order
    excluded: list[dict[str, Any]] = field(default_factory=list)  # ruled out by an answer, with the reason


def _item(material: Material, status: str) -> dict[str, Any]:
    return {
        "key": material.key,
        "name": material.name,
        "form": material.get_form_display(),
        "originals": material.originals,
        "copies": material.copies,
        "required": material.required,
        "source": material.get_source_display(),
        "government": material.source == MaterialSource.GOVERNMENT,
        "issuer": material.issuer,
        "notes": material.notes,
        "status": status,
        "reason": "",
    }


def checklist_build(*, matter: Matter, questions: list[Question], answers: Mapping[str, str]) -> Built:
    """Required materials always; an optional one when an answer includes it; one an answer excludes
    is left out, unless another answer needs it (a second trip for a missing paper costs more than one
    paper too many). Optional materials no question speaks of stay as "if applicable"."""
    included: dict[str, tuple[Rule, str]] = {}
    excluded: dict[str, str] = {}
    decided: set[str] = set()
    for question in questions:
        labels = dict(question.option_list())
        for rule in question.rules.all():
            decided.add(rule.material_key)
            if answers.get(question.key) != rule.answer:
                continue
            reason = f"{question.text}{labels.get(rule.answer, rule.answer)}"
            if rule.effect == RuleEffect.INCLUDE:
                included.setdefault(rule.material_key, (rule, reason))
            else:
                excluded.setdefault(rule.material_key, reason)
    built = Built()
    for material in matter.materials.all():
        if material.key in included:
            rule, reason = included[material.key]
            item = _item(material, NEEDED)
            item["reason"] = reason
            if rule.note:
                item["notes"] = rule.note
            if rule.originals is not None:
                item["originals"] = rule.originals
            if rule.copies is not None:
                item["copies"] = rule.copies
            built.items.append(item)
        elif material.key in excluded:
            item = _item(material, NOT_NEEDED)
            item["reason"] = excluded[material.key]
            built.excluded.append(item)
        elif material.required:
            built.items.append(_item(material, NEEDED))
        elif material.key in decided:
            item = _item(material, NOT_NEEDED)
            item["reason"] = _("根据您的回答无需提供")
            built.excluded.append(item)
        else:
            built.items.append(_item(material, IF_APPLICABLE))
    return built


def matter_checklist(matter: Matter) -> Built:
    """The matter's full one-time checklist, before any answer: required and if-applicable items."""
    return Built(items=[_item(m, NEEDED if m.required else IF_APPLICABLE) for m in matter.materials.all()])


def vault_marks(*, user: User | None, matter: Matter) -> dict[str, dict[str, Any]]:
    """Per material key, what the government already holds for this citizen (数据共享、信息复用):
    ``held`` means not needed; otherwise a hint (an upload to be checked against the original)."""
    if user is None or not user.is_authenticated or user.role != Role.CITIZEN:
        return {}
    offered = evidence_for_matter(citizen=user, matter=matter)
    keys = {m.id: m.key for m in matter.materials.all()}
    marks: dict[str, dict[str, Any]] = {}
    for material_id, items in offered.items():
        best = items[0]  # most trusted first
        if best.trust_level in REUSABLE_LEVELS:
            label = _("政府已掌握（%(name)s，%(issuer)s），无需提交") % {
                "name": best.name,
                "issuer": best.issuer or _("已核验"),
            }
            marks[keys[material_id]] = {"held": True, "level": best.trust_level, "label": label}
        else:
            label = _("您已上传过此材料，请携带原件到窗口核验")
            marks[keys[material_id]] = {"held": False, "level": best.trust_level, "label": label}
    return marks


def with_marks(items: list[dict[str, Any]], marks: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Items with the vault mark of each, if any: ``held`` ones are shown as not needed."""
    return [{**item, "vault": marks.get(item["key"])} for item in items]


def next_steps(matter: Matter) -> list[str]:
    """GOV.UK "what happens next": the road from here to the result, in plain words."""
    steps = [_("按本清单一次备齐材料：原件用于核验，复印件按份数准备。政府已掌握的材料无需提交。")]
    if matter.online_depth >= 4:
        steps.append(_("在网上提交申请，全程网办，无需到大厅。"))
    elif matter.bookable:
        steps.append(
            _(
                "选择大厅和时间预约，按时到大厅取号机签到（开始前30分钟至开始后15分钟）。预约后可在线预填申报，到窗口只需核验原件。"
            )
        )
    else:
        steps.append(_("在办公时间直接到大厅取号办理，无需预约。"))
    steps.append(
        _(
            "窗口人员核验身份和材料：材料齐全、符合法定形式的当场受理并出具受理凭证；材料不齐的，一次性告知需要补正的全部内容。"
        )
    )
    if matter.case_kind == "instant":
        steps.append(_("即办件：符合条件的当场办结。"))
    else:
        steps.append(
            _("审批部门在承诺的%(promised)s个工作日内作出决定（法定时限%(legal)s个工作日），补正材料期间不计入时限。")
            % {"promised": matter.promised_days, "legal": matter.legal_days}
        )
    result = matter.result_name or _("办理结果")
    if matter.e_licence:
        steps.append(
            _("取得“%(result)s”，同步生成电子证照，可在“我的办事”中查看；每一步进展我们都会短信通知您。")
            % {"result": result}
        )
    else:
        steps.append(_("取得“%(result)s”，可到窗口领取或选择邮寄；每一步进展我们都会短信通知您。") % {"result": result})
    return steps


def checklist_get(*, code: str, user: User | None) -> Checklist:
    """A citizen's checklist for that citizen only; an anonymous one for whoever holds the code. Staff
    and other citizens get 404: nobody learns that another's list exists."""
    checklist = get_object_or_404(
        Checklist.objects.select_related("matter", "matter__department", "appointment"), code=code.upper()
    )
    if checklist.citizen_id is not None and (
        user is None or not user.is_authenticated or user.id != checklist.citizen_id
    ):
        raise Http404(_("未找到该清单。"))
    return checklist


def checklists_for_citizen(*, citizen: User) -> QuerySet[Checklist]:
    return (
        Checklist.objects.filter(citizen=citizen).select_related("matter", "appointment").order_by("-created_at", "-id")
    )


def checklist_for_appointment(*, appointment_id: int) -> Checklist | None:
    """The checklist a booking was made from (the latest, if several were carried in)."""
    return (
        Checklist.objects.filter(appointment_id=appointment_id)
        .select_related("matter")
        .order_by("-created_at", "-id")
        .first()
    )


def current_matter(code: str) -> Matter:
    return get_object_or_404(
        Matter.objects.select_related("department").prefetch_related("materials"), code=code, is_current=True
    )
