"""The pages' forms: what a page reads from a POST, checked before a service is called. The field names are
the pages' own (an external test suite posts them); the domain's rules (what a refusal or a one-time notice
needs, which materials may be deferred) stay in the services, which say so in their own words."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def form_errors(form: forms.Form) -> list[str]:
    """The form's errors for the page, each sentence once."""
    return list(dict.fromkeys(str(message) for errors in form.errors.values() for message in errors))


class TextListField(forms.Field):
    """A field repeated once per value (checkboxes of one name): the list of its values."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[str]:
        return [str(item) for item in value or ()]


class IntakeForm(forms.Form):
    """The intake workbench's outcome (template intake/intake.html); the files and the reuse_<material>
    choices are read beside it."""

    ACTIONS = (
        ("accept", _("受理")),
        ("notice", _("一次性告知（补正材料）")),
        ("refuse", _("不予受理")),
        ("receive", _("仅收件（5个工作日内审查决定）")),
    )

    action = forms.ChoiceField(choices=ACTIONS, required=False)
    reason = forms.CharField(required=False, max_length=2000)
    refer_to = forms.CharField(required=False, max_length=200)
    items = forms.CharField(required=False, max_length=4000)
    commitment_items = TextListField(required=False)
    commitment_signed = forms.BooleanField(required=False)
    # The applicant agreed that evidence from their vault be used for this case (the service refuses reuse without).
    vault_consent = forms.BooleanField(required=False)

    def clean_action(self) -> str:
        return self.cleaned_data["action"] or "accept"

    def clean_items(self) -> list[str]:
        """One item per line."""
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class HeldCaseForm(IntakeForm):
    """An outcome for a case the hall holds (template intake/hall_case.html): the materials the applicant
    brought (files beside it), then accept, a further one-time notice, a refusal, or hold it on."""

    ACTIONS = (
        ("supplement", _("仅补充材料（继续暂存）")),
        ("accept", _("受理")),
        ("notice", _("一次性告知（补正材料）")),
        ("refuse", _("不予受理")),
    )

    action = forms.ChoiceField(
        choices=ACTIONS, error_messages={"required": _("请选择办理结果。"), "invalid_choice": _("请选择办理结果。")}
    )

    def clean_action(self) -> str:
        return self.cleaned_data["action"]


class CaseSearchForm(forms.Form):
    """Held cases found by case number, ID number or name (posted: an ID number never rides in an address)."""

    q = forms.CharField(required=False, max_length=64)


class RevealForm(forms.Form):
    """Why the clerk needs the clear ID number (the service refuses an empty reason, and logs the rest)."""

    reason = forms.CharField(required=False, max_length=200)


class WithdrawForm(forms.Form):
    reason = forms.CharField(required=False, max_length=500)


class AssistForm(forms.Form):
    """帮办 at a smart terminal: the matter chosen from this hall's list and the applicant's ID number."""

    matter = forms.ChoiceField(
        error_messages={"required": _("请选择办理事项。"), "invalid_choice": _("请选择办理事项。")}
    )
    id_number = forms.CharField(max_length=32, error_messages={"required": _("请刷身份证或输入申请人的身份证号码。")})

    def __init__(self, *args, matters: dict, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["matter"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, matter.name) for code, matter in matters.items()]
