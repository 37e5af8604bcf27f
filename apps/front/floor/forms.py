"""The kiosk's and the workbench's input, read before a service is called. Field names are the pages' forms'
(and an external test suite's). Which matters a hall serves, which green-channel reasons exist and whether
an ID number is valid are the services' rules; a form only says whether the input can be read."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.front.booking.forms import IdempotentForm, id_field


class DeviceTokenForm(forms.Form):
    """Activating a kiosk or a window's rating tablet: the device token, shown once when it was issued."""

    token = forms.CharField(max_length=100)


class CheckinForm(forms.Form):
    # An appointment code, or the 18 characters an ID-card reader types: the service reads either.
    code = forms.CharField(required=False, strip=False)


class WalkInForm(IdempotentForm):
    matter = forms.CharField(required=False)
    green_channel = forms.CharField(required=False, strip=False)
    id_number = forms.CharField(required=False, strip=False)
    # A late arrival's appointment, carried by the walk-in page after a check-in came too late.
    appointment_code = forms.CharField(required=False)


class TicketNoteForm(forms.Form):
    # The note is cut, not refused: a clerk's remark never stops the queue.
    note = forms.CharField(required=False, strip=False)

    def clean_note(self) -> str:
        return self.cleaned_data["note"][:100]


class TransferForm(TicketNoteForm):
    group = id_field(_("请选择要转至的窗口组。"))
