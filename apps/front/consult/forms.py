"""The input of the consultation pages, read before a service is called (issue 11 point 4).

Forms check the shape of what was posted (a number is a number, a kind is one of the kinds); the rules
(a title is required, 100 characters at most, the hall handles the matter …) stay in the services, which
answer the API and the pages alike with the same codes. Field names are those the pages have always posted.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TicketKind


def form_error(form: forms.Form) -> str:
    """Every error of a form as one line, for the page's error box."""
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


class _Question(forms.Form):
    """What every question holds; the text fields are checked by the service (text_required)."""

    matter = forms.CharField(required=False)
    kind = forms.ChoiceField(
        choices=TicketKind.choices, required=False, error_messages={"invalid_choice": _("请选择咨询、投诉或建议。")}
    )
    title = forms.CharField(required=False)
    content = forms.CharField(required=False)

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or TicketKind.CONSULTATION


class AskForm(_Question):
    """A citizen's question on the portal; no hall: the first hall that handles the matter."""

    hall = forms.CharField(required=False)

    def clean_hall(self) -> int | None:
        # A hall that is no number is no choice: the service takes the matter's first hall, as it always has.
        hall = self.cleaned_data["hall"]
        return int(hall) if hall.isdecimal() else None


class TerminalAskForm(_Question):
    id_number = forms.CharField(required=False)


class CallForm(_Question):
    caller_name = forms.CharField(required=False)
    caller_phone = forms.CharField(required=False)
    id_number = forms.CharField(required=False)


class FollowUpForm(forms.Form):
    body = forms.CharField(required=False)


class RateForm(forms.Form):
    score = forms.IntegerField(error_messages={"required": _("请选择评价等级。"), "invalid": _("请选择评价等级。")})
    comment = forms.CharField(required=False)


class ReplyForm(forms.Form):
    body = forms.CharField(required=False)


class RouteForm(forms.Form):
    department = forms.CharField(required=False)
    note = forms.CharField(required=False)


class ExtendForm(forms.Form):
    days = forms.IntegerField(required=False, error_messages={"invalid": _("延期天数应为1至10个工作日。")})
    reason = forms.CharField(required=False)

    def clean_days(self) -> int:
        # No number typed: 0, which the service refuses with its own answer (after who may extend).
        return self.cleaned_data["days"] or 0


class RevealPhoneForm(forms.Form):
    reason = forms.CharField(required=False)


class PublishForm(forms.Form):
    question = forms.CharField(required=False)
    answer = forms.CharField(required=False)
