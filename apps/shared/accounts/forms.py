from django import forms
from django.utils.translation import gettext_lazy as _

from apps.shared.privacy.consents import current_text
from apps.shared.privacy.models import ConsentPurpose


class RegisterForm(forms.Form):
    username = forms.RegexField(label=_("用户名"), regex=r"^[\w.@+-]{3,150}$", max_length=150)
    real_name = forms.CharField(label=_("真实姓名"), max_length=30)
    id_number = forms.CharField(
        label=_("身份证号码"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(label=_("手机号码"), max_length=11, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    email = forms.EmailField(label=_("电子邮箱（选填）"), required=False)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, min_length=8)
    # DOMAIN.md §9: the name and ID number go to the population registry with the person's consent.
    consent = forms.BooleanField(
        label=current_text(ConsentPurpose.REGISTRY_CHECK).text,
        error_messages={"required": _("请阅读并同意实名核验的个人信息处理说明。")},
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("短信验证码"),
        regex=r"^\s*\d{6}\s*$",
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class PasswordResetForm(forms.Form):
    id_number = forms.CharField(
        label=_("身份证号码"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(label=_("手机号码"), max_length=11, widget=forms.TextInput(attrs={"inputmode": "tel"}))


class PasswordResetConfirmForm(CodeForm):
    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, min_length=8)


class TakeoverForm(forms.Form):
    id_number = forms.CharField(
        label=_("身份证号码（读卡）"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    claimant_username = forms.CharField(label=_("申请人新注册的用户名"), max_length=150)
    reason = forms.CharField(label=_("办理事由"), max_length=200)
    # "lookup" shows whose the number is; "confirm" (with the card checked) hands it over.
    action = forms.ChoiceField(choices=[("lookup", "lookup"), ("confirm", "confirm")], required=False)
    card_checked = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        data["action"] = data.get("action") or "lookup"
        if data["action"] == "confirm" and not data.get("card_checked"):
            raise forms.ValidationError(_("请先核对身份证原件与本人一致。"), code="card_not_checked")
        return data

    def person(self) -> dict[str, str]:
        """The fields the takeover services take."""
        return {key: self.cleaned_data[key] for key in ("id_number", "claimant_username", "reason")}
