"""The pages' forms: what a page reads from a POST, checked before a service is called (the field names are
the page's own, templates/notifications/preferences.html)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Language


class PreferenceForm(forms.Form):
    """我的 → 消息通知: the channels the person wants (a ticked box is "on") and the language of messages."""

    sms = forms.BooleanField(required=False)
    email = forms.BooleanField(required=False)
    language = forms.ChoiceField(
        choices=Language.choices, required=False, error_messages={"invalid_choice": _("通知语言无效。")}
    )

    def clean_language(self) -> str:
        # A form without the choice keeps the default: Chinese.
        return self.cleaned_data["language"] or Language.ZH_HANS
