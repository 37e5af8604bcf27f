"""The approver's page actions: what each form posts, read before a service is called. Field names are the
case page's forms'. The rules (a reason is required, a deadline after today, one extension) stay in the
services; a form only says whether the input can be read."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
