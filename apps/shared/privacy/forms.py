from django import forms
from django.utils.translation import gettext_lazy as _


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("zip", "zip"), ("json", "json")], initial="zip")


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("登录密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), max_length=128
    )
    confirm = forms.BooleanField(
        label=_("我已知晓：注销后账户无法恢复，预约、消息和证照库材料将被删除，办件档案依法保留但不再与本人账户关联。"),
        error_messages={"required": _("请确认已知晓注销的后果。")},
    )
