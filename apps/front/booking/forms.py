"""The booking pages' input, checked before a service is called. Field names are the forms' (and an external
test suite's): slot, idempotency_key, green_category; matter, hall, date; the closure form's date, group,
start, end, reason, move. The rules of booking stay in the services: a form only says whether the input can
be read (a slot id is a number, a date is a date)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import MAX_ID

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise  # django-stubs' name for a lazy str


def id_field(message: _StrPromise) -> forms.IntegerField:
    """A row id; beyond a bigint no row exists, so such a number is bad input, not a server error."""
    keys = ("required", "invalid", "min_value", "max_value")
    return forms.IntegerField(min_value=1, max_value=MAX_ID, error_messages=dict.fromkeys(keys, message))


def first_error(form: forms.Form) -> str:
    """The first message of an invalid form: the pages that redirect after a POST show one flash message."""
    return next(str(message) for messages in form.errors.values() for message in messages)


class IdempotentForm(forms.Form):
    # Longer keys are cut, not refused: the key only makes a resent POST give the first answer.
    idempotency_key = forms.CharField(required=False, strip=False)

    def clean_idempotency_key(self) -> str:
        return self.cleaned_data["idempotency_key"][:64]


class BookForm(IdempotentForm):
    slot = id_field(_("请选择一个预约时段。"))
    # Which categories exist is a booking rule (services/rules.py): an unknown one is refused there.
    green_category = forms.CharField(required=False, strip=False)


class RescheduleForm(IdempotentForm):
    slot = id_field(_("请选择新的预约时段。"))


class WaitlistJoinForm(forms.Form):
    matter = forms.CharField(required=False)
    hall = id_field(_("请选择大厅。"))
    date = forms.DateField(
        input_formats=["%Y-%m-%d"], error_messages=dict.fromkeys(("required", "invalid"), _("日期无效。"))
    )


class ClosureForm(forms.Form):
    """A closure of the supervisor's hall. The group is resolved by the view among the hall's groups; the
    reason and the period's rules are the service's (closure_create)."""

    date = forms.DateField(
        input_formats=["%Y-%m-%d"], error_messages=dict.fromkeys(("required", "invalid"), _("请填写有效的日期和时间。"))
    )
    group = forms.CharField(required=False)
    start = forms.TimeField(required=False, error_messages={"invalid": _("请填写有效的日期和时间。")})
    end = forms.TimeField(required=False, error_messages={"invalid": _("请填写有效的日期和时间。")})
    reason = forms.CharField(required=False)
    move = forms.CharField(required=False)

    def values(self) -> dict[str, str]:
        """What was typed (stripped), to show again in the page's form."""
        return {name: str(self.data.get(name, "")).strip() for name in self.fields}


class StaffBookForm(IdempotentForm):
    """A caller booked by a clerk on the reserved share (template booking/staff_booking.html): their ID
    number (posted, never in an address), the matter and the slot."""

    id_number = forms.CharField(max_length=32, error_messages={"required": _("请输入来电市民的身份证号码。")})
    matter = forms.CharField(max_length=64, error_messages={"required": _("请选择办理事项。")})
    slot = id_field(_("请选择一个预约时段。"))


class WaiverForm(forms.Form):
    """A penalty waiver: the citizen (by account id, from the page's list) and the reason, recorded."""

    citizen = id_field(_("请选择要豁免的市民。"))
    reason = forms.CharField(required=False, max_length=200)


class StandingLookupForm(forms.Form):
    id_number = forms.CharField(max_length=32, error_messages={"required": _("请输入市民的身份证号码。")})
