"""What the hall's pages post, read before a service is called. Whether the matter is served remotely, whether
the ID number is valid and whether the material is the matter's are the services' rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class KioskStartForm(forms.Form):
    matter = forms.CharField(label=_("事项"), max_length=64)
    # The 18 characters an ID-card reader types (checked by the service, which says what is wrong).
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, strip=True)
    consent = forms.BooleanField(label=_("同意记录"), required=False)


class WindowStartForm(forms.Form):
    consent = forms.BooleanField(label=_("同意记录"), required=False)


class ScanForm(forms.Form):
    material = forms.CharField(label=_("材料"), max_length=64)
    file = forms.FileField(label=_("扫描件"))


def first_error(form: forms.Form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields and form.fields[field].label else field
        return f"{label}：{errors[0]}"
    return ""
