"""The pages' forms: what a page reads from a POST, checked before a service is called. The answers of the
application form are read as text here and checked by kind in the service (apps.shared.catalog.formfields),
which is the one place that knows what each kind takes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.shared.catalog.models import MatterField
from apps.shared.exchange.contract import DeliveryMethod

from .services import DECLARATION


def form_errors(form: forms.Form) -> list[str]:
    """The form's errors for the page, each sentence once."""
    return list(dict.fromkeys(str(message) for errors in form.errors.values() for message in errors))


class StartForm(forms.Form):
    """Which hall receives the application (when several do)."""

    hall = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class ForWhomForm(forms.Form):
    """``?for=``: the account id of the principal someone applies for (none: themselves)."""

    for_ = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["for"] = self.fields.pop("for_")


class ApplicationForm(forms.Form):
    """The application page (template online/application.html): the answers (``field_<key>``), the delivery
    choice, the declaration and the consent, and what to do (save the draft, or submit). The files are read
    beside it (``material_<key>``)."""

    ACTIONS = (("save", _("保存草稿")), ("submit", _("提交申请")))

    # Empty: a button of its own was pressed (take a file back): the rest is saved as a draft.
    action = forms.ChoiceField(
        choices=ACTIONS, required=False, error_messages={"invalid_choice": _("请选择保存或提交。")}
    )
    method = forms.ChoiceField(choices=DeliveryMethod.choices, required=False)
    recipient_name = forms.CharField(required=False, max_length=64)
    recipient_phone = forms.CharField(required=False, max_length=20)
    address = forms.CharField(required=False, max_length=400)
    declaration = forms.BooleanField(required=False, help_text=DECLARATION)
    vault_consent = forms.BooleanField(required=False)

    def __init__(self, *args, fields: list[MatterField], **kwargs):
        super().__init__(*args, **kwargs)
        self.form_fields = fields
        for form_field in fields:
            self.fields[f"field_{form_field.key}"] = forms.CharField(
                required=False, max_length=4000, label=form_field.label
            )

    def clean_action(self) -> str:
        return self.cleaned_data["action"] or "save"

    def answers(self) -> dict[str, str]:
        return {f.key: self.cleaned_data.get(f"field_{f.key}", "") for f in self.form_fields}

    def delivery(self) -> dict[str, str] | None:
        method = self.cleaned_data.get("method")
        if not method:
            return None
        return {
            "method": method,
            "recipient_name": self.cleaned_data["recipient_name"],
            "recipient_phone": self.cleaned_data["recipient_phone"],
            "address": self.cleaned_data["address"],
        }


class PrereviewForm(forms.Form):
    """The clerk's outcome of a pre-review (template online/prereview_case.html)."""

    ACTIONS = (("accept", _("预审通过，受理")), ("notice", _("一次性告知（补正材料）")), ("refuse", _("不予受理")))

    action = forms.ChoiceField(
        choices=ACTIONS, error_messages={"required": _("请选择预审结果。"), "invalid_choice": _("请选择预审结果。")}
    )
    items = forms.CharField(required=False, max_length=4000)
    reason = forms.CharField(required=False, max_length=2000)
    refer_to = forms.CharField(required=False, max_length=200)

    def clean_items(self) -> list[str]:
        """One item per line."""
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
