"""The pages' forms: what a page reads from a POST, checked before a service is called. The field names are
the pages' own (an external test suite posts them); the domain's rules stay in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DeliveryMethod


def form_error(form: forms.Form) -> str:
    """The form's errors as one line for the page, each sentence once."""
    sentences = dict.fromkeys(str(message) for errors in form.errors.values() for message in errors)
    return " ".join(sentences)


class TrackForm(forms.Form):
    """办件查询: the number and the query password from the receipt."""

    number = forms.CharField(max_length=64, error_messages={"required": _("请输入办件编号和查询密码。")})
    password = forms.CharField(max_length=64, error_messages={"required": _("请输入办件编号和查询密码。")})


class DeliveryChoiceForm(forms.Form):
    """How the result is to be handed over (templates delivery/_choice.html and _window_choice.html). The
    lengths are the API's (DeliveryChoiceSerializer): the service says what post needs, in its own words."""

    method = forms.ChoiceField(
        choices=DeliveryMethod.choices,
        error_messages={"required": _("请选择结果领取方式。"), "invalid_choice": _("请选择结果领取方式。")},
    )
    recipient_name = forms.CharField(required=False, max_length=64)
    recipient_phone = forms.CharField(required=False, max_length=20)
    address = forms.CharField(required=False, max_length=400)


class PickupLookupForm(forms.Form):
    """The case number the pickup desk looks up (typed or scanned; from the page's search or the hand-over)."""

    number = forms.CharField(max_length=40, required=False)

    def clean_number(self) -> str:
        return self.cleaned_data["number"].upper()


class PickupForm(forms.Form):
    """The collector's ID number, typed or read by the card reader at the pickup desk."""

    id_number = forms.CharField(max_length=32, error_messages={"required": _("请输入领取人的身份证号码。")})
