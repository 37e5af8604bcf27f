"""The approver's page actions: what each form posts, read before a service is called. Field names are the
case page's forms'. The rules (a reason is required, a deadline after today, one extension) stay in the
services; a form only says whether the input can be read."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from govservice.lib.clocks import Sla

from .models import REVIEW_STEPS, ReviewStatus
from .selectors import CLOSED, MINE, NEWEST, OLDEST, OPEN, UNASSIGNED, URGENT, CaseQuery

# The colours as people read them (pages and filters).
SLA_LABELS = {
    Sla.GREEN: _("正常"),
    Sla.YELLOW: _("临期"),
    Sla.RED: _("超期"),
    Sla.PAUSED: _("计时暂停"),
    Sla.UNKNOWN: _("期限待定"),
}


class NoteForm(forms.Form):
    note = forms.CharField(required=False, strip=False)


class CorrectionForm(forms.Form):
    items = forms.CharField(required=False)
    deadline = forms.DateField(
        input_formats=["%Y-%m-%d"], error_messages=dict.fromkeys(("required", "invalid"), _("请填写有效的补正期限。"))
    )

    def clean_items(self) -> list[str]:
        # One item a line: 行政许可法 Art. 32 asks for every missing item at once (the service checks them).
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class SpecialProcedureForm(forms.Form):
    kind = forms.CharField(required=False)
    reason = forms.CharField(required=False, strip=False)
    # A blank or unreadable number is 0 days, which the service refuses with its reason.
    expected_days = forms.CharField(required=False)

    def clean_expected_days(self) -> int:
        text = self.cleaned_data["expected_days"].strip()
        return int(text) if text.isdigit() and len(text) < 10 else 0


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, strip=False)


class DecisionForm(ReasonForm):
    decision = forms.CharField(required=False)


class ResultForm(forms.Form):
    valid_years = forms.CharField(required=False)

    def clean_valid_years(self) -> int | None:
        text = self.cleaned_data["valid_years"].strip()
        return int(text) if text.isdigit() and len(text) < 10 else None


# --- The queue's filters: one form for the workbench page and the API's list (GET parameters) ----------


class CaseQueryForm(forms.Form):
    """What a queue shows (selectors.CaseQuery). Every field may be left out; a value outside its choices is
    refused, so a mistyped filter is an error rather than a silently wider list."""

    STATUS_CHOICES = [("", _("全部")), (OPEN, _("在办")), (CLOSED, _("已办结")), *ReviewStatus.choices]
    SLA_CHOICES = [("", _("全部")), *((colour.value, label) for colour, label in SLA_LABELS.items())]
    ASSIGNEE_CHOICES = [("", _("全部")), (MINE, _("我认领的")), (UNASSIGNED, _("待认领"))]
    ORDERING_CHOICES = [(NEWEST, _("最新收到")), (URGENT, _("最紧急")), (OLDEST, _("最早收到"))]

    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES, required=False)
    department = forms.CharField(label=_("部门编码"), max_length=32, required=False)
    step = forms.TypedChoiceField(
        label=_("环节"),
        choices=[("", _("全部")), *((str(i), name) for i, name in enumerate(REVIEW_STEPS))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    sla = forms.ChoiceField(label=_("承诺时限"), choices=SLA_CHOICES, required=False)
    legal_sla = forms.ChoiceField(label=_("法定时限"), choices=SLA_CHOICES, required=False)
    assignee = forms.ChoiceField(label=_("认领"), choices=ASSIGNEE_CHOICES, required=False)
    extension = forms.ChoiceField(
        label=_("延期申请"), choices=[("", _("全部")), ("pending", _("待审批"))], required=False
    )
    number = forms.CharField(label=_("办件编号"), max_length=32, required=False)
    ordering = forms.ChoiceField(label=_("排序"), choices=ORDERING_CHOICES, required=False)

    def query(self) -> CaseQuery:
        data = self.cleaned_data
        return CaseQuery(
            status=data["status"],
            department=data["department"].strip(),
            step=data["step"],
            sla=data["sla"],
            legal_sla=data["legal_sla"],
            assignee=data["assignee"],
            extension_pending=data["extension"] == "pending",
            number=data["number"].strip(),
            ordering=data["ordering"] or NEWEST,
        )


# --- A central supervisor's page actions ---------------------------------------------------------------


class AssignForm(ReasonForm):
    approver = forms.IntegerField(error_messages=dict.fromkeys(("required", "invalid"), _("请选择审批人员。")))


class TransferForm(ReasonForm):
    department = forms.CharField(max_length=32, error_messages={"required": _("请选择转至的部门。")})
