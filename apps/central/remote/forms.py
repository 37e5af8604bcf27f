"""What the session page posts (as JSON objects, read through these forms before a service is called)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SessionOutcome


class PointForm(forms.Form):
    target = forms.CharField(max_length=80)
    note = forms.CharField(max_length=100, required=False)


class ScanRequestForm(forms.Form):
    material = forms.CharField(max_length=64)


class IdentityForm(forms.Form):
    reason = forms.CharField(label=_("核验依据"), max_length=300)


class NoteForm(forms.Form):
    text = forms.CharField(max_length=4000, required=False)


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            (o.value, o.label)
            for o in (SessionOutcome.ACCEPTED, SessionOutcome.ONE_TIME_NOTICE, SessionOutcome.REFUSED)
        ]
    )
    items = forms.CharField(label=_("需补正的全部事项"), max_length=4000, required=False)
    reason = forms.CharField(label=_("不予受理理由"), max_length=500, required=False)
    refer_to = forms.CharField(label=_("应向何机关申请"), max_length=200, required=False)

    def clean_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


def first_error(form: forms.Form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields and form.fields[field].label else field
        return f"{label}：{errors[0]}"
    return ""
