"""The input of the 好差评 pages, read before a service is called (issue 11 point 4).

Forms check the shape of what was posted (a level is a number, a tag is one of the tags, a time is a
time); the rules (a level 1–5, tags of that level, a comment of ≤ 500 characters, who may do what) stay
in the services, which answer the API and the pages alike with the same codes. Field names are those the
pages have always posted.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .models import TAGS


def form_error(form: forms.Form) -> str:
    """Every error of a form as one line, for the page's error box or a flash message."""
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


class TabletTicketForm(forms.Form):
    """The window tablet's rating names the ticket it showed: a newer ticket in between is not rated by mistake."""

    ticket = forms.IntegerField(min_value=1)


class RatingForm(forms.Form):
    """A rating as typed on any rating page (case page, SMS link, kiosk, window tablet)."""

    score = forms.IntegerField(error_messages={"required": _("请选择评价等级。"), "invalid": _("请选择评价等级。")})
    tags = forms.MultipleChoiceField(
        choices=list(TAGS.items()), required=False, error_messages={"invalid_choice": _("评价标签与所选等级不符。")}
    )
    comment = forms.CharField(required=False)


class KioskTicketForm(forms.Form):
    """The number and the rating code printed on a kiosk ticket."""

    label = forms.CharField(required=False)
    code = forms.CharField(required=False)

    def clean_label(self) -> str:
        return self.cleaned_data["label"].upper()[:8]

    def clean_code(self) -> str:
        return self.cleaned_data["code"][:6]


class FixRatingForm(forms.Form):
    rating = forms.IntegerField(
        error_messages={"required": _("请选择对整改结果的评价。"), "invalid": _("请选择对整改结果的评价。")}
    )
    comment = forms.CharField(required=False)


class AssignForm(forms.Form):
    assignee = forms.CharField(required=False)

    def clean_assignee(self) -> int | None:
        # No number: the member takes it themselves (the service's reading of None).
        assignee = self.cleaned_data["assignee"]
        return int(assignee) if assignee.isdecimal() else None


class CallbackForm(forms.Form):
    called_at = forms.CharField(required=False)
    outcome = forms.CharField(required=False)
    summary = forms.CharField(required=False, strip=False)

    def clean_called_at(self) -> dt.datetime:
        value = self.cleaned_data["called_at"]
        try:
            parsed = parse_datetime(value) if value else None
        except ValueError:  # well formed but no such moment (hour 25, 30 February)
            parsed = None
        if parsed is None:
            raise forms.ValidationError(_("请填写回访时间。"), code="invalid_time")
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class ReplyForm(forms.Form):
    fix = forms.CharField(required=False, strip=False)
    reply = forms.CharField(required=False, strip=False)


class AppealForm(forms.Form):
    reason = forms.CharField(required=False, strip=False)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("uphold", "uphold"), ("reject", "reject")],
        error_messages={"required": _("请选择审核结果。"), "invalid_choice": _("请选择审核结果。")},
    )
    note = forms.CharField(required=False, strip=False)
